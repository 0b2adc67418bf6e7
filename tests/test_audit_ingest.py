"""Ingest writes its audit records file by file, inside the commit that stores each document
(issue 29 item 2), one per document actually stored (issue 30 item 6), and a trail that
cannot be written stops the batch with every file's fate named (issue 29 item 1). Real
embedder, Chroma and SQLite."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit as audit_module
from app.audit import AuditLog
from app.paths import DataPaths
from app.services import Services, build_services
from rag.embedder import DEFAULT_VARIANT, Embedder, load_embedder
from rag.onnx_export import exported_model
from tests.conftest import REPO_ROOT

TOPICS = ["lease renewal for the warehouse", "software licence audit rights",
          "supply of steel beams", "consulting fees and expenses", "non-compete covenant",
          "insurance of the leased premises", "termination for convenience",
          "governing law of Delaware"]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(DEFAULT_VARIANT, model=exported_model(
        tmp_path_factory.mktemp("embedder"), DEFAULT_VARIANT))


@pytest.fixture
def services(tmp_path: Path, embedder: Embedder) -> Iterator[Services]:
    built = build_services(DataPaths(tmp_path / "home"), embedder=lambda: embedder)
    yield built
    built.close()


def write_documents(folder: Path, count: int = len(TOPICS)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, topic in enumerate(TOPICS[:count]):
        path = folder / f"doc{number:02d}.txt"
        path.write_text(f"Agreement {number}. This clause covers the {topic}. "
                        f"The parties agree to clause {number} on {topic}.\n", "utf-8")
        paths.append(path)
    return paths


def ingest_records(services: Services) -> list[dict[str, object]]:
    return [r for r in AuditLog(services.paths.audit_file).records() if r["action"] == "ingest"]


def stored_ids(services: Services, workspace: str) -> set[str]:
    return {record.doc_id for record in services.library().documents(workspace)}


def test_ctrl_c_mid_batch_leaves_a_record_for_every_document_stored(
        services: Services, tmp_path: Path) -> None:
    files, told = write_documents(tmp_path / "docs"), []

    def progress(fraction: float, message: str) -> None:
        told.append(fraction)

    from core.errors import Cancelled

    with pytest.raises(Cancelled):
        services.library().ingest(files, workspace="w", progress=progress,
                                  cancel=lambda: len(told) > 8)
    stored = stored_ids(services, "w")
    recorded = {r["details"]["doc_id"] for r in ingest_records(services)}  # type: ignore[index]
    assert 0 < len(stored) < len(files)
    assert recorded == stored
    assert AuditLog(services.paths.audit_file).verify().ok


def test_a_trail_that_cannot_be_written_stops_the_batch_and_names_every_file(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files, real_write, writes = write_documents(tmp_path / "docs"), os.write, [0]
    services.library().ingest(files[:1], workspace="w")  # the seal and folders exist

    def write(handle: int, data: bytes | memoryview) -> int:
        writes[0] += 1
        if writes[0] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(handle, data)

    monkeypatch.setattr(audit_module.os, "write", write)
    report = services.library().ingest(files, workspace="w")
    monkeypatch.undo()
    assert [r.status for r in report.results] == \
        ["unchanged", "indexed", "indexed", "refused"] + ["refused"] * (len(files) - 4)
    assert {r.reason for r in report.results[3:]} == {"not stored"}
    assert "audit trail cannot be written" in report.stopped
    assert str(services.paths.root) in report.stopped and "free at least" in report.stopped
    assert stored_ids(services, "w") == {r.doc_id for r in report.results[:3]}
    result = AuditLog(services.paths.audit_file).verify()
    assert result.ok and result.records == 4
    assert [r["details"]["status"] for r in ingest_records(services)] == \
        ["indexed", "unchanged", "indexed", "indexed"]


def test_two_ingests_of_one_folder_at_once_record_each_document_once(tmp_path: Path) -> None:
    files = write_documents(tmp_path / "docs")
    env = dict(os.environ, ENCLAVE_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "app.cli", "ingest", str(tmp_path / "docs"), "-w", "same"]
    runs = [subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    log = AuditLog(tmp_path / "home" / "audit.jsonl")
    indexed = [r["details"]["doc_id"] for r in log.records()
               if r["action"] == "ingest" and r["details"]["status"] == "indexed"]
    assert len(indexed) == len(set(indexed)) == len(files)
    assert log.verify().ok
