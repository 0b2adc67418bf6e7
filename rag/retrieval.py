"""Hybrid retrieval: vector search and BM25 keyword search, fused by reciprocal rank.

Each hit carries the document, the page and the exact passage (offsets into the page text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.display import one_line
from rag.embedder import Embedder
from rag.library import Workspace
from rag.store import StoredChunk
from rag.store import chunk_id as make_chunk_id
from rag.targeting import Target, named_documents, words

RRF_K = 60
MODES = ("hybrid", "vector", "keyword")


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    doc_id: str
    path: str
    title: str
    page: int
    start: int
    end: int
    text: str
    score: float
    similarity: float | None = None  # cosine between question and passage
    vector_rank: int | None = None
    keyword_rank: int | None = None
    low_quality_scan: bool = False  # the page was read by OCR with low confidence

    @property
    def source_name(self) -> str:
        return one_line(Path(self.path).name if self.path else self.title)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]],
                           k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class HybridRetriever:
    def __init__(self, workspace: Workspace, embedder: Embedder, *, candidates: int = 50) -> None:
        """``embedder`` must be the one that made ``workspace``'s vectors (checked)."""
        workspace.check_embedder(embedder.name)
        self.workspace, self.embedder, self.candidates = workspace, embedder, candidates

    def page_text(self, doc_id: str, page: int) -> str | None:
        """The text of one page of a document of this workspace, to check a citation."""
        return self.workspace.page_text(doc_id, page)

    def search(self, question: str, *, top_k: int = 6, mode: str = "hybrid",
               doc_ids: Sequence[str] | None = None, with_similarity: bool = True,
               keywords: str | None = None) -> list[Hit]:
        """The best passages; ``keywords`` (default: the question) feeds the keyword search."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        vector = self.embedder.embed([question])[0] if mode != "keyword" or with_similarity \
            else None
        vector_ranking, similarities = self._vector(vector, mode, doc_ids)
        keyword_ranking = self._keyword(keywords or question, mode, doc_ids)
        fused = reciprocal_rank_fusion([vector_ranking, keyword_ranking])[:top_k]
        hits = self._hits(fused, vector_ranking, keyword_ranking, similarities)
        if with_similarity and vector is not None:
            hits = self._fill_similarity(hits, vector)
        return hits

    def following(self, hits: Sequence[Hit], count: int = 1) -> list[Hit]:
        """The passages right after each hit in its document (a clause often starts with a
        heading at the end of one passage and goes on in the next), not already in ``hits``."""
        have = {hit.chunk_id for hit in hits}
        wanted = [_next_id(hit.chunk_id, step) for hit in hits for step in range(1, count + 1)]
        return self._plain_hits([chunk for chunk in dict.fromkeys(wanted) if chunk not in have])

    def openings(self, doc_ids: Sequence[str], count: int = 1) -> list[Hit]:
        """The first passages of each document, where parties and dates are usually stated."""
        return self._plain_hits([make_chunk_id(doc_id, ordinal) for doc_id in doc_ids
                                 for ordinal in range(count)])

    def passages(self, chunk_ids: Sequence[str]) -> list[Hit]:
        """The passages of these ids, in this order (unknown ids are left out)."""
        return self._plain_hits(chunk_ids)

    def _plain_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        return self._hits([(chunk, 0.0) for chunk in chunk_ids], [], [], {})

    def named_in(self, question: str, opening_chars: int = 1500) -> Target:
        """The documents ``question`` names by title, file name or the parties named in the
        opening of their first page (see :mod:`rag.targeting`)."""
        records = self.workspace.documents()
        if len(records) < 2:
            return Target((), (), question)
        names = {record.doc_id: " ".join([record.title, *(_split_name(Path(path).stem)
                                                           for path in record.paths)])
                 for record in records}
        profiles = {doc_id: name + "\n" + (self.workspace.page_text(doc_id, 1) or "")
                    [:opening_chars] for doc_id, name in names.items()}
        return named_documents(question, profiles,
                               {doc_id: words(name) for doc_id, name in names.items()})

    def _vector(self, vector: np.ndarray | None, mode: str,
                doc_ids: Sequence[str] | None) -> tuple[list[str], dict[str, float]]:
        if mode == "keyword" or vector is None:
            return [], {}
        found = self.workspace.vector_search(vector, self.candidates, doc_ids)
        return [hit.chunk_id for hit in found], {hit.chunk_id: hit.similarity for hit in found}

    def _keyword(self, question: str, mode: str, doc_ids: Sequence[str] | None) -> list[str]:
        if mode == "vector":
            return []
        found = self.workspace.keyword_search(question, self.candidates, doc_ids)
        return [chunk_id for chunk_id, _ in found]

    def _hits(self, fused: list[tuple[str, float]], vector_ranking: list[str],
              keyword_ranking: list[str], similarities: dict[str, float]) -> list[Hit]:
        stored = self.workspace.chunks(chunk_id for chunk_id, _ in fused)
        paths: dict[str, str] = {}
        records = {record.doc_id: record for record in self.workspace.documents()} \
            if fused else {}
        titles = {doc_id: record.title for doc_id, record in records.items()}
        low_quality = {doc_id: record.low_quality_pages for doc_id, record in records.items()}
        hits = []
        for chunk_id, score in fused:
            if chunk_id not in stored:
                continue
            chunk = stored[chunk_id]
            if chunk.doc_id not in paths:
                known = self.workspace.paths_of(chunk.doc_id)
                paths[chunk.doc_id] = known[0] if known else ""
            hits.append(_hit(chunk, paths[chunk.doc_id], titles.get(chunk.doc_id, ""), score,
                             similarities.get(chunk_id), _rank(vector_ranking, chunk_id),
                             _rank(keyword_ranking, chunk_id),
                             chunk.page in low_quality.get(chunk.doc_id, ())))
        return hits

    def _fill_similarity(self, hits: list[Hit], vector: np.ndarray) -> list[Hit]:
        missing = [hit.chunk_id for hit in hits if hit.similarity is None]
        similar = self.workspace.similarities(vector, missing)
        return [replace(hit, similarity=similar[hit.chunk_id])
                if hit.chunk_id in similar else hit for hit in hits]


def _next_id(current: str, step: int) -> str:
    prefix, _, ordinal = current.rpartition("-")
    return f"{prefix}-{int(ordinal) + step:05d}" if ordinal.isdigit() else current


def _split_name(stem: str) -> str:
    """ "CCAINDUSTRIESINC_04_14_2014-EX-10.1-OUTSOURCING AGREEMENT" or "servicesAgreement" as
    separate words."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    return re.sub(r"[_\-.]+", " ", spaced)


def _rank(ranking: list[str], chunk_id: str) -> int | None:
    try:
        return ranking.index(chunk_id) + 1
    except ValueError:
        return None


def _hit(chunk: StoredChunk, path: str, title: str, score: float, similarity: float | None,
         vector_rank: int | None, keyword_rank: int | None, low_quality_scan: bool = False) -> Hit:
    return Hit(chunk.chunk_id, chunk.doc_id, path, title, chunk.page, chunk.start, chunk.end,
               chunk.text, score, similarity, vector_rank, keyword_rank, low_quality_scan)
