"""Ingest's two threads (read-ahead parsing, embedding and storing) through the real embedder,
real Chroma on disk and real CUAD PDFs: cancel in the middle of a document, a bad file among
good ones, the same content twice in one batch, and progress that never goes back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from core.errors import Cancelled
from core.jobs import CancelFn, CancelToken, never_cancel
from rag.embedder import Embedder
from rag.ingest import ingest
from rag.library import Library, Workspace
from tests.conftest import SHARED_DATA

CUAD = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"


def smallest_contracts(count: int) -> list[Path]:
    return sorted(CUAD.iterdir(), key=lambda path: (path.stat().st_size, path.name))[:count]


class CancelDuringEmbedding:
    """The real embedder, with the user pressing Cancel once ``after`` embed calls are done."""

    def __init__(self, embedder: Embedder, token: CancelToken, after: int) -> None:
        self._embedder, self._token, self._after = embedder, token, after
        self.dimension, self.name = embedder.dimension, embedder.name
        self.calls = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._embedder.count_tokens(texts)

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        self.calls += 1
        if self.calls > self._after:
            self._token.cancel()
        return self._embedder.embed(texts, cancel=cancel)


def test_cancel_while_a_document_is_embedded_leaves_nothing_half_written(
        tmp_path: Path, real_embedder: Embedder) -> None:
    pdfs = smallest_contracts(4)
    token = CancelToken()
    cancelling = CancelDuringEmbedding(real_embedder, token, after=1)
    library = Library(tmp_path / "index")
    workspace = library.workspace("w")
    with pytest.raises(Cancelled):
        ingest(pdfs, workspace=workspace, embedder=cancelling, cancel=token)
    stored = len(workspace.documents())
    assert stored < len(pdfs)
    assert workspace.consistency_problems() == []
    assert workspace.index.count("w") == workspace.store.chunk_count()
    library.close()

    reopened = Library(tmp_path / "index").workspace("w")
    report = ingest(pdfs, workspace=reopened, embedder=real_embedder)
    assert report.count("indexed") == len(pdfs) - stored
    assert report.count("unchanged") == stored
    assert reopened.consistency_problems() == []


def test_a_bad_file_between_real_contracts_is_refused_and_the_batch_goes_on(
        tmp_path: Path, workspace: Workspace, real_embedder: Embedder) -> None:
    first, last = smallest_contracts(2)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    report = ingest([first, damaged, last], workspace=workspace, embedder=real_embedder)
    assert [result.status for result in report.results] == ["indexed", "refused", "indexed"]
    assert report.results[1].reason == "corrupt"
    assert report.results[1].message.startswith("damaged.pdf")
    assert workspace.consistency_problems() == []
    assert {record.paths[0] for record in workspace.documents()} == \
        {str(first.resolve()), str(last.resolve())}


def test_the_same_contract_twice_in_one_batch_is_embedded_once(
        tmp_path: Path, workspace: Workspace, real_embedder: Embedder) -> None:
    (contract,) = smallest_contracts(1)
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(contract.read_bytes())
    report = ingest([contract, copy, contract], workspace=workspace, embedder=real_embedder)
    assert [result.status for result in report.results] == ["indexed", "duplicate", "unchanged"]
    (record,) = workspace.documents()
    assert len(record.paths) == 2
    assert workspace.consistency_problems() == []


def test_progress_from_both_threads_never_goes_back_and_ends_at_one(
        workspace: Workspace, real_embedder: Embedder) -> None:
    seen: list[tuple[float, str]] = []
    pdfs = smallest_contracts(3)
    report = ingest(pdfs, workspace=workspace, embedder=real_embedder,
                    progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and seen[-1][1] == report.summary()
    assert {message for _, message in seen[:-1]} == {path.name for path in pdfs}


def test_vectors_stored_match_embedding_each_chunk_alone(
        workspace: Workspace, real_embedder: Embedder) -> None:
    """Sorting a document's chunks by length and batching them gives each chunk its own
    vector. (The default int8 embedder quantises activations with one range per batch, so a
    batched vector is a little off the chunk's vector alone: cosine 0.99 or more.)"""
    ingest(smallest_contracts(1), workspace=workspace, embedder=real_embedder)
    stored = workspace.chunks(sorted(workspace.store.chunk_ids()))
    chunk_ids = list(stored)[:8]
    vectors = workspace.vectors(chunk_ids)
    batched = np.vstack([vectors[chunk_id] for chunk_id in chunk_ids])
    alone = np.vstack([real_embedder.embed([stored[chunk_id].text]) for chunk_id in chunk_ids])
    similarities = batched @ alone.T
    assert np.diag(similarities).min() > 0.98, np.diag(similarities)
    assert (similarities.argmax(axis=1) == np.arange(len(chunk_ids))).all()
