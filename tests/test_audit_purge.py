"""A purge is recorded before anything of the document is deleted, one record per document
(issue 29): a kill after the record leaves a document marked for purging, which the next
open removes with a recovered_index record; a record that cannot be written leaves the
document stored and whole. The record holds the content hash only: no name, path or text.
Real embedder, Chroma and SQLite; the kill in a real subprocess."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import audit as audit_module
from app.audit import AuditLog
from app.paths import DataPaths
from app.services import Services, build_services
from core.errors import EnclaveError
from rag.embedder import DEFAULT_VARIANT, Embedder, load_embedder
from rag.errors import IndexStoreError
from rag.index import ChromaIndex
from rag.onnx_export import exported_model
from tests.conftest import REPO_ROOT

NAME = "Marguerite Okonkwo"
TEXT = f"Memo for {NAME}. The zorbifraxate protocol was approved for the quarterly review.\n"


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(DEFAULT_VARIANT, model=exported_model(
        tmp_path_factory.mktemp("embedder"), DEFAULT_VARIANT))


@pytest.fixture
def services(tmp_path: Path, embedder: Embedder) -> Iterator[Services]:
    built = build_services(DataPaths(tmp_path / "home"), embedder=lambda: embedder)
    yield built
    built.close()


def _documents(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    planted, kept = folder / f"{NAME} intake.txt", folder / "kept.txt"
    planted.write_text(TEXT, "utf-8")
    kept.write_text("The catering agreement covers the annual conference dinner.\n", "utf-8")
    return [planted, kept]


def _held(services: Services) -> set[str]:
    return {record.doc_id for record in services.library().documents("w")}


def _purges(home: Path) -> list[dict[str, Any]]:
    return [r for r in AuditLog(home / "audit.jsonl").records() if r["action"] == "purge"]


def test_each_purged_document_is_recorded_before_it_leaves_the_index(
        services: Services, tmp_path: Path) -> None:
    files = _documents(tmp_path / "docs")
    services.library().ingest(files, workspace="w")
    before = _held(services)
    seen_at_record: list[set[str]] = []
    real_record = services.audit.record

    def record(action: str, **details: object) -> None:
        if action == "purge":
            seen_at_record.append(_held(services))
        real_record(action, **details)

    services.audit.record = record  # type: ignore[method-assign]
    purged = services.library().purge("w", str(tmp_path / "docs"))
    assert len(purged) == 2 and set(purged) == before
    assert len(seen_at_record) == 2
    assert all(set(purged) & held for held in seen_at_record)  # each still stored when recorded
    assert _held(services) == set()
    assert [r["details"]["doc_ids"] for r in _purges(services.paths.root)] == \
        [[doc_id] for doc_id in purged]
    raw = services.paths.audit_file.read_text("utf-8").lower()
    assert [word for word in ("okonkwo", "zorbifraxate", "intake", "kept.txt") if word in raw] \
        == []
    assert AuditLog(services.paths.audit_file).verify().ok


def test_a_purge_record_that_cannot_be_written_leaves_the_document_stored(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planted, _ = _documents(tmp_path / "docs")
    services.library().ingest([planted], workspace="w")
    held = _held(services)

    def full(handle: int, data: bytes | memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit_module.os, "write", full)
    with pytest.raises(EnclaveError) as raised:
        services.library().purge("w", str(planted))
    monkeypatch.undo()
    assert str(services.paths.root) in raised.value.message
    assert _held(services) == held
    workspace = services.library()._workspace("w")
    assert workspace.consistency_problems() == []
    assert _purges(services.paths.root) == []
    assert services.library().purge("w", str(planted)) == list(held)  # room again: purged
    assert _held(services) == set() and len(_purges(services.paths.root)) == 1


KILLED_AFTER_THE_RECORD = """
import os, sys
from pathlib import Path
from app.paths import DataPaths
from app.services import build_services
from rag.library import Workspace
Workspace._delete_everywhere = lambda self, doc_id: os._exit(9)  # killed right after the record
build_services(DataPaths(Path(sys.argv[1]))).library().purge("w", sys.argv[2])
"""


def test_a_kill_after_the_purge_record_is_finished_at_the_next_open(
        services: Services, tmp_path: Path) -> None:
    planted, kept = _documents(tmp_path / "docs")
    services.library().ingest([planted, kept], workspace="w")
    held = _held(services)
    services.close()
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_THE_RECORD,
                           str(services.paths.root), str(planted)], cwd=REPO_ROOT,
                          env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), timeout=300)
    assert done.returncode == 9
    purged = [r["details"]["doc_ids"] for r in _purges(services.paths.root)]
    assert len(purged) == 1 and purged[0][0] in held

    reopened = build_services(services.paths, embedder=lambda: None)  # type: ignore[arg-type,return-value]
    try:
        assert _held(reopened) == held - set(purged[0])
        assert reopened.library()._workspace("w").consistency_problems() == []
    finally:
        reopened.close()
    records = AuditLog(services.paths.audit_file).records()
    recovered = [r for r in records if r["action"] == "recovered_index"]
    assert [r["details"]["doc_ids"] for r in recovered] == purged
    assert AuditLog(services.paths.audit_file).verify().ok


def _workspace_purges(home: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(r["action"], r["details"]) for r in AuditLog(home / "audit.jsonl").records()
            if r["action"] in ("purge", "purge_failed") and "whole_workspace" in r["details"]]


def test_a_deleted_workspace_is_recorded_before_anything_of_it_is_deleted(
        services: Services, tmp_path: Path) -> None:
    services.library().ingest(_documents(tmp_path / "docs"), workspace="w")
    held = _held(services)
    seen_at_record: list[tuple[bool, set[str]]] = []
    real_record = services.audit.record

    def record(action: str, **details: object) -> None:
        if details.get("whole_workspace"):
            seen_at_record.append((services.library().has_workspace("w"), _held(services)))
        real_record(action, **details)

    services.audit.record = record  # type: ignore[method-assign]
    services.library().delete_workspace("w")
    assert seen_at_record == [(True, held)]  # still whole when recorded
    assert not services.library().has_workspace("w")
    assert _workspace_purges(services.paths.root) == \
        [("purge", {"workspace": "w", "whole_workspace": True})]
    assert AuditLog(services.paths.audit_file).verify().ok


def test_a_workspace_whose_delete_record_cannot_be_written_is_kept_whole(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services.library().ingest(_documents(tmp_path / "docs"), workspace="w")
    held = _held(services)

    def full(handle: int, data: bytes | memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit_module.os, "write", full)
    with pytest.raises(EnclaveError) as raised:
        services.library().delete_workspace("w")
    monkeypatch.undo()
    assert str(services.paths.root) in raised.value.message
    assert services.library().has_workspace("w") and _held(services) == held
    assert services.library()._workspace("w").consistency_problems() == []
    assert _workspace_purges(services.paths.root) == []


def test_a_workspace_delete_that_fails_is_recorded_as_failed(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services.library().ingest(_documents(tmp_path / "docs"), workspace="w")

    def refused(self: object, workspace: str) -> None:
        raise IndexStoreError("The vector index cannot be written.")

    monkeypatch.setattr(ChromaIndex, "drop", refused)
    with pytest.raises(IndexStoreError):
        services.library().delete_workspace("w")
    assert _workspace_purges(services.paths.root) == [
        ("purge", {"workspace": "w", "whole_workspace": True}),
        ("purge_failed", {"workspace": "w", "whole_workspace": True, "reason": "error",
                          "error": "IndexStoreError"})]
    assert AuditLog(services.paths.audit_file).verify().ok
