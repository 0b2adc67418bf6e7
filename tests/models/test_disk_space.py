"""Too little disk for a model (issue 29): one line saying how much space is needed where,
checked before the copy starts; a disk filling up during the copy says the same and leaves
nothing behind; ``ask`` answers from the evidence alone. Real copies onto a small tmpfs (root
mounts one; skipped elsewhere) and an injected lack of space."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from models.catalog import ModelCatalog, NotEnoughSpace
from tests.models.tiny_gguf import write_tiny_gguf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmpfs: Callable[[str, str], Path]) -> Path:
    """A 48 MB tmpfs: room for an index, not for the 241 MB embedded model."""
    return tmpfs("48m", "small-disk")


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_a_model_that_cannot_fit_is_refused_before_the_copy(small_disk: Path) -> None:
    catalog = ModelCatalog(small_disk / "models")
    with pytest.raises(NotEnoughSpace) as refusal:
        catalog.install_embedded()
    message = refusal.value.message
    assert f"in {small_disk / 'models'}, where 48 MB is free" in message
    assert "it needs 257 MB" in message and "\n" not in message
    assert list((small_disk / "models").iterdir()) == []


def test_a_disk_that_fills_up_during_the_copy_says_so_and_keeps_nothing(
        small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check passes (another program freed space, then took it back): the real write fails
    with ENOSPC part-way."""
    monkeypatch.setattr("models.catalog.shutil.disk_usage",
                        lambda folder: _Usage(2**40, 0, 2**40))
    catalog = ModelCatalog(small_disk / "models")
    with pytest.raises(NotEnoughSpace, match="Not enough disk space for the embedded model"):
        catalog.install_embedded()
    assert list((small_disk / "models").iterdir()) == []


def test_an_import_is_refused_when_the_disk_is_short_by_a_little(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_tiny_gguf(tmp_path / "tiny-qwen.gguf", "qwen2",
                             chat_template="{{ messages[0]['content'] }}")
    free = source.stat().st_size + 1024  # fits, but not with the margin left for the rest
    monkeypatch.setattr("models.catalog.shutil.disk_usage", lambda folder: _Usage(free, 0, free))
    catalog = ModelCatalog(tmp_path / "models")
    with pytest.raises(NotEnoughSpace, match=r"the model tiny-qwen\.gguf: it needs 16 MB"):
        catalog.import_file(source)
    assert catalog.list() == [] and list((tmp_path / "models").iterdir()) == []


def _enclave(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_ask_with_no_room_for_the_model_answers_from_the_evidence(
        small_disk: Path, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("Either party may terminate this agreement for convenience on ninety "
                      "(90) days' written notice.\n")
    home = small_disk / "home"
    assert _enclave(home, "ingest", str(notice), "-w", "deal").returncode == 0

    # A fact is answered from the quote's own words: no model, so no word about its space.
    fact = _enclave(home, "ask", "How much notice is needed to terminate?", "-w", "deal")
    assert fact.returncode == 0 and fact.stderr == "", fact.stderr
    assert "ninety (90) days' written notice" in fact.stdout and "(verified)" in fact.stdout
    # An open question would have the model word it: the space it needs is named in one line
    # and the answer comes from the evidence alone.
    answer = _enclave(home, "ask", "Tell me about the agreement.", "-w", "deal")
    assert answer.returncode == 0, answer.stderr
    assert answer.stderr.count("\n") == 1 and "Not enough disk space" in answer.stderr
    assert f"in {home / 'models'}, where" in answer.stderr
    assert "ninety (90) days' written notice" in answer.stdout and "(verified)" in answer.stdout

    plain = _enclave(home, "ask", "What is an indemnity?", "--model-only")
    assert plain.returncode == 2 and plain.stderr.startswith("enclave: Not enough disk space")
    assert plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert not [name for name in os.listdir(home / "models") if name.endswith(".part")]
