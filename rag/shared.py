"""Matters shared by a team on the firm's Chroma server (one Chroma database per matter).

Everything a desktop keeps of a workspace in its SQLite file lives beside the vectors on the
server instead, so every desktop sees the same matter at once:

* passages: the vector collection, each record holding the passage's text (metadata ``text``)
  and, as its Chroma document, the same text lower-cased word by word, for keyword search;
* the manifest: a second collection of small records (documents, paths, page texts, OCR word
  boxes), each with a one-number placeholder vector (Chroma wants one; never searched).

Keyword search asks the server for the passages containing any of the question's words
(Chroma's ``$contains`` on documents, a word prefix: "terminat" finds "termination") and ranks
them by BM25 here. Why this and not PostgreSQL full-text search: README, "Shared matters".

Writes are upserts keyed by content hash, and a document counts only once its record says
"done", written last: two desktops ingesting one file write the same records, a desktop that
dies (or loses the server) mid-document leaves passages no search returns, and ingesting again
completes them. Nothing is deleted on opening a matter: another desktop may be mid-ingest.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import InputError
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.chroma_server import ChromaServer, TransportFactory, connect, user_identity
from rag.chunking import Chunk
from rag.documents import LoadedDocument
from rag.embedder import Embedder
from rag.index import ChromaIndex, collection_name
from rag.library import Library, Workspace
from rag.ocr.scan import LOW_CONFIDENCE, PageScan
from rag.store import DocumentRecord, StoredChunk, chunk_id, keyword_terms

MANIFEST = "-manifest"
PLACEHOLDER = [1.0]  # manifest records' vector: Chroma requires one per record
KEYWORD_CANDIDATES = 5000  # passages fetched per keyword search at most
BM25_K1, BM25_B = 1.2, 0.75
_WORD = re.compile(r"\w+", re.UNICODE)
_DATABASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")


def keyword_text(text: str) -> str:
    """' word word ... ': what ``$contains ' term'`` searches (words, lower case)."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def bm25(documents: dict[str, str], terms: Sequence[str], total: int) -> list[tuple[str, float]]:
    """Okapi BM25 of ``documents`` (id -> keyword text, every passage holding any term) among
    ``total`` passages; a term matches a word it begins."""
    if not documents:
        return []
    lengths = {key: text.count(" ") - 1 for key, text in documents.items()}
    average = sum(lengths.values()) / len(lengths)
    counts = {term: {key: text.count(" " + term) for key, text in documents.items()}
              for term in terms}
    scores: dict[str, float] = defaultdict(float)
    for per_doc in counts.values():
        having = sum(1 for count in per_doc.values() if count)
        idf = math.log(1 + (total - having + 0.5) / (having + 0.5))
        for key, count in per_doc.items():
            if count:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[key] / average)
                scores[key] += idf * count * (BM25_K1 + 1) / (count + norm)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def check_matter_name(name: str) -> str:
    if not _DATABASE.match(name):
        raise InputError(f"A shared matter is named like its database on the server: {name!r} "
                         "is not usable; use 3-63 letters, digits, '.', '_' or '-', starting and "
                         "ending with a letter or digit.")
    return name


def _page_id(doc_id: str, page: int) -> str:
    return f"page:{doc_id}:{page}"


