"""ChromaIndex: the vector store, one Chroma collection per workspace, cosine space.

We embed ourselves (``embedding_function=None``) and Chroma's telemetry is off. Chunk text is
not stored in Chroma: the workspace's SQLite store holds it, with the keyword index.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexStoreError

ADD_BATCH = 2000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    similarity: float
    metadata: dict[str, Any]


def collection_name(workspace: str) -> str:
    """Chroma names allow 3-63 characters of [a-zA-Z0-9._-]; any workspace name maps to one."""
    slug = re.sub(r"[^a-z0-9]+", "-", workspace.lower()).strip("-")[:40] or "ws"
    digest = hashlib.sha1(workspace.encode("utf-8")).hexdigest()[:8]
    return f"ws-{slug}-{digest}"


class ChromaIndex:
    def __init__(self, folder: Path) -> None:
        import chromadb
        from chromadb.config import Settings

        folder.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(
                path=str(folder), settings=Settings(anonymized_telemetry=False))
        except Exception as error:
            raise IndexStoreError(f"The vector index in {folder} cannot be opened ({error}).") \
                from None
        self._collections: dict[str, Any] = {}

    def collection(self, workspace: str) -> Any:
        if workspace not in self._collections:
            self._collections[workspace] = self._client.get_or_create_collection(
                collection_name(workspace), embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"workspace": workspace})
        return self._collections[workspace]

    def add(self, workspace: str, ids: Sequence[str], vectors: np.ndarray,
            metadatas: Sequence[dict[str, Any]]) -> None:
        collection = self.collection(workspace)
        for first in range(0, len(ids), ADD_BATCH):
            end = first + ADD_BATCH
            collection.upsert(ids=list(ids[first:end]), embeddings=vectors[first:end],
                              metadatas=list(metadatas[first:end]))

    def delete_document(self, workspace: str, doc_id: str) -> None:
        self.collection(workspace).delete(where={"doc_id": doc_id})

    def query(self, workspace: str, vector: np.ndarray, limit: int,
              doc_ids: Sequence[str] | None = None) -> list[VectorHit]:
        collection = self.collection(workspace)
        if collection.count() == 0:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        result = collection.query(query_embeddings=vector[None, :], n_results=limit, where=where,
                                  include=["distances", "metadatas"])
        return [VectorHit(chunk_id, 1.0 - float(distance), dict(metadata or {}))
                for chunk_id, distance, metadata in zip(
                    result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True)]

    def vectors(self, workspace: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        result = self.collection(workspace).get(ids=list(ids), include=["embeddings"])
        return {chunk_id: np.asarray(vector, dtype=np.float32)
                for chunk_id, vector in zip(result["ids"], result["embeddings"], strict=True)}

    def ids(self, workspace: str) -> set[str]:
        collection = self.collection(workspace)
        found: set[str] = set()
        total, offset = collection.count(), 0
        while offset < total:
            found.update(collection.get(include=[], limit=5000, offset=offset)["ids"])
            offset += 5000
        return found

    def count(self, workspace: str) -> int:
        return int(self.collection(workspace).count())

    def drop(self, workspace: str) -> None:
        self._collections.pop(workspace, None)
        try:
            self._client.delete_collection(collection_name(workspace))
        except Exception as error:  # usually already gone; anything else must be visible
            log.warning("could not delete the vector collection of %r: %s", workspace, error)
