"""ChromaIndex: the vector store, one Chroma collection per workspace, cosine space.

We embed ourselves (``embedding_function=None``) and Chroma's telemetry is off. Chunk text is
not stored in Chroma: the workspace's SQLite store holds it, with the keyword index.

Each collection records, in its metadata, which embedder made its vectors (a collection made
before that record existed holds the legacy fp32 embedder's): vectors of two embedders are never
mixed in one collection. Re-embedding builds a staging collection beside the current one and
swaps it in by two renames; opening a workspace finishes or undoes a swap a crash interrupted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.disk import MB, DiskFull, is_disk_full
from rag.embedder import LEGACY_EMBEDDER
from rag.errors import EmbedderMismatch, IndexStoreError
from rag.hnsw_files import erase_unused, vector_segments

ADD_BATCH = 2000
EMBEDDER_KEY = "embedder"
STAGING = "-next"  # suffix of the collection a re-embedding is building
RETIRED = "-old"  # suffix of the collection a finished re-embedding replaced
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
    """On a folder of this desktop (``PersistentClient``), or on any Chroma client given as
    ``client`` (``rag.shared`` gives one talking to the firm's Chroma server)."""

    def __init__(self, folder: Path | None = None, *, client: Any = None) -> None:
        self._client = client if client is not None else _persistent_client(folder)
        self._folder = folder if client is None else None  # the files this desktop holds
        self._collections: dict[str, Any] = {}
        self._erased: set[str] = set()  # collections whose new segment was erased here

    @property
    def client(self) -> Any:
        return self._client

    def collection(self, workspace: str) -> Any:
        if workspace not in self._collections:
            self._finish_swap(workspace)
            self._collections[workspace] = self._create(collection_name(workspace), workspace)
        return self._collections[workspace]

    def _create(self, name: str, workspace: str, **recorded: str) -> Any:
        return self._client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"workspace": workspace, **recorded})

    # ----- which embedder made the vectors
    def embedder_of(self, workspace: str) -> str | None:
        """The name of the embedder that made the workspace's vectors; None when it holds none
        (any embedder may then fill it)."""
        collection = self.collection(workspace)
        if not collection.count():
            return None
        # Read afresh: another process may have claimed it since this one cached the collection
        # (two ingests at once: the second read the first's vectors as a legacy workspace's).
        fresh = self._client.get_collection(collection.name, embedding_function=None)
        return str((fresh.metadata or {}).get(EMBEDDER_KEY) or LEGACY_EMBEDDER)

    def claim(self, workspace: str, embedder: str) -> None:
        """Record ``embedder`` as the maker of the workspace's vectors, before any is added;
        refused when the workspace holds vectors of another embedder."""
        made_by = self.embedder_of(workspace)
        if made_by not in (None, embedder):
            raise EmbedderMismatch(
                f"The vectors of workspace {workspace!r} were made by {made_by}; vectors made "
                f"by {embedder} cannot be added to them. Use {made_by} for this workspace, or "
                "re-embed it first.")
        collection = self.collection(workspace)
        metadata = dict(collection.metadata or {})
        if metadata.get(EMBEDDER_KEY) != embedder:
            collection.modify(metadata={**metadata, EMBEDDER_KEY: embedder})

    def add(self, workspace: str, ids: Sequence[str], vectors: np.ndarray,
            metadatas: Sequence[dict[str, Any]], documents: Sequence[str] | None = None) -> None:
        """Upsert (so writing the same ids twice stores them once); ``documents``, when given,
        are stored beside the vectors (a shared matter keeps its keyword text there)."""
        self._upsert(self.collection(workspace), ids, vectors, metadatas, documents)

    def _upsert(self, collection: Any, ids: Sequence[str], vectors: np.ndarray,
                metadatas: Sequence[dict[str, Any]],
                documents: Sequence[str] | None = None) -> None:
        for first in range(0, len(ids), ADD_BATCH):
            end = first + ADD_BATCH
            texts = {"documents": list(documents[first:end])} if documents is not None else {}
            collection.upsert(ids=list(ids[first:end]), embeddings=vectors[first:end],
                              metadatas=list(metadatas[first:end]), **texts)
        if str(collection.id) not in self._erased:  # a new segment's files are written once
            self._erase_unused(collection)          # with what memory held (rag.hnsw_files)
            self._erased.add(str(collection.id))

    def delete_document(self, workspace: str, doc_id: str) -> None:
        """Delete, and erase what the segment's files hold outside its elements: words that
        were in this process's memory when the segment was made (see :mod:`rag.hnsw_files`)."""
        collection = self.collection(workspace)
        collection.delete(where={"doc_id": doc_id})
        self._erase_unused(collection)

    def _erase_unused(self, collection: Any) -> None:
        if self._folder is not None:
            for segment in vector_segments(self._folder, str(collection.id)):
                erase_unused(segment)

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

    def metadatas(self, workspace: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        result = self.collection(workspace).get(ids=list(ids), include=["metadatas"])
        return {chunk_id: dict(metadata or {})
                for chunk_id, metadata in zip(result["ids"], result["metadatas"], strict=True)}

    def ids(self, workspace: str) -> set[str]:
        return _all_ids(self.collection(workspace))

    def count(self, workspace: str) -> int:
        return int(self.collection(workspace).count())

    def drop(self, workspace: str) -> None:
        self._collections.pop(workspace, None)
        for suffix in ("", STAGING, RETIRED):
            self._delete(collection_name(workspace) + suffix, quiet=bool(suffix))

    def _delete(self, name: str, *, quiet: bool = False) -> None:
        try:
            self._client.delete_collection(name)
        except Exception as error:  # usually already gone; anything else must be visible
            if not quiet:
                log.warning("could not delete the vector collection %s: %s", name, error)

    # ----- re-embedding: a staging collection, swapped in whole or not at all
    def start_staging(self, workspace: str, embedder: str) -> None:
        """An empty staging collection for ``workspace``'s vectors made by ``embedder``."""
        self.collection(workspace)  # finishes an interrupted swap first
        self._delete(collection_name(workspace) + STAGING, quiet=True)
        self._create(collection_name(workspace) + STAGING, workspace, **{EMBEDDER_KEY: embedder})

    def add_staged(self, workspace: str, ids: Sequence[str], vectors: np.ndarray,
                   metadatas: Sequence[dict[str, Any]]) -> None:
        staging = self._client.get_collection(collection_name(workspace) + STAGING)
        self._upsert(staging, ids, vectors, metadatas)

    def staged_ids(self, workspace: str) -> set[str]:
        return _all_ids(self._client.get_collection(collection_name(workspace) + STAGING))

    def drop_staged(self, workspace: str) -> None:
        self._delete(collection_name(workspace) + STAGING, quiet=True)

    def swap_in_staged(self, workspace: str) -> None:
        """The staging collection becomes the workspace's; the one it replaces is deleted."""
        name = collection_name(workspace)
        self._collections.pop(workspace, None)
        self._client.get_collection(name).modify(name=name + RETIRED)
        self._client.get_collection(name + STAGING).modify(name=name)
        self._delete(name + RETIRED)

    def _finish_swap(self, workspace: str) -> None:
        """A swap starts only once the staging collection is complete, so after a crash
        between its renames (the workspace's own name missing) it is completed; then the
        retired collection is deleted. A staging collection left over otherwise is an
        interrupted re-embedding: deleted, the workspace keeps its vectors."""
        name = collection_name(workspace)
        present = {collection.name for collection in self._client.list_collections()}
        if name + RETIRED in present and name not in present:
            log.warning("workspace %r: completing an interrupted re-embedding", workspace)
            renamed = name + (STAGING if name + STAGING in present else RETIRED)
            self._client.get_collection(renamed).modify(name=name)
            present = {collection.name for collection in self._client.list_collections()}
        for leftover in (name + RETIRED, name + STAGING):
            if leftover in present:
                self._delete(leftover)


OPEN_ATTEMPTS = 12  # about 20 s in all


def _persistent_client(folder: Path | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    if folder is None:
        raise ValueError("ChromaIndex needs a folder or a client")
    folder.mkdir(parents=True, exist_ok=True)
    # Another process opening the same index at that moment (two ingests at once) holds
    # SQLite's lock for a moment: "database is locked" is waited out, anything else is not.
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return chromadb.PersistentClient(path=str(folder),
                                             settings=Settings(anonymized_telemetry=False))
        except Exception as error:
            if "database is locked" in str(error) and attempt + 1 < OPEN_ATTEMPTS:
                time.sleep(0.25 * (attempt + 1))
                continue
            if is_disk_full(error):  # SQLite's "database or disk is full": the space needed
                raise DiskFull(folder, MB, "The vector index cannot be opened") from None
            raise IndexStoreError(f"The vector index in {folder} cannot be opened "
                                  f"({error}).") from None
    raise AssertionError("unreachable")


def _all_ids(collection: Any) -> set[str]:
    found: set[str] = set()
    total, offset = collection.count(), 0
    while offset < total:
        found.update(collection.get(include=[], limit=5000, offset=offset)["ids"])
        offset += 5000
    return found
