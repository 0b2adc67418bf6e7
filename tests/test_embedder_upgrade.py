"""A workspace filled by an older version (fp32 vectors, no record of its embedder) opened by
this one, whose default embedder is int8: searched and filled with fp32 until the user
re-embeds it, then with int8. Real ONNX embedders (both exported files), real Chroma and SQLite
on disk, the real composition root."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app import audit as audit_module
from app.audit import AuditLog
from app.paths import DataPaths
from app.services import Services, build_services
from core.errors import Cancelled, EnclaveError
from core.jobs import CancelToken
from rag.embedder import DEFAULT_EMBEDDER, LEGACY_EMBEDDER, load_embedder
from rag.index import ChromaIndex
from rag.ingest import ingest
from rag.library import Library
from rag.onnx_export import exported_model
from tests.fake_runtime import FakeRuntime
from tests.test_cli import enclave

NOTES = {
    "lease.txt": "The office lease renews automatically on 1 March 2027 unless the tenant gives "
                 "six months' written notice.",
    "loan.txt": "Interest on the facility accrues at SOFR plus 250 basis points and is payable "
                "quarterly in arrears.",
    "privacy.txt": "Customer records are retained for seven years and then destroyed under the "
                   "records retention schedule.",
}
LEASE_QUESTION = "When does the lease of the office renew?"


def write_notes(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(NOTES[name], encoding="utf-8")
    return [folder / name for name in names]


def older_version_workspace(paths: DataPaths, documents: list[Path], tmp_path: Path) -> None:
    """What a version before int8 left on disk: fp32 vectors in a collection recording no
    embedder (its metadata was only the workspace name)."""
    fp32 = load_embedder("fp32", model=exported_model(tmp_path / "embedder", "fp32"))
    library = Library(paths.index_dir)
    ingest(documents, workspace=library.workspace("matter"), embedder=fp32)
    library.workspace("matter").index.collection("matter").modify(metadata={"workspace": "matter"})
    library.close()


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[Services]:
    paths = DataPaths(tmp_path / "home").ensure()
    older_version_workspace(paths, write_notes(tmp_path / "docs", ["lease.txt", "loan.txt"]),
                            tmp_path)
    services = build_services(paths, runtime=FakeRuntime())  # the product's own embedder choice
    yield services
    services.close()


def test_an_older_workspace_is_searched_and_filled_with_the_embedder_that_made_it(
        upgraded: Services, tmp_path: Path) -> None:
    library = upgraded.library()
    assert upgraded.embedder().name == DEFAULT_EMBEDDER
    assert library.outdated_embedder("matter") == LEGACY_EMBEDDER
    retriever = library.retriever("matter")
    assert retriever.embedder.name == LEGACY_EMBEDDER
    (hit,) = retriever.search(LEASE_QUESTION, top_k=1, mode="vector")
    assert hit.source_name == "lease.txt"

    report = library.ingest(write_notes(tmp_path / "docs", ["privacy.txt"]), workspace="matter")
    assert [result.status for result in report.results] == ["indexed"]
    assert library.outdated_embedder("matter") == LEGACY_EMBEDDER  # nothing int8 mixed in
    (hit,) = library.retriever("matter").search("How long are customer records kept?",
                                                top_k=1, mode="vector")
    assert hit.source_name == "privacy.txt"

    library.ingest([tmp_path / "docs" / "loan.txt"], workspace="fresh")
    assert library.embedder_for("fresh").name == DEFAULT_EMBEDDER
    assert library.outdated_embedder("fresh") is None


def test_reembedding_moves_an_older_workspace_to_the_default_embedder(
        upgraded: Services) -> None:
    library = upgraded.library()
    workspace = upgraded.library()._workspace("matter")
    chunk_ids = sorted(workspace.store.chunk_ids())
    before = workspace.vectors(chunk_ids)

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        library.reembed("matter", cancel=token)
    assert library.outdated_embedder("matter") == LEGACY_EMBEDDER
    assert not workspace.consistency_problems()

    assert library.reembed("matter") == len(chunk_ids)
    assert library.outdated_embedder("matter") is None
    assert library.retriever("matter").embedder.name == DEFAULT_EMBEDDER
    after = workspace.vectors(chunk_ids)
    cosines = [float(before[chunk] @ after[chunk]) for chunk in chunk_ids]
    assert min(cosines) > 0.95 and max(cosines) < 0.99999  # new vectors, of the same texts
    (hit,) = library.retriever("matter").search(LEASE_QUESTION, top_k=1, mode="vector")
    assert hit.source_name == "lease.txt" and not workspace.consistency_problems()
    details = {"workspace": "matter", "embedder": DEFAULT_EMBEDDER,
               "previous_embedder": LEGACY_EMBEDDER, "chunks": len(chunk_ids)}
    assert _reembed_records(upgraded) == [  # the cancelled run, then the one that moved them
        ("reembed", details),
        ("reembed_failed", {**details, "reason": "cancelled", "error": "Cancelled"}),
        ("reembed", details)]


def _reembed_records(services: Services) -> list[tuple[str, dict[str, object]]]:
    return [(r["action"], r["details"]) for r in AuditLog(services.paths.audit_file).records()
            if r["action"].startswith("reembed")]


def test_a_reembedding_is_recorded_before_any_vector_changes(upgraded: Services) -> None:
    workspace = upgraded.library()._workspace("matter")
    chunk_ids = sorted(workspace.store.chunk_ids())
    before = workspace.vectors(chunk_ids)
    seen_at_record: list[tuple[str | None, bool]] = []
    real_record = upgraded.audit.record

    def record(action: str, **details: object) -> None:
        if action == "reembed":
            now = workspace.vectors(chunk_ids)
            seen_at_record.append((workspace.embedder_name,
                                   all(np.array_equal(now[c], before[c]) for c in chunk_ids)))
        real_record(action, **details)

    upgraded.audit.record = record  # type: ignore[method-assign]
    assert upgraded.library().reembed("matter") == len(chunk_ids)
    assert seen_at_record == [(LEGACY_EMBEDDER, True)]  # recorded while nothing had moved
    assert workspace.embedder_name == DEFAULT_EMBEDDER
    assert AuditLog(upgraded.paths.audit_file).verify().ok


def test_a_reembedding_whose_record_cannot_be_written_changes_nothing(
        upgraded: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = upgraded.library()._workspace("matter")
    chunk_ids = sorted(workspace.store.chunk_ids())
    before = workspace.vectors(chunk_ids)

    def full(handle: int, data: bytes | memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit_module.os, "write", full)
    with pytest.raises(EnclaveError) as raised:
        upgraded.library().reembed("matter")
    monkeypatch.undo()
    assert str(upgraded.paths.root) in raised.value.message and "full" in raised.value.message
    assert upgraded.library().outdated_embedder("matter") == LEGACY_EMBEDDER
    after = workspace.vectors(chunk_ids)
    assert all(np.array_equal(after[c], before[c]) for c in chunk_ids)
    assert _reembed_records(upgraded) == []
    assert not workspace.consistency_problems()


def test_a_reembedding_that_fails_is_recorded_as_failed_and_changes_nothing(
        upgraded: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The vector index refuses the staged vectors (a full disk): the workspace keeps its own."""
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ChromaIndex, "add_staged", refused)
    with pytest.raises(OSError):
        upgraded.library().reembed("matter")
    monkeypatch.undo()
    assert upgraded.library().outdated_embedder("matter") == LEGACY_EMBEDDER
    assert [(action, details.get("reason"), details.get("error"))
            for action, details in _reembed_records(upgraded)] == \
        [("reembed", None, None), ("reembed_failed", "disk_full", "OSError")]
    assert not upgraded.library()._workspace("matter").consistency_problems()
    assert AuditLog(upgraded.paths.audit_file).verify().ok


def test_the_command_line_names_an_older_workspace_and_reembeds_it(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "home").ensure()
    older_version_workspace(paths, write_notes(tmp_path / "docs", ["lease.txt"]), tmp_path)
    listed = enclave("docs", "workspaces", home=paths.root)
    assert listed.returncode == 0, listed.stderr
    assert f"matter  (vectors by {LEGACY_EMBEDDER}: enclave docs reembed -w 'matter')" \
        in listed.stdout
    moved = enclave("docs", "reembed", "-w", "matter", home=paths.root)
    assert moved.returncode == 0, moved.stderr
    assert f"1 passage(s) re-embedded ({LEGACY_EMBEDDER} -> {DEFAULT_EMBEDDER})" in moved.stdout
    again = enclave("docs", "list", "-w", "matter", home=paths.root)
    assert "1 document(s)" in again.stdout and "earlier version" not in again.stdout
