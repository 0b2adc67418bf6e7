"""Ingest with a fake embedder but the real stores: incremental, crash-safe, never stopping."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import Cancelled
from rag.ingest import ChunkingOptions, ingest
from rag.library import Library, Workspace
from tests.rag.fakes import FakeEmbedder, write_pdf

SMALL = ChunkingOptions(max_tokens=60, overlap_tokens=10)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _ingest(workspace: Workspace, embedder: FakeEmbedder, *paths: Path, **options):
    return ingest(list(paths), workspace=workspace, embedder=embedder, chunking=SMALL, **options)


def test_folder_ingest_reports_every_file_and_continues_past_bad_ones(
        tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> None:
    docs = tmp_path / "docs"
    _write(docs, "a.txt", "Indemnity is capped at the fees paid. " * 20)
    _write(docs / "sub", "b.md", "# Governing law\n\nThis agreement is governed by Delaware law.")
    (docs / "empty.pdf").write_bytes(b"")
    (docs / "junk.bin").write_bytes(bytes(range(256)) * 10)
    write_pdf(docs / "locked.pdf", ["Secret."], user_password="pw")
    report = _ingest(workspace, fake_embedder, docs)
    statuses = {Path(result.path).name: (result.status, result.reason) for result in report.results}
    assert statuses == {
        "a.txt": ("indexed", ""), "b.md": ("indexed", ""), "empty.pdf": ("refused", "empty file"),
        "junk.bin": ("refused", "unsupported format"),
        "locked.pdf": ("refused", "password required"),
    }
    assert "2 indexed, 3 refused" in report.summary()
    assert workspace.consistency_problems() == []


def test_password_is_used_for_protected_pdfs(tmp_path: Path, workspace: Workspace,
                                             fake_embedder: FakeEmbedder) -> None:
    path = write_pdf(tmp_path / "locked.pdf", ["Secret settlement terms."], user_password="pw")
    report = _ingest(workspace, fake_embedder, path, password="pw")
    assert report.results[0].status == "indexed"


def test_re_adding_an_unchanged_file_does_nothing(tmp_path: Path, workspace: Workspace,
                                                  fake_embedder: FakeEmbedder) -> None:
    path = _write(tmp_path, "a.txt", "Payment is due within 30 days. " * 10)
    _ingest(workspace, fake_embedder, path)
    calls = fake_embedder.calls
    report = _ingest(workspace, fake_embedder, path)
    assert report.results[0].status == "unchanged" and fake_embedder.calls == calls


def test_same_content_under_two_names_is_one_document_with_two_paths(
        tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> None:
    first = _write(tmp_path, "a.txt", "Confidentiality survives termination. " * 10)
    second = _write(tmp_path, "copy of a.txt", first.read_text(encoding="utf-8"))
    report = _ingest(workspace, fake_embedder, first, second)
    assert [result.status for result in report.results] == ["indexed", "duplicate"]
    (record,) = workspace.documents()
    assert len(record.paths) == 2
    assert workspace.consistency_problems() == []


def test_a_changed_file_replaces_its_old_chunks(tmp_path: Path, workspace: Workspace,
                                                fake_embedder: FakeEmbedder) -> None:
    path = _write(tmp_path, "a.txt", "Old wording about liability. " * 10)
    _ingest(workspace, fake_embedder, path)
    path.write_text("New wording about warranties. " * 30, encoding="utf-8")
    report = _ingest(workspace, fake_embedder, path)
    assert report.results[0].status == "replaced"
    (record,) = workspace.documents()
    assert record.doc_id == report.results[0].doc_id
    assert workspace.store.keyword_search("liability", 10) == []
    assert workspace.consistency_problems() == []


def test_purge_removes_a_document_from_every_store(tmp_path: Path, workspace: Workspace,
                                                   fake_embedder: FakeEmbedder) -> None:
    keep = _write(tmp_path, "keep.txt", "Escrow arrangements. " * 10)
    drop = _write(tmp_path, "drop.txt", "Non-compete covenant. " * 10)
    _ingest(workspace, fake_embedder, keep, drop)
    purged = workspace.remove(str(drop))
    assert len(purged) == 1
    assert workspace.store.keyword_search("non-compete covenant", 10) == []
    assert [record.paths for record in workspace.documents()] == [(str(keep.resolve()),)]
    assert workspace.consistency_problems() == []


def test_purge_through_a_linked_folder_finds_the_document(
        tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> None:
    real = tmp_path / "matters"
    real.mkdir()
    contract = _write(real, "deal.txt", "Indemnification obligations. " * 10)
    (tmp_path / "linked").symlink_to(real)
    _ingest(workspace, fake_embedder, tmp_path / "linked" / "deal.txt")
    assert len(workspace.remove(str(tmp_path / "linked" / contract.name))) == 1
    assert workspace.documents() == []


def test_purging_one_of_two_paths_keeps_the_document(tmp_path: Path, workspace: Workspace,
                                                     fake_embedder: FakeEmbedder) -> None:
    first = _write(tmp_path, "a.txt", "Audit rights. " * 10)
    second = _write(tmp_path, "b.txt", "Audit rights. " * 10)
    _ingest(workspace, fake_embedder, first, second)
    assert workspace.remove(str(first)) == []
    assert workspace.documents()[0].paths == (str(second.resolve()),)


def test_half_indexed_documents_are_removed_on_reopen(tmp_path: Path, library: Library,
                                                      fake_embedder: FakeEmbedder) -> None:
    """What kill -9 between the vector write and the manifest commit leaves behind."""
    workspace = library.workspace("w")
    done = _write(tmp_path, "done.txt", "Completed document about pricing. " * 10)
    _ingest(workspace, fake_embedder, done)
    workspace.store.mark("f" * 64, "indexing")
    vector = fake_embedder.embed(["orphan"])
    workspace.index.add("w", ["orphan-0"], vector, [{"doc_id": "f" * 64}])
    library.close()
    reopened = Library(library.root).workspace("w")
    assert reopened.consistency_problems() == []
    assert len(reopened.documents()) == 1 and reopened.index.count("w") > 0


def test_cancel_stops_between_files_and_leaves_a_consistent_index(
        tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> None:
    paths = [_write(tmp_path, f"{n}.txt", f"Document {n} text. " * 20) for n in range(4)]
    seen: list[str] = []

    def cancel() -> bool:
        return len(seen) >= 2

    with pytest.raises(Cancelled):
        _ingest(workspace, fake_embedder, *paths, progress=lambda f, m: seen.append(m),
                cancel=cancel)
    assert workspace.consistency_problems() == []


def test_workspaces_are_separate(tmp_path: Path, library: Library,
                                 fake_embedder: FakeEmbedder) -> None:
    path = _write(tmp_path, "a.txt", "Patient cohort protocol. " * 10)
    _ingest(library.workspace("deal"), fake_embedder, path)
    assert library.workspace("cohort").documents() == []
    assert library.workspaces() == ["cohort", "deal"] or set(library.workspaces()) == {
        "cohort", "deal"}


def test_bad_workspace_names_are_refused(library: Library) -> None:
    with pytest.raises(Exception, match="not usable"):
        library.workspace("../escape")