class ChromaManifest:
    """What :class:`rag.store.LibraryStore` keeps in SQLite, on the Chroma server. ``path``
    is on this desktop, only for the workspace's write lock beside it: it orders this
    desktop's writers; other desktops' are made harmless by idempotent writes."""

    def __init__(self, workspace: str, index: ChromaIndex, path: Path) -> None:
        self._workspace, self._index, self.path = workspace, index, path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._records = index.client.get_or_create_collection(
            collection_name(workspace) + MANIFEST, embedding_function=None)

    @property
    def _passages(self) -> Any:
        return self._index.collection(self._workspace)

    def _upsert(self, ids: list[str], metadatas: list[dict[str, Any]],
                documents: list[str] | None = None) -> None:
        for first in range(0, len(ids), 500):
            part = slice(first, first + 500)
            self._records.upsert(ids=ids[part], embeddings=[PLACEHOLDER] * len(ids[part]),
                                 metadatas=metadatas[part],
                                 **({"documents": documents[part]} if documents else {}))

    def _find(self, where: dict[str, Any], include: list[str] | None = None) -> dict[str, Any]:
        return dict(self._records.get(where=where, include=include or ["metadatas"]))

    # ----- manifest
    def state_of(self, doc_id: str) -> str | None:
        found = self._records.get(ids=[f"doc:{doc_id}"], include=["metadatas"])["metadatas"]
        return str(found[0]["state"]) if found else None

    def done(self, doc_ids: Iterable[str]) -> set[str]:
        ids = [f"doc:{doc_id}" for doc_id in set(doc_ids)]
        if not ids:
            return set()
        found = self._records.get(ids=ids, include=["metadatas"])["metadatas"]
        return {str(meta["doc_id"]) for meta in found if meta.get("state") == "done"}

    def doc_for_path(self, path: str) -> str | None:
        found = self._records.get(ids=[_path_id(path)], include=["metadatas"])["metadatas"]
        return str(found[0]["doc_id"]) if found else None

    def paths_of(self, doc_id: str) -> list[str]:
        found = self._find({"$and": [{"type": "path"}, {"doc_id": doc_id}]})["metadatas"]
        return sorted(str(meta["path"]) for meta in found)

    def mark(self, doc_id: str, state: str, *, size: int = 0) -> None:
        """Nothing to do: a document is present once :meth:`finish` has written it."""

    def unfinished(self) -> list[str]:
        """Nothing is swept on opening a shared matter: another desktop may be mid-ingest."""
        return []

    def link_path(self, path: str, doc_id: str) -> str | None:
        previous = self.doc_for_path(path)
        self._upsert([_path_id(path)], [{"type": "path", "path": path, "doc_id": doc_id}])
        return previous if previous != doc_id else None

    def unlink_path(self, path: str) -> None:
        self._records.delete(ids=[_path_id(path)])

    def meta(self, key: str) -> str | None:
        found = self._records.get(ids=[f"meta:{key}"], include=["documents"])["documents"]
        return str(found[0]) if found else None

    def set_meta(self, key: str, value: str) -> None:
        self._upsert([f"meta:{key}"], [{"type": "meta"}], [value])

    def finish(self, doc_id: str, document: LoadedDocument, chunks: Sequence[Chunk],
               path: str, before_commit: Callable[[], None] | None = None, *,
               size: int = 0) -> str | None:
        """Pages and OCR boxes first, ``before_commit`` (the audit record), the document's
        record ("done") last."""
        pages = document.pages
        self._upsert([_page_id(doc_id, page.number) for page in pages],
                     [{"type": "page", "doc_id": doc_id, "page": page.number} for page in pages],
                     [page.text for page in pages])
        scans = [page for page in pages if page.scan is not None]
        if scans:
            self._upsert([f"scan:{doc_id}:{page.number}" for page in scans],
                         [{"type": "scan", "doc_id": doc_id, "page": page.number,
                           "confidence": float(page.scan.confidence)} for page in scans
                          if page.scan is not None],
                         [page.scan.to_json() for page in scans if page.scan is not None])
        if before_commit is not None:
            before_commit()
        self._upsert([f"doc:{doc_id}"], [{
            "type": "doc", "doc_id": doc_id, "state": "done", "kind": document.kind,
            "title": document.title, "pages": len(pages), "chunks": len(chunks),
            "bytes": size, "notes": "; ".join(document.notes), "updated_at": time.time()}])
        return self.link_path(path, doc_id)

    def forget(self, doc_id: str) -> None:
        self._records.delete(ids=[f"doc:{doc_id}"])  # first: the rest is then invisible
        self._records.delete(where={"doc_id": doc_id})

    # ----- reading
    def documents(self) -> list[DocumentRecord]:
        metas = self._find({"type": {"$in": ["doc", "path", "scan"]}})["metadatas"]
        paths, scans = defaultdict(list), defaultdict(list)
        for meta in metas:
            if meta["type"] == "path":
                paths[meta["doc_id"]].append(str(meta["path"]))
            elif meta["type"] == "scan":
                scans[meta["doc_id"]].append((int(meta["page"]), float(meta["confidence"])))
        docs = [meta for meta in metas if meta["type"] == "doc"]
        return sorted((_record(meta, paths, scans) for meta in docs),
                      key=lambda record: record.title)

    def page_scan(self, doc_id: str, page: int) -> PageScan | None:
        found = self._records.get(ids=[f"scan:{doc_id}:{page}"], include=["documents"])
        return PageScan.from_json(found["documents"][0]) if found["documents"] else None

    def page_text(self, doc_id: str, page: int) -> str | None:
        found = self._records.get(ids=[_page_id(doc_id, page)], include=["documents"])
        return str(found["documents"][0]) if found["documents"] else None

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, StoredChunk]:
        """Passages of finished documents only."""
        wanted = list(dict.fromkeys(chunk_ids))
        if not wanted:
            return {}
        found = self._passages.get(ids=wanted, include=["metadatas"])
        done = self.done(str(meta["doc_id"]) for meta in found["metadatas"])
        return {key: StoredChunk(key, str(meta["doc_id"]), int(meta["page"]), int(meta["start"]),
                                 int(meta["end"]), str(meta.get("text", "")))
                for key, meta in zip(found["ids"], found["metadatas"], strict=True)
                if meta["doc_id"] in done}

    def chunk_ids(self) -> set[str]:
        return self._index.ids(self._workspace)

    def chunk_count(self) -> int:
        return self._index.count(self._workspace)

    def keyword_search(self, question: str, limit: int,
                       doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        terms = keyword_terms(question)
        if not terms:
            return []
        contains = [{"$contains": " " + term} for term in terms]
        found = self._passages.get(
            where_document=contains[0] if len(contains) == 1 else {"$or": contains},
            where={"doc_id": {"$in": list(doc_ids)}} if doc_ids else None,
            include=["documents"], limit=KEYWORD_CANDIDATES)
        texts = dict(zip(found["ids"], found["documents"], strict=True))
        return bm25(texts, terms, max(self.chunk_count(), len(texts)))[:limit]

    def close(self) -> None:
        """Nothing held open: the client's connections close with the process."""


def _path_id(path: str) -> str:
    return "path:" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:40]


