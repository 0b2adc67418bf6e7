"""Each workspace records which embedder made its vectors, never mixes two, and re-embeds whole
or not at all (real Chroma and SQLite on disk; a fake embedder, renamed to play two)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import chromadb
import numpy as np
import pytest

from core.errors import Cancelled
from core.jobs import CancelFn, CancelToken, never_cancel
from rag.embedder import LEGACY_EMBEDDER
from rag.errors import EmbedderMismatch
from rag.index import RETIRED, STAGING, collection_name
from rag.ingest import ingest
from rag.library import Library
from rag.retrieval import HybridRetriever
from tests.rag.fakes import FakeEmbedder

NOTES = {
    "lease.txt": "The lease renews on 1 March 2027 unless either party objects in writing.",
    "loan.txt": "Interest accrues at SOFR plus 250 basis points, payable quarterly in arrears.",
}


class OtherEmbedder(FakeEmbedder):
    """Another embedder: same dimension, other vectors (the words hash into other slots)."""

    name = "other"

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        return np.roll(super().embed(texts, cancel=cancel), 7, axis=1)


def notes(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder.iterdir())


def chroma_names(root: Path) -> set[str]:
    client = chromadb.PersistentClient(path=str(root / "chroma"))
    return {collection.name for collection in client.list_collections()}


def test_a_new_workspace_records_the_embedder_that_fills_it(tmp_path: Path) -> None:
    library = Library(tmp_path / "index")
    assert library.workspace("w").embedder_name is None  # empty: any embedder may fill it
    ingest(notes(tmp_path / "docs"), workspace=library.workspace("w"), embedder=FakeEmbedder())
    library.close()
    assert Library(tmp_path / "index").workspace("w").embedder_name == "fake"


def test_vectors_of_another_embedder_are_refused_for_adding_and_searching(
        tmp_path: Path) -> None:
    workspace = Library(tmp_path / "index").workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    chunks = workspace.store.chunk_count()
    (tmp_path / "more.txt").write_text("Late payment incurs a fee of two percent per month.")
    with pytest.raises(EmbedderMismatch, match="made by fake"):
        ingest([tmp_path / "more.txt"], workspace=workspace, embedder=OtherEmbedder())
    with pytest.raises(EmbedderMismatch, match="cannot be searched with other"):
        HybridRetriever(workspace, OtherEmbedder())
    assert workspace.store.chunk_count() == chunks and not workspace.consistency_problems()


def test_a_workspace_with_no_record_and_vectors_counts_as_the_legacy_fp32(
        tmp_path: Path) -> None:
    workspace = Library(tmp_path / "index").workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    collection = workspace.index.collection("w")
    collection.modify(metadata={"workspace": "w"})  # as versions before the record made it
    assert workspace.embedder_name == LEGACY_EMBEDDER


def test_an_emptied_workspace_may_be_filled_by_another_embedder(tmp_path: Path) -> None:
    workspace = Library(tmp_path / "index").workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    workspace.remove(str(tmp_path / "docs"))
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=OtherEmbedder())
    assert workspace.embedder_name == "other"


def test_reembedding_swaps_every_vector_and_keeps_the_documents(tmp_path: Path) -> None:
    library = Library(tmp_path / "index")
    workspace = library.workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    before = workspace.store.chunk_ids()
    seen: list[float] = []
    count = workspace.reembed(OtherEmbedder(), progress=lambda done, _: seen.append(done))
    assert count == len(before) and seen[-1] == 1.0
    assert workspace.embedder_name == "other" and workspace.index.ids("w") == before
    assert not workspace.consistency_problems()
    (hit,) = HybridRetriever(workspace, OtherEmbedder()).search("SOFR basis points", top_k=1,
                                                              mode="vector")
    assert "SOFR" in hit.text
    library.close()
    assert chroma_names(tmp_path / "index") == {collection_name("w")}


def test_a_cancelled_reembedding_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    library = Library(tmp_path / "index")
    workspace = library.workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        workspace.reembed(OtherEmbedder(), cancel=token)
    assert workspace.embedder_name == "fake" and not workspace.consistency_problems()
    assert HybridRetriever(workspace, FakeEmbedder()).search("lease renews", top_k=1)
    library.close()
    assert chroma_names(tmp_path / "index") == {collection_name("w")}


def test_a_crash_inside_the_swap_is_completed_when_the_workspace_opens(tmp_path: Path) -> None:
    library = Library(tmp_path / "index")
    workspace = library.workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    index, name, ids = workspace.index, collection_name("w"), sorted(workspace.store.chunk_ids())
    index.start_staging("w", "other")
    index.add_staged("w", ids, OtherEmbedder().embed(["x"] * len(ids)),
                     [index.metadatas("w", ids)[chunk] for chunk in ids])
    index._client.get_collection(name).modify(name=name + RETIRED)  # the crash: one rename done
    library.close()
    reopened = Library(tmp_path / "index").workspace("w")
    assert reopened.embedder_name == "other" and not reopened.consistency_problems()
    assert chroma_names(tmp_path / "index") == {name}


def test_a_staging_collection_left_by_a_crash_is_dropped(tmp_path: Path) -> None:
    library = Library(tmp_path / "index")
    workspace = library.workspace("w")
    ingest(notes(tmp_path / "docs"), workspace=workspace, embedder=FakeEmbedder())
    workspace.index.start_staging("w", "other")
    assert collection_name("w") + STAGING in chroma_names(tmp_path / "index")
    library.close()
    reopened = Library(tmp_path / "index").workspace("w")
    assert reopened.embedder_name == "fake" and not reopened.consistency_problems()
    assert chroma_names(tmp_path / "index") == {collection_name("w")}  # no "-next" left
