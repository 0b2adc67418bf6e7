"""A full disk under each file the app writes for the user (issue 29): settings, the
conversation export (Markdown, PDF), the contract summary export (Markdown, DOCX, PDF), the
redacted copy and the audit trail's CSV. Each says one line naming the folder and the space
to free, and nothing is harmed: the file that was there before is unchanged and no part of the
new one is left. A real full disk: a small tmpfs (root mounts one; skipped elsewhere), filled.
(Model import and ``ask``'s model copy: tests/models/test_disk_space.py; history save, ingest,
purge, re-embed and the audit trail itself: the fault campaign in tests/faults.)"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.audit import AuditLog
from app.settings import SettingsStore
from core.disk import DiskFull
from tests.conftest import REPO_ROOT

OLD = b"the file as it was before\n"


@pytest.fixture
def full_disk(tmpfs: Callable[[str, str], Path]) -> Path:
    """A 2 MB tmpfs holding ``before.*`` files, then filled to the last byte."""
    return tmpfs("2m", "full-disk")


def test_the_small_disks_are_real_tmpfs_mounts_of_the_size_asked(
        tmpfs: Callable[[str, str], Path]) -> None:
    """One fixture makes the full disk here and the small disk of tests/models."""
    for size, megabytes in (("2m", 2), ("48m", 48)):
        folder = tmpfs(size, f"disk-{size}")
        assert os.path.ismount(folder)
        assert shutil.disk_usage(folder).total == megabytes * 1024 * 1024


def fill(folder: Path) -> None:
    """Every byte taken: big writes, then single bytes for the last page."""
    with open(folder / "filler", "wb", buffering=0) as stream:
        for size in (65536, 1):
            try:
                while stream.write(b"\0" * size):
                    pass
            except OSError:
                pass


def assert_refused_whole(write: Callable[[Path], object], target: Path) -> str:
    """``write(target)`` on the full disk: DiskFull in one line naming the folder and the
    space; ``target`` as it was; nothing else left in the folder."""
    target.write_bytes(OLD)
    fill(target.parent)
    before = sorted(path.name for path in target.parent.iterdir())
    with pytest.raises(DiskFull) as raised:
        write(target)
    message = raised.value.message
    assert "\n" not in message and f"the disk holding {target.parent} is full" in message
    assert "free at least 1 MB there" in message
    assert target.read_bytes() == OLD
    assert sorted(path.name for path in target.parent.iterdir()) == before
    return message


def test_settings_on_a_full_disk_keep_the_file_as_it_was(full_disk: Path) -> None:
    path = full_disk / "settings.json"
    store = SettingsStore(path)
    message = assert_refused_whole(
        lambda target: store.update("rag", chunk_tokens=200), path)
    assert message.startswith("The settings were not saved: ")


@pytest.mark.parametrize("suffix", [".md", ".pdf"])
def test_a_conversation_export_on_a_full_disk(full_disk: Path, qapp: object,
                                              suffix: str) -> None:
    from app.history import Exchange, to_markdown
    from ui.chat_view import write_export

    text = to_markdown("deal", [Exchange("What is the notice period?", "Ninety days. " * 400)])
    message = assert_refused_whole(lambda target: write_export(text, target),
                                   full_disk / f"conversation{suffix}")
    assert message.startswith("The conversation was not exported: ")


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_contract_summary_export_on_a_full_disk(full_disk: Path, suffix: str) -> None:
    """Nothing is left open either: a Word file's zip left open on the full disk failed to
    close later, whenever the garbage collector reached it (once inside ast.parse in CI)."""
    from app.contracts.export import export_summary
    from app.contracts.service import summarize_contract

    summary = summarize_contract(REPO_ROOT / "app" / "samples" / "services_agreement.md")
    message = assert_refused_whole(lambda target: export_summary(summary, target),
                                   full_disk / f"summary{suffix}")
    assert message.startswith("The summary was not exported: ")
    gc.collect()  # an archive left open fails to close here, in this test


def test_a_redacted_copy_on_a_full_disk(full_disk: Path, tmp_path: Path) -> None:
    from app.privacy.analyzer import build_analyzer
    from app.privacy.export import export_redacted
    from app.privacy.policy import POLICIES

    source = tmp_path / "intake.txt"
    source.write_text("Patient: Marguerite Okonkwo, SSN 219-09-4817, seen in Boston.\n" * 200,
                      encoding="utf-8")
    analyzer = build_analyzer()
    message = assert_refused_whole(
        lambda target: export_redacted(source, target, analyzer, POLICIES["standard"]),
        full_disk / "intake.redacted.txt")
    assert message.startswith("The redacted copy was not written: ")


def test_the_audit_csv_on_a_full_disk(full_disk: Path, tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for number in range(300):
        log.record("question", workspace="w", sha256=f"{number:064x}")
    message = assert_refused_whole(lambda target: log.export_csv(target),
                                   full_disk / "audit.csv")
    assert message.startswith("The audit trail was not exported: ")
