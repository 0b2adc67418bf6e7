"""Hybrid retrieval: vector search and BM25 keyword search, fused by reciprocal rank.

Each hit carries the document, the page and the exact passage (offsets into the page text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag.embedder import Embedder
from rag.library import Workspace
from rag.store import StoredChunk

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

    @property
    def source_name(self) -> str:
        return Path(self.path).name if self.path else self.title


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]],
                           k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class HybridRetriever:
    def __init__(self, workspace: Workspace, embedder: Embedder, *, candidates: int = 50) -> None:
        self.workspace, self.embedder, self.candidates = workspace, embedder, candidates

    def search(self, question: str, *, top_k: int = 6, mode: str = "hybrid",
               doc_ids: Sequence[str] | None = None, with_similarity: bool = True) -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        vector = self.embedder.embed([question])[0] if mode != "keyword" or with_similarity \
            else None
        vector_ranking, similarities = self._vector(vector, mode, doc_ids)
        keyword_ranking = self._keyword(question, mode, doc_ids)
        fused = reciprocal_rank_fusion([vector_ranking, keyword_ranking])[:top_k]
        hits = self._hits(fused, vector_ranking, keyword_ranking, similarities)
        if with_similarity and vector is not None:
            hits = self._fill_similarity(hits, vector)
        return hits

    def _vector(self, vector: np.ndarray | None, mode: str,
                doc_ids: Sequence[str] | None) -> tuple[list[str], dict[str, float]]:
        if mode == "keyword" or vector is None:
            return [], {}
        found = self.workspace.index.query(self.workspace.name, vector, self.candidates, doc_ids)
        return [hit.chunk_id for hit in found], {hit.chunk_id: hit.similarity for hit in found}

    def _keyword(self, question: str, mode: str, doc_ids: Sequence[str] | None) -> list[str]:
        if mode == "vector":
            return []
        found = self.workspace.store.keyword_search(question, self.candidates, doc_ids)
        return [chunk_id for chunk_id, _ in found]

    def _hits(self, fused: list[tuple[str, float]], vector_ranking: list[str],
              keyword_ranking: list[str], similarities: dict[str, float]) -> list[Hit]:
        stored = self.workspace.store.chunks(chunk_id for chunk_id, _ in fused)
        paths: dict[str, str] = {}
        titles = {record.doc_id: record.title for record in self.workspace.documents()} \
            if fused else {}
        hits = []
        for chunk_id, score in fused:
            if chunk_id not in stored:
                continue
            chunk = stored[chunk_id]
            if chunk.doc_id not in paths:
                known = self.workspace.store.paths_of(chunk.doc_id)
                paths[chunk.doc_id] = known[0] if known else ""
            hits.append(_hit(chunk, paths[chunk.doc_id], titles.get(chunk.doc_id, ""), score,
                             similarities.get(chunk_id), _rank(vector_ranking, chunk_id),
                             _rank(keyword_ranking, chunk_id)))
        return hits

    def _fill_similarity(self, hits: list[Hit], vector: np.ndarray) -> list[Hit]:
        missing = [hit.chunk_id for hit in hits if hit.similarity is None]
        vectors = self.workspace.index.vectors(self.workspace.name, missing)
        return [replace(hit, similarity=float(vectors[hit.chunk_id] @ vector))
                if hit.chunk_id in vectors else hit for hit in hits]


def _rank(ranking: list[str], chunk_id: str) -> int | None:
    try:
        return ranking.index(chunk_id) + 1
    except ValueError:
        return None


def _hit(chunk: StoredChunk, path: str, title: str, score: float, similarity: float | None,
         vector_rank: int | None, keyword_rank: int | None) -> Hit:
    return Hit(chunk.chunk_id, chunk.doc_id, path, title, chunk.page, chunk.start, chunk.end,
               chunk.text, score, similarity, vector_rank, keyword_rank)
