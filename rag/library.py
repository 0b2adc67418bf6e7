"""Workspaces ("matters"): each is one Chroma collection plus one SQLite manifest/keyword store.

Opening a workspace first finishes what a crash interrupted: every document not marked done
(or done but no longer reachable by any path) is deleted from both stores, so a killed ingest
leaves no duplicates, no orphan chunks and nothing half-indexed that claims to be complete.

A workspace's vectors all come from one embedder, whose name the vector index records
(:meth:`Workspace.embedder_name`); :meth:`Workspace.reembed` moves them to another, whole.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from core.disk import replace_whole
from core.errors import InputError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from rag.chunking import Chunk
from rag.documents import LoadedDocument
from rag.embedder import Embedder
from rag.errors import EmbedderMismatch, IndexStoreError
from rag.index import ChromaIndex, VectorHit, collection_name
from rag.names import NameSeal
from rag.ocr.scan import PageScan
from rag.store import DocumentRecord, LibraryStore, StoredChunk, chunk_id
from rag.write_lock import WriteLock

log = logging.getLogger(__name__)

_VALID_NAME = re.compile(r"^[\w][\w .@&()+-]{0,63}$", re.UNICODE)
DEFAULT_WORKSPACE = "default"
REEMBED_BATCH = 256


def check_workspace_name(name: str) -> str:
    name = name.strip()
    if not _VALID_NAME.match(name):
        raise InputError(f"Workspace name {name!r} is not usable: use 1-64 letters, digits, "
                         "spaces or . _ - @ & ( ) +, starting with a letter or digit.")
    return name


RecoveredFn = Callable[[str, list[str]], None]  # (workspace, doc ids removed at open)


class Workspace:
    def __init__(self, name: str, store: LibraryStore, index: ChromaIndex, *,
                 on_recovered: RecoveredFn | None = None) -> None:
        """``on_recovered(name, doc_ids)``: told of the half-done documents removed at open
        (the app records them in its audit trail)."""
        self.name, self.store, self.index = name, store, index
        self._write_lock = WriteLock(store.path.with_name("write.lock"))
        recovered = self.recover()
        if recovered:
            log.warning("workspace %s: removed %d half-indexed document(s) left by an "
                        "interrupted ingest", name, len(recovered))
            if on_recovered is not None:
                on_recovered(name, recovered)

    @property
    def folder(self) -> Path:
        """Where the workspace's manifest lives (named in a full-disk message)."""
        return self.store.path.parent

    def writing(self) -> AbstractContextManager[None]:
        """Held while a document is checked and stored, or removed: one writer at a time, in
        this process and others (see :mod:`rag.write_lock`)."""
        return self._write_lock.held()

    def recover(self) -> list[str]:
        with self.writing():  # another process's document being stored is not half-done
            unfinished = self.store.unfinished()
            for doc_id in unfinished:
                self._delete_everywhere(doc_id)
        return unfinished

    # ----- the embedder behind the vectors
    @property
    def embedder_name(self) -> str | None:
        """The embedder that made this workspace's vectors; None while it holds none."""
        return self.index.embedder_of(self.name)

    def claim_embedder(self, embedder: str) -> None:
        """Make ``embedder`` the maker of this workspace's vectors (refused if others are)."""
        with self.writing():
            self.index.claim(self.name, embedder)

    def check_embedder(self, embedder: str) -> None:
        """Refuse to compare ``embedder``'s vectors with this workspace's if another made them."""
        made_by = self.embedder_name
        if made_by not in (None, embedder):
            raise EmbedderMismatch(f"The vectors of workspace {self.name!r} were made by "
                                   f"{made_by}, so they cannot be searched with {embedder}.")

    def reembed(self, embedder: Embedder, *, progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> int:
        """Embed every stored chunk again with ``embedder`` into a staging collection, then swap
        it in whole. Until then the old vectors serve every search; cancelled or failed, the
        workspace is as it was. Returns the number of chunks."""
        ids = sorted(self.store.chunk_ids())
        self.index.start_staging(self.name, embedder.name)
        try:
            for first in range(0, len(ids), REEMBED_BATCH):
                check_cancelled(cancel)
                self._reembed_batch(embedder, ids[first:first + REEMBED_BATCH], cancel)
                progress(min(first + REEMBED_BATCH, len(ids)) / max(len(ids), 1),
                         f"re-embedded {min(first + REEMBED_BATCH, len(ids))} of {len(ids)} "
                         "passages")
            if self.index.staged_ids(self.name) != self.store.chunk_ids():
                raise IndexStoreError(f"Workspace {self.name!r} changed while it was being "
                                      "re-embedded; it is unchanged. Try again.")
        except BaseException:
            self.index.drop_staged(self.name)
            raise
        self.index.swap_in_staged(self.name)
        return len(ids)

    def _reembed_batch(self, embedder: Embedder, ids: list[str], cancel: CancelFn) -> None:
        texts, metadatas = self.store.chunks(ids), self.index.metadatas(self.name, ids)
        if len(texts) != len(ids) or len(metadatas) != len(ids):
            raise IndexStoreError(f"Workspace {self.name!r} is inconsistent (a passage lacks its "
                                  "text or its vector); it is unchanged.")
        vectors = embedder.embed([texts[chunk].text for chunk in ids], cancel=cancel)
        self.index.add_staged(self.name, ids, vectors, [metadatas[chunk] for chunk in ids])

    # ----- documents
    def add(self, doc_id: str, document: LoadedDocument, chunks: Sequence[Chunk],
            vectors: np.ndarray, *, path: str, size: int, embedder: str,
            before_commit: Callable[[str | None], None] | None = None) -> str | None:
        """Store one document whose ``vectors`` ``embedder`` made; returns the id of a document
        this path held before, if any. ``before_commit(replaced)`` runs inside the manifest's
        transaction, just before the document is marked done: if it raises, nothing is stored
        (what already reached the vector index is removed now, or at the next open)."""
        with self.writing():
            self.claim_embedder(embedder)
            self.store.mark(doc_id, "indexing", size=size)
            previous = self.store.doc_for_path(path)
            hook = None if before_commit is None else \
                (lambda: before_commit(previous if previous != doc_id else None))
            try:
                self.index.delete_document(self.name, doc_id)
                ids = [chunk_id(doc_id, chunk.ordinal) for chunk in chunks]
                metadatas = [self._metadata(doc_id, chunk) for chunk in chunks]
                self.index.add(self.name, ids, vectors, metadatas)
                replaced = self.store.finish(doc_id, document, chunks, path, hook)
            except BaseException:
                self._undo_quietly(doc_id)
                raise
            if replaced and not self.store.paths_of(replaced):
                self.purge(replaced)
            return replaced

    def _undo_quietly(self, doc_id: str) -> None:
        try:
            self._delete_everywhere(doc_id)
        except Exception as error:  # a full disk: the next open finishes it (still 'indexing')
            log.warning("document %s not removed after a failed store (%s); it will be at the "
                        "next open", doc_id[:12], error)

    def _metadata(self, doc_id: str, chunk: Chunk) -> dict[str, Any]:
        """No path and no title: Chroma keeps what it is given in its write-ahead queue and
        free pages past a delete, so it gets nothing a purge would have to erase there
        (the workspace's store, which a purge overwrites, holds both)."""
        return {"doc_id": doc_id, "content_hash": doc_id, "page": chunk.page,
                "start": chunk.start, "end": chunk.end, "workspace": self.name}

    def link(self, path: str, doc_id: str) -> str | None:
        replaced = self.store.link_path(path, doc_id)
        if replaced and not self.store.paths_of(replaced):
            self.purge(replaced)
        return replaced

    def purge(self, doc_id: str, before_delete: Callable[[str], None] | None = None) -> None:
        """Remove a document from every store. ``before_delete(doc_id)`` (the audit record)
        runs once the document is marked as being purged and before anything is deleted: a
        kill after it leaves a 'purging' document the next open finishes (with its own
        record), so no purge is ever without a record; if it raises, nothing is deleted."""
        with self.writing():
            self.store.mark(doc_id, "purging")
            if before_delete is not None:
                try:
                    before_delete(doc_id)
                except BaseException:
                    self._unmark_quietly(doc_id)
                    raise
            self._delete_everywhere(doc_id)

    def _unmark_quietly(self, doc_id: str) -> None:
        try:
            self.store.mark(doc_id, "done")
        except Exception as error:  # a full disk: the next open finishes the purge
            log.warning("document %s left marked for purging (%s); the next open removes it",
                        doc_id[:12], error)

    def _delete_everywhere(self, doc_id: str) -> None:
        self.index.delete_document(self.name, doc_id)
        self.store.forget(doc_id)

    def documents(self) -> list[DocumentRecord]:
        return self.store.documents()

    # ----- how the stored text was made (the app records its privacy treatment here)
    @property
    def text_treatment(self) -> str | None:
        """What every stored text was made under, as recorded by :meth:`record_treatment`;
        None when nothing was recorded (an index older than the record)."""
        return self.store.meta("text_treatment")

    def is_empty(self) -> bool:
        return self.store.chunk_count() == 0

    def passage_count(self) -> int:
        return self.store.chunk_count()

    def record_treatment(self, treatment: str) -> None:
        self.store.set_meta("text_treatment", treatment)

    # ----- what ingest and retrieval ask of a workspace (they never reach into its stores)
    def document(self, doc_id: str) -> DocumentRecord | None:
        return next((record for record in self.documents() if record.doc_id == doc_id), None)

    def state_of(self, doc_id: str) -> str | None:
        return self.store.state_of(doc_id)

    def paths_of(self, doc_id: str) -> list[str]:
        return self.store.paths_of(doc_id)

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self.store.page_text(doc_id, page)

    def page_scan(self, doc_id: str, page: int) -> PageScan | None:
        return self.store.page_scan(doc_id, page)

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, StoredChunk]:
        return self.store.chunks(chunk_ids)

    def keyword_search(self, question: str, limit: int,
                       doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return self.store.keyword_search(question, limit, doc_ids)

    def vector_search(self, vector: np.ndarray, limit: int,
                      doc_ids: Sequence[str] | None = None) -> list[VectorHit]:
        return self.index.query(self.name, vector, limit, doc_ids)

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self.index.vectors(self.name, chunk_ids)

    def similarities(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, float]:
        """Cosine of ``vector`` with each stored passage (a unit vector, as ours are)."""
        return {chunk: float(stored @ vector) for chunk, stored in self.vectors(chunk_ids).items()}

    def remove(self, reference: str,
               before_delete: Callable[[str], None] | None = None) -> list[str]:
        """Forget a path (file or folder) or a document id (6+ leading characters); documents
        left with no path are purged from every store (``before_delete`` as in :meth:`purge`).
        Returns the purged document ids."""
        given = Path(reference).expanduser()
        # Ingest records resolved paths (links followed), so the reference must be resolved too.
        absolute = str(given.resolve() if given.exists() else given.absolute()).rstrip("/")
        purged = []
        for record in self.documents():
            if len(reference) >= 6 and record.doc_id.startswith(reference.lower()):
                self.purge(record.doc_id, before_delete)
                purged.append(record.doc_id)
                continue
            matching = [path for path in record.paths
                        if path == absolute or path.startswith(absolute + "/")]
            if matching and len(matching) == len(record.paths):  # no path left: purged whole
                self.purge(record.doc_id, before_delete)  # (its paths go with it)
                purged.append(record.doc_id)
                continue
            for path in matching:
                self.store.unlink_path(path)
        return purged

    def consistency_problems(self) -> list[str]:
        """Empty when both stores agree exactly and nothing is half-done."""
        problems = [f"unfinished document {doc_id}" for doc_id in self.store.unfinished()]
        vector_ids, keyword_ids = self.index.ids(self.name), self.store.chunk_ids()
        if vector_ids - keyword_ids:
            problems.append(f"{len(vector_ids - keyword_ids)} vector chunks with no document")
        if keyword_ids - vector_ids:
            problems.append(f"{len(keyword_ids - vector_ids)} keyword chunks with no vector")
        expected = sum(record.chunks for record in self.documents())
        if expected != len(keyword_ids):
            problems.append(f"manifest lists {expected} chunks, store holds {len(keyword_ids)}")
        return problems

    def close(self) -> None:
        self.store.close()


class Library:
    """All workspaces under one folder (the data directory's ``index``). The vector index is
    opened on first use, by ``open_index`` (the composition root's choice; Chroma in
    ``root/chroma`` by default). Worker threads open workspaces too, hence the lock."""

    def __init__(self, root: Path, *,
                 open_index: Callable[[], ChromaIndex] | None = None,
                 on_recovered: RecoveredFn | None = None,
                 names: NameSeal | None = None,
                 seal_names_for: Callable[[str], bool] = lambda workspace: False) -> None:
        """``names`` opens sealed paths and titles, and seals those of the workspaces for which
        ``seal_names_for(name)`` is true (see :mod:`rag.names`)."""
        self.root, self._on_recovered = root, on_recovered
        self._names, self._seal_names_for = names, seal_names_for
        self._open_index = open_index or (lambda: ChromaIndex(root / "chroma"))
        self._index: ChromaIndex | None = None
        self._open: dict[str, Workspace] = {}
        self._lock = threading.RLock()

    @property
    def index(self) -> ChromaIndex:
        with self._lock:
            if self._index is None:
                self._index = self._open_index()
            return self._index

    def workspace(self, name: str = DEFAULT_WORKSPACE) -> Workspace:
        name = check_workspace_name(name)
        with self._lock:
            return self._open.get(name) or self._open_workspace(name)

    def _open_workspace(self, name: str) -> Workspace:
        folder = self._folder(name)
        folder.mkdir(parents=True, exist_ok=True)
        _write_marker(folder / "workspace.json", json.dumps({"name": name}))
        store = LibraryStore(folder / "library.sqlite", names=self._names,
                             seal_names=partial(self._seal_names_for, name))
        workspace = Workspace(name, store, self.index, on_recovered=self._on_recovered)
        self._open[name] = workspace
        return workspace

    def has_workspace(self, name: str) -> bool:
        return (self._folder(name) / "library.sqlite").is_file()

    def workspaces(self) -> list[str]:
        names = []
        for marker in sorted((self.root / "workspaces").glob("*/workspace.json")):
            try:
                names.append(json.loads(marker.read_text(encoding="utf-8"))["name"])
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("workspace marker %s is unreadable; skipped", marker)
        return names

    def delete_workspace(self, name: str) -> None:
        with self._lock:
            workspace = self._open.pop(name, None)
        if workspace is not None:
            workspace.close()
        self.index.drop(name)
        shutil.rmtree(self._folder(name), ignore_errors=True)

    def _folder(self, name: str) -> Path:
        return self.root / "workspaces" / collection_name(name)

    def close(self) -> None:
        for workspace in self._open.values():
            workspace.close()
        self._open.clear()


def _write_marker(path: Path, text: str) -> None:
    """Whole or not at all, and not rewritten when it already says the same (a full disk then
    costs nothing)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    # A temporary name of this writer's own: two ingests opening one new workspace at once
    # both wrote "workspace.json.tmp", and the second's rename found the first had taken it.
    replace_whole(path, text)