def _record(meta: dict[str, Any], paths: dict[str, list[str]],
            scans: dict[str, list[tuple[int, float]]]) -> DocumentRecord:
    doc_id, pages = str(meta["doc_id"]), sorted(scans.get(str(meta["doc_id"]), []))
    return DocumentRecord(doc_id, str(meta["state"]), str(meta["kind"]), str(meta["title"]),
                          int(meta["pages"]), int(meta["chunks"]), int(meta["bytes"]),
                          str(meta["notes"]), tuple(sorted(paths.get(doc_id, []))),
                          tuple(page for page, _ in pages),
                          tuple(page for page, score in pages if score < LOW_CONFIDENCE))


class SharedWorkspace(Workspace):
    """A workspace whose stores are on the Chroma server (see the module's description)."""

    store: ChromaManifest  # type: ignore[assignment]

    def add(self, doc_id: str, document: LoadedDocument, chunks: Sequence[Chunk],
            vectors: np.ndarray, *, path: str, size: int, embedder: str,
            before_commit: Callable[[str | None], None] | None = None) -> str | None:
        with self.writing():
            self.claim_embedder(embedder)
            previous = self.store.doc_for_path(path)
            hook = None if before_commit is None else \
                (lambda: before_commit(previous if previous != doc_id else None))
            ids = [chunk_id(doc_id, chunk.ordinal) for chunk in chunks]
            metadatas = [{**self._metadata(doc_id, chunk), "text": chunk.text,
                          "ordinal": chunk.ordinal} for chunk in chunks]
            self.index.add(self.name, ids, vectors, metadatas,
                           [keyword_text(chunk.text) for chunk in chunks])
            # Passages a differently chunked earlier copy had beyond these (never two copies).
            self.index.collection(self.name).delete(
                where={"$and": [{"doc_id": doc_id}, {"ordinal": {"$gte": len(chunks)}}]})
            replaced = self.store.finish(doc_id, document, chunks, path, hook, size=size)
            if replaced and not self.store.paths_of(replaced):
                self.purge(replaced)
            return replaced

    def _delete_everywhere(self, doc_id: str) -> None:
        self.store.forget(doc_id)  # the record first: a half-deleted document is invisible
        self.index.delete_document(self.name, doc_id)

    def similarities(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, float]:
        """By the server's distances: chromadb 1.5.9's server cannot return stored vectors
        (its FastAPI app fails with "'list' object has no attribute 'tolist'")."""
        if not chunk_ids:
            return {}
        found = self.index.collection(self.name).query(
            query_embeddings=vector[None, :], ids=list(chunk_ids), n_results=len(chunk_ids),
            include=["distances"])
        return {chunk: 1.0 - float(distance)
                for chunk, distance in zip(found["ids"][0], found["distances"][0], strict=True)}

    def reembed(self, embedder: Embedder, *, progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> int:
        raise InputError(f"The shared matter {self.name!r} is re-embedded by its administrator "
                         "on the server, not from a desktop.")

    def consistency_problems(self) -> list[str]:
        """Empty when every passage belongs to a finished document and every finished
        document has all its passages, each once."""
        records = {record.doc_id: record for record in self.documents()}
        found = self.index.collection(self.name).get(include=["metadatas"])
        per_doc: dict[str, int] = defaultdict(int)
        for meta in found["metadatas"]:
            per_doc[str(meta["doc_id"])] += 1
        problems = [f"{count} passages of unfinished document {doc_id}"
                    for doc_id, count in per_doc.items() if doc_id not in records]
        problems += [f"document {doc_id} lists {record.chunks} passages, the server holds "
                     f"{per_doc.get(doc_id, 0)}" for doc_id, record in records.items()
                     if record.chunks != per_doc.get(doc_id, 0)]
        return problems


class SharedLibrary(Library):
    """The matters this user belongs to on the firm's Chroma server; each workspace is a
    Chroma database the administrator created and made the user a member of."""

    def __init__(self, server: ChromaServer, *, locks: Path | None = None,
                 transport: TransportFactory | None = None,
                 members_of: Sequence[str] | None = None) -> None:
        """``locks``: a folder of this desktop for the matters' write locks (nothing else is
        kept on the desktop)."""
        locks = locks or Path(tempfile.gettempdir()) / f"enclave-shared-{os.getuid()}"
        super().__init__(root=locks)
        self.server, self._transport = server, transport
        self._members_of = list(members_of) if members_of is not None else None

    def _open_workspace(self, name: str) -> Workspace:
        client = connect(self.server, check_matter_name(name), transport=self._transport)
        index = ChromaIndex(client=client)
        manifest = ChromaManifest(name, index, self.root / collection_name(name) / "manifest")
        workspace = SharedWorkspace(name, manifest, index)  # type: ignore[arg-type]
        self._open[name] = workspace
        return workspace

    def has_workspace(self, name: str) -> bool:
        return name in self.workspaces()

    def workspaces(self) -> list[str]:
        """The matters this user may open: the databases the server lists for their token."""
        if self._members_of is None:
            databases = user_identity(self.server, transport=self._transport)["databases"]
            self._members_of = sorted(str(db) for db in databases or [] if db != "*")
        return list(self._members_of)

    def delete_workspace(self, name: str) -> None:
        raise InputError(f"The shared matter {name!r} is deleted by its administrator on the "
                         "server, not from a desktop.")

    def close(self) -> None:
        self._open.clear()

