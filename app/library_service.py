"""LibraryService: the document library as the app uses it (workspaces, documents, ingest,
retrieval). Callers ask it for what they need and never reach into a workspace's stores.

The embedder is built on first use (by the composition root's factory), so starting the app or
listing documents stays fast. A workspace whose vectors another embedder made (one filled by an
older version, with fp32 vectors) keeps being searched and filled with that embedder, loaded on
first use, until :meth:`LibraryService.reembed` moves it to the app's embedder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from app.audit import NO_AUDIT, AuditTrail
from app.settings import RagSettings
from core.disk import DiskFull, is_disk_full
from core.errors import Cancelled, InputError
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.embedder import Embedder, load_embedder_named
from rag.ingest import ChunkingOptions, DocumentTransform, FileResult, IngestReport, ingest
from rag.library import Library, Workspace, check_workspace_name
from rag.ocr import PageScan, ScanReader
from rag.retrieval import HybridRetriever
from rag.store import DocumentRecord

log = logging.getLogger(__name__)

class LibraryService:
    def __init__(self, library: Library, settings: Callable[[], RagSettings],
                 embedder: Callable[[], Embedder], *,
                 embedder_named: Callable[[str], Embedder] = load_embedder_named,
                 embedder_name: Callable[[], str] | None = None,
                 transform_for: Callable[[str], DocumentTransform | None] = lambda name: None,
                 treatment_for: Callable[[str], str] = lambda name: "keep",
                 audit: AuditTrail = NO_AUDIT, scans: ScanReader | None = None) -> None:
        """``embedder``: the app's (``embedder_name``, when given, names it without loading
        it); ``embedder_named(name)``: the one a workspace's vectors were made by, when
        another. ``transform_for(workspace)``: what ingest does to a
        document's text before storing it (the workspace's privacy policy), or None to store
        it as loaded. ``treatment_for(workspace)``: what its policy stores, as recorded with the
        index (:attr:`app.privacy.policy.PrivacyPolicy.index_treatment`)."""
        self._library, self._settings, self._embedder = library, settings, embedder
        self._embedder_named = embedder_named
        self._embedder_name = embedder_name or (lambda: self._embedder().name)
        self._transform_for, self._audit = transform_for, audit
        self._treatment_for = treatment_for
        self._reindexing = threading.RLock()  # one re-index at a time (window, settings, CLI)
        self._scans = scans  # OCR of scanned pages, with the app's cache

    # ----- workspaces
    def workspaces(self) -> list[str]:
        return self._library.workspaces()

    def has_workspace(self, name: str) -> bool:
        return self._library.has_workspace(name)

    def create_workspace(self, name: str) -> str:
        name = check_workspace_name(name)
        self._workspace(name)
        return name

    def delete_workspace(self, name: str) -> None:
        """Recorded before anything is deleted (see :meth:`_recorded`)."""
        held = [record.doc_id for record in self.documents(name)] \
            if self._library.has_workspace(name) else []
        with self._recorded("purge", workspace=name, whole_workspace=True):
            self._library.delete_workspace(name)
            self._forget_ocr(held)

    def rename_workspace(self, old: str, new: str, *, progress: ProgressFn = no_progress,
                         cancel: CancelFn = never_cancel) -> str:
        """There is no rename in the index: the documents still on disk are ingested under
        the new name, then the old workspace is deleted."""
        new = self.create_workspace(new)
        paths = [Path(path) for record in self.documents(old)
                 for path in record.paths[:1] if Path(path).exists()]
        if paths:
            self.ingest(paths, workspace=new, progress=progress, cancel=cancel)
        self.delete_workspace(old)
        return new

    # ----- documents
    def documents(self, workspace: str) -> list[DocumentRecord]:
        return self._workspace(workspace).documents()

    def document(self, workspace: str, doc_id: str) -> DocumentRecord:
        record = self._workspace(workspace).document(doc_id)
        if record is None:
            raise InputError("This document is no longer in the workspace.")
        return record

    def page_text(self, workspace: str, doc_id: str, page: int) -> str | None:
        return self._workspace(workspace).page_text(doc_id, page)

    def page_scan(self, workspace: str, doc_id: str, page: int) -> PageScan | None:
        """Words and boxes of a page read by OCR; None for a page with a text layer."""
        return self._workspace(workspace).page_scan(doc_id, page)

    @property
    def scan_reader(self) -> ScanReader | None:
        return self._scans

    def ingest(self, paths: Sequence[Path], *, workspace: str, password: str | None = None,
               progress: ProgressFn = no_progress,
               cancel: CancelFn = never_cancel) -> IngestReport:
        """``progress`` names each step before the first file (as a sentence ending in "…"),
        then the file being read."""
        if self.policy_outdated(workspace):  # the policy changed since: everything again
            return self.reindex(workspace, also=paths, password=password, progress=progress,
                                cancel=cancel)
        settings, treatment = self._settings(), self._treatment_for(workspace)
        chunking = ChunkingOptions(settings.chunk_tokens, settings.chunk_overlap_tokens,
                                   settings.max_text_mb)
        progress(0.0, "Applying the workspace's privacy policy…")
        transform = self._transform_for(workspace)
        progress(0.0, "Loading the search model…")
        embedder = self.embedder_for(workspace)

        def record(result: FileResult) -> None:  # each file as it is decided (see ingest)
            self._audit.record("ingest", workspace=workspace, doc_id=result.doc_id or None,
                               status=result.status, pages=result.pages, chunks=result.chunks,
                               redacted_index=transform is not None)

        # OCR of a document whose text is stored redacted is not cached as read.
        scans = self._scans.uncached() if transform is not None and self._scans else self._scans
        report = ingest(paths, workspace=self._workspace(workspace), embedder=embedder,
                        chunking=chunking, password=password, transform=transform,
                        scans=scans, progress=progress, cancel=cancel, record=record)
        self._workspace(workspace).record_treatment(treatment)
        return report

    def retriever(self, workspace: str) -> HybridRetriever:
        """Refused while the workspace's text was stored under another privacy policy."""
        if self.policy_outdated(workspace):
            raise InputError(
                f"The privacy policy of workspace {workspace!r} changed since its documents "
                "were indexed, so it is not searched until they are indexed again under it: "
                f"enclave docs policy -w {workspace!r} (or add a file to it).")
        return HybridRetriever(self._workspace(workspace), self.embedder_for(workspace))

    # ----- the privacy policy behind a workspace's stored text
    def policy_outdated(self, workspace: str) -> bool:
        """True when ``workspace`` holds documents stored under another treatment than its
        policy's now (changed in the window, by ``enclave docs policy`` or in settings.json).
        An index that recorded none was made keeping the text."""
        space = self._workspace(workspace)
        recorded = space.text_treatment or "keep"
        return recorded != self._treatment_for(workspace) and not space.is_empty()

    # ----- the embedder behind a workspace's vectors
    def embedder_for(self, workspace: str) -> Embedder:
        """The embedder that made ``workspace``'s vectors (the app's for an empty one)."""
        made_by = self._workspace(workspace).embedder_name
        if made_by in (None, self._embedder_name()):
            return self._embedder()
        return self._embedder_named(made_by)

    def outdated_embedder(self, workspace: str) -> str | None:
        """The embedder of ``workspace``'s vectors when it is not the app's (re-embedding would
        move them to the app's); None when they are the app's, or there are none."""
        made_by = self._workspace(workspace).embedder_name
        return made_by if made_by not in (None, self._embedder_name()) else None

    def reembed(self, workspace: str, *, progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> int:
        """Move ``workspace``'s vectors to the app's embedder, from the stored passages (the
        files are not needed), all at once: searches use the old ones until it is done, and a
        cancelled or failed run changes nothing. Returns the number of passages. Recorded
        before anything changes (see :meth:`_recorded`)."""
        embedder, space = self._embedder(), self._workspace(workspace)
        with self._recorded("reembed", workspace=workspace, embedder=embedder.name,
                            previous_embedder=space.embedder_name,
                            chunks=space.passage_count()):
            return space.reembed(embedder, progress=progress, cancel=cancel)

    @contextmanager
    def _recorded(self, action: str, **details: object) -> Iterator[None]:
        """``action`` is recorded before the block changes anything: a record that cannot be
        written raises and the block does not run, so a crash can never leave a change with
        no record. If the block fails, ``<action>_failed`` says so (and why, as a word:
        cancelled, disk_full or error with the error's type), then the error goes on."""
        self._audit.record(action, **details)
        try:
            yield
        except BaseException as error:
            self._record_failure(f"{action}_failed", error, details)
            raise

    def _record_failure(self, action: str, error: BaseException,
                        details: dict[str, object]) -> None:
        reason = "cancelled" if isinstance(error, Cancelled) else \
            "disk_full" if is_disk_full(error) or isinstance(error, DiskFull) else "error"
        try:
            self._audit.record(action, **details, reason=reason, error=type(error).__name__)
        except Exception as failure:  # the operation's own error is the one to report
            log.warning("audit: could not record %s (%s)", action, failure)

    def reindex(self, workspace: str, *, also: Sequence[Path] = (), password: str | None = None,
                progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> IngestReport:
        """Index every document of ``workspace`` again under its privacy policy as it is now
        (after the policy changed), with the files ``also`` given. Documents are re-read from
        their files; one whose file is gone is removed, since its stored text cannot be brought
        under the new policy. Interrupted, the workspace stays outdated (and refused)."""
        with self._reindexing:
            return self._reindex(workspace, also, password, progress, cancel)

    def reindex_if_outdated(self, workspace: str, *, progress: ProgressFn = no_progress,
                            cancel: CancelFn = never_cancel) -> IngestReport:
        """:meth:`reindex` when the policy changed since the text was stored, else nothing (a
        re-index started elsewhere meanwhile is waited for, not repeated)."""
        with self._reindexing:
            if not self.policy_outdated(workspace):
                return IngestReport()
            return self._reindex(workspace, (), None, progress, cancel)

    def _reindex(self, workspace: str, also: Sequence[Path], password: str | None,
                 progress: ProgressFn, cancel: CancelFn) -> IngestReport:
        records = self.documents(workspace)
        paths = [Path(path) for record in records for path in record.paths
                 if Path(path).exists()]
        paths += [path for path in also if path not in paths]
        gone = [record for record in records if not any(Path(p).exists() for p in record.paths)]
        for record in records:
            self._workspace(workspace).purge(record.doc_id, self._purge_record(
                workspace, reason="policy_change"))
        report = self.ingest(paths, workspace=workspace, password=password, progress=progress,
                             cancel=cancel)
        report.results += [FileResult(
            record.paths[0] if record.paths else record.title, "refused",
            f"{record.title or record.doc_id[:12]}: the file is gone; removed from the index, "
            "which cannot be rebuilt under the new privacy policy without it.", "missing",
            record.doc_id) for record in gone]
        return report

    def purge(self, workspace: str, reference: str) -> list[str]:
        """Each document's record is written before it is deleted (see
        :meth:`rag.library.Workspace.purge`): never a purge without its record. The record
        holds the document's content hash only, under every policy: no name, path or text."""
        purged = self._workspace(workspace).remove(reference, self._purge_record(workspace))
        self._forget_ocr(purged)
        return purged

    def _purge_record(self, workspace: str, **details: str) -> Callable[[str], None]:
        return lambda doc_id: self._audit.record("purge", workspace=workspace,
                                                 doc_ids=[doc_id], **details)

    def _forget_ocr(self, doc_ids: Sequence[str]) -> None:
        """A purged document's OCR text goes with it (the cache is keyed by content)."""
        if self._scans is not None:
            for doc_id in doc_ids:
                self._scans.forget(doc_id)

    def _workspace(self, name: str) -> Workspace:
        return self._library.workspace(name)

    def close(self) -> None:
        self._library.close()
