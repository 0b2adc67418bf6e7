"""Ingest: files and folders in, an :class:`IngestReport` out. A bad file never stops a batch.

Each file is read, hashed, parsed, chunked and embedded before anything is written, so the
window in which a crash can leave work behind is the store step alone, which the manifest
covers (see :mod:`rag.library`). Reading and parsing run one or two files ahead, in a second
thread, of embedding and storing: the two halves use both cores.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from core.disk import disk_full_message, full_disk_explains
from core.display import one_line
from core.errors import Cancelled, EnclaveError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from rag.chunking import Chunk, chunk_document
from rag.documents import LoadedDocument, content_hash
from rag.embedder import Embedder
from rag.errors import BatchStopped, DocumentRefused, NoTextFound
from rag.library import Workspace
from rag.loaders import MAX_TEXT_MB, load_bytes, read_bytes
from rag.ocr.reader import OcrContext, ScanReader
from rag.read_ahead import ReadAhead

log = logging.getLogger(__name__)

EMBED_SLICE = 64
READ_AHEAD = 2  # files parsed ahead of the one being embedded (bounds memory)
LARGE_FILE_BYTES = 8 * 2**20  # ingested after the smaller files of a batch
OCR_SHARE = 0.9  # of one file's progress, when its pages are read by OCR
StepFn = Callable[[float], None]  # progress within one file, 0..1
STORED = ("indexed", "replaced")
DocumentTransform = Callable[[LoadedDocument], LoadedDocument]
RecordFn = Callable[["FileResult"], None]  # told each file's fate (the audit trail)


def _no_record(result: FileResult) -> None:
    return None


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 200
    overlap_tokens: int = 40
    max_text_mb: int = MAX_TEXT_MB  # a larger text, HTML or e-mail file is refused unread


@dataclass(frozen=True)
class FileResult:
    path: str
    status: str  # "indexed", "replaced", "unchanged", "duplicate", "refused"
    message: str = ""
    reason: str = ""
    doc_id: str = ""
    pages: int = 0
    chunks: int = 0


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""  # why the batch stopped before its end (a full disk), in one line

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def pages(self) -> int:
        return sum(result.pages for result in self.results)

    @property
    def chunks(self) -> int:
        return sum(result.chunks for result in self.results)

    def summary(self) -> str:
        parts = [f"{self.count(status)} {status}" for status in
                 ("indexed", "replaced", "unchanged", "duplicate", "refused") if self.count(status)]
        return (f"{len(self.results)} file(s): {', '.join(parts) or 'nothing to do'}; "
                f"{self.pages} pages, {self.chunks} chunks in {self.seconds:.1f} s"
                + (f". Stopped: {self.stopped}" if self.stopped else ""))


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, folders recursively (sorted, hidden entries skipped)."""
    for path in paths:
        path = Path(path).expanduser()
        if path.is_dir():
            for folder, subfolders, files in os.walk(path):
                subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(folder) / name
        else:
            yield path


def ingest(
    paths: Sequence[Path],
    *,
    workspace: Workspace,
    embedder: Embedder,
    chunking: ChunkingOptions = ChunkingOptions(),
    password: str | None = None,
    transform: DocumentTransform | None = None,
    scans: ScanReader | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
    record: RecordFn | None = None,
) -> IngestReport:
    """``transform``, when given, rewrites each loaded document before it is chunked (the app
    passes its workspace privacy policy here): everything stored is the transformed text.
    ``scans`` reads scanned pages and images (the app gives one with its OCR cache).

    The next files are read, parsed and chunked in a background thread (:class:`ReadAhead`)
    while this thread embeds and stores the current one; documents are stored one at a time,
    in order, each atomically.

    ``record(result)`` is told each file's fate as it is decided, in the order files are
    stored; for a document stored, inside the transaction that stores it, so a killed ingest
    leaves no document stored without its record (the app writes its audit trail here). If
    it raises, or the disk is full, the batch stops: the file being stored is not, and the
    report names every file's fate and why it stopped (``IngestReport.stopped``)."""
    record = record or _no_record
    started, report = time.perf_counter(), IngestReport()
    workspace.claim_embedder(embedder.name)  # refused before any work if others made its vectors
    files = list(expand_paths(paths))
    order = _large_last(files)
    tracker = _Progress(progress, len(files))
    if files:
        tracker(0, 0.0, files[0].name)  # while it is read ahead
    reader = _Reader(workspace, embedder, chunking, password, transform,
                     scans or ScanReader(), tracker, cancel)
    results: dict[int, FileResult] = {}
    with ReadAhead([files[index] for index in order], reader.prepare,
                   depth=READ_AHEAD) as prepared:
        try:
            for number, item in enumerate(prepared):
                check_cancelled(cancel)
                tracker(number, 0.0, item.path.name)
                results[order[number]] = _store(item, number, reader, workspace, embedder,
                                                cancel, record)
        except BatchStopped as stop:
            _stopped(report, stop, files, results, workspace)
    report.results = [results[index] for index in sorted(results)]
    report.seconds = time.perf_counter() - started
    progress(1.0, report.summary())
    return report


def _large_last(files: list[Path]) -> list[int]:
    """Positions of ``files`` in the order they are ingested: files over LARGE_FILE_BYTES
    after the others, so one huge file does not hold up the rest of a batch (the report keeps
    the given order)."""
    def large(index: int) -> bool:
        try:
            return files[index].stat().st_size > LARGE_FILE_BYTES
        except OSError:
            return False

    return sorted(range(len(files)), key=large)


@dataclass
class _Prepared:
    """One file, read and parsed ahead of storing: ``result`` when its outcome is already
    known (missing, refused), else its ``document`` and ``chunks`` (None when its content was
    already in the workspace or earlier in this batch, so parsing it again would be waste)."""

    path: Path
    key: str
    doc_id: str = ""
    size: int = 0
    document: LoadedDocument | None = None
    chunks: list[Chunk] = field(default_factory=list)
    result: FileResult | None = None


class _Reader:
    """Reads, hashes, loads (OCR included), transforms and chunks one file: the read-ahead
    thread's work. It only reads the workspace, never writes it."""

    def __init__(self, workspace: Workspace, embedder: Embedder, chunking: ChunkingOptions,
                 password: str | None, transform: DocumentTransform | None,
                 scans: ScanReader, tracker: _Progress, cancel: CancelFn) -> None:
        self._workspace, self._embedder, self._chunking = workspace, embedder, chunking
        self._password, self._transform, self._scans = password, transform, scans
        self.tracker, self._cancel = tracker, cancel
        self._seen: set[str] = set()

    def prepare(self, number: int, path: Path) -> _Prepared:
        check_cancelled(self._cancel)
        key = str(path.resolve()) if path.exists() else str(path.absolute())
        if not _utf8(key):
            return _Prepared(path, _escaped(key), result=_bad_name(path, key))
        return self._guarded(_Prepared(path, key), number, again=False)

    def prepare_now(self, item: _Prepared, number: int) -> _Prepared:
        """Parse a file skipped as known whose twin turned out not to be stored after all."""
        return self._guarded(item, number, again=True)

    def _guarded(self, item: _Prepared, number: int, *, again: bool) -> _Prepared:
        try:
            return self._load(item, number, again=again)
        except DocumentRefused as refusal:
            item.result = FileResult(item.key, "refused", refusal.message, refusal.reason)
        except Cancelled:
            raise
        except Exception as error:  # a parser bug on one file must not end the batch
            item.result = _unreadable(item.path, item.key, error)
        return item

    def _load(self, item: _Prepared, number: int, *, again: bool = False) -> _Prepared:
        if not item.path.exists():
            item.result = _absent(item.path, item.key)
            return item
        data = read_bytes(item.path, max_text_mb=self._chunking.max_text_mb)
        item.doc_id, item.size = content_hash(data), len(data)
        known = item.doc_id in self._seen or \
            self._workspace.state_of(item.doc_id) == "done"
        self._seen.add(item.doc_id)
        if known and not again:
            return item  # the storing thread decides: unchanged, duplicate, or parse after all
        step: StepFn = partial(self.tracker, number, name=item.path.name, share=OCR_SHARE)
        ocr = OcrContext(self._scans, step=step, cancel=self._cancel)
        document = load_bytes(item.path, data, self._password, ocr)
        if self._transform is not None:
            document = self._transform(document)
        item.document = document
        item.chunks = chunk_document(document, max_tokens=self._chunking.max_tokens,
                                     overlap_tokens=self._chunking.overlap_tokens,
                                     count=self._embedder.count_tokens)
        if not item.chunks:
            raise NoTextFound(f"{item.path.name}: no text found to index.")
        return item


def _store(item: _Prepared, number: int, reader: _Reader, workspace: Workspace,
           embedder: Embedder, cancel: CancelFn, record: RecordFn) -> FileResult:
    """Embed and store one prepared file (only this thread writes the workspace), and record
    its outcome: a stored document's record is written inside the commit that stores it."""
    result = _outcome(item, number, reader, workspace, embedder, cancel, record)
    if result.status not in STORED:
        _recorded(record, result)
    return result


def _outcome(item: _Prepared, number: int, reader: _Reader, workspace: Workspace,
             embedder: Embedder, cancel: CancelFn, record: RecordFn) -> FileResult:
    if item.result is not None:
        return item.result
    known = _known(workspace, item.key, item.doc_id)
    if known is not None:
        return known
    if item.document is None:
        item = reader.prepare_now(item, number)
        if item.result is not None or item.document is None:
            return item.result or _unreadable(item.path, item.key, RuntimeError("not loaded"))
    step: StepFn = partial(reader.tracker, number, name=item.path.name)
    try:
        vectors = _embed(embedder, [chunk.text for chunk in item.chunks], step, cancel)
        with workspace.writing():  # another ingest may have stored it in the meantime
            return _known(workspace, item.key, item.doc_id) or \
                _add(item, workspace, embedder, vectors, record)
    except (Cancelled, BatchStopped):
        raise
    except Exception as error:  # a store or model failure on one file must not end the batch
        if full_disk_explains(error, workspace.folder):  # ... but a full disk ends it
            raise BatchStopped("the disk is full", disk_full=True) from error
        return _unreadable(item.path, item.key, error)


def _add(item: _Prepared, workspace: Workspace, embedder: Embedder, vectors: np.ndarray,
         record: RecordFn) -> FileResult:
    assert item.document is not None
    document = item.document

    def result(replaced: str | None) -> FileResult:
        return FileResult(item.key, "replaced" if replaced else "indexed",
                          "; ".join(document.notes), "", item.doc_id, len(document.pages),
                          len(item.chunks))

    replaced = workspace.add(item.doc_id, document, item.chunks, vectors, path=item.key,
                             size=item.size, embedder=embedder.name,
                             before_commit=lambda replaced: _recorded(record, result(replaced)))
    return result(replaced)


def _recorded(record: RecordFn, result: FileResult) -> None:
    """The audit record of one file's fate; if it cannot be written, the batch stops there."""
    try:
        record(result)
    except Cancelled:
        raise
    except Exception as error:
        message = error.message if isinstance(error, EnclaveError) else str(error)
        raise BatchStopped(message) from error


def _stopped(report: IngestReport, stop: BatchStopped, files: list[Path],
             results: dict[int, FileResult], workspace: Workspace) -> None:
    """Every file not stored when the batch stopped is named, with why."""
    left = [index for index in range(len(files)) if index not in results]
    if stop.disk_full:
        needed = sum(_size_of(files[index]) for index in left) * 2
        report.stopped = disk_full_message(workspace.folder, needed, "Ingest stopped")
    else:
        report.stopped = stop.message
    for index in left:
        results[index] = FileResult(str(files[index].absolute()), "refused",
                                    f"{files[index].name}: not indexed: the batch stopped "
                                    "before it (see below)", "not stored")


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file system's name held that are not UTF-8
        return False
    return True


def _escaped(text: str) -> str:
    """A name with its undecodable bytes written as \\xNN (safe to store, print and log)."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _bad_name(path: Path, key: str) -> FileResult:
    return FileResult(_escaped(key), "refused", f"{_escaped(path.name)}: its name is not valid "
                      "UTF-8 text (written here with \\x escapes), which the index cannot "
                      "store; rename the file to index it.", "name not UTF-8")


def _absent(path: Path, key: str) -> FileResult:
    """Why a path given or found cannot be opened: a symbolic link that loops, one that
    leads nowhere, or nothing there."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return FileResult(key, "refused", f"{path.name}: a symbolic link that loops back on "
                              "itself; there is no file to read.", "symlink loop")
        if path.is_symlink():
            return FileResult(key, "refused", f"{path.name}: a symbolic link to "
                              f"{os.readlink(path)}, which does not exist.", "broken link")
    return FileResult(key, "refused", f"{path.name}: no such file.", "missing")


def _unreadable(path: Path, key: str, error: Exception) -> FileResult:
    log.error("unexpected failure on %s", one_line(path), exc_info=error)
    return FileResult(key, "refused", f"{path.name}: could not be read "
                      f"({type(error).__name__}: {error})"[:300], "unreadable")


class _Progress:
    """Overall progress from two threads, never going back: file ``number`` counts from
    ``number / total``; within it, OCR (read-ahead thread) reports up to ``OCR_SHARE`` and
    embedding (storing thread) up to 1."""

    def __init__(self, progress: ProgressFn, total: int) -> None:
        self._progress, self._total = progress, max(1, total)
        self._done = 0.0
        self._lock = threading.Lock()

    def __call__(self, number: int, fraction: float, name: str, share: float = 1.0) -> None:
        overall = (number + share * min(1.0, max(0.0, fraction))) / self._total
        with self._lock:
            if overall < self._done:
                return
            self._done = overall
            self._progress(overall, name)


def _known(workspace: Workspace, key: str, doc_id: str) -> FileResult | None:
    if workspace.state_of(doc_id) != "done":
        return None
    known = workspace.paths_of(doc_id)
    others = [path for path in known if path != key]
    if key in known:
        return FileResult(key, "unchanged", "already indexed", doc_id=doc_id)
    workspace.link(key, doc_id)
    return FileResult(key, "duplicate", f"same content as {others[0]}" if others else "",
                      doc_id=doc_id)


def _embed(embedder: Embedder, texts: list[str], step: StepFn,
           cancel: CancelFn) -> np.ndarray:
    """Embeds in slices (progress and cancel between them) of texts of similar length: sorted
    over the whole document, each batch pads to little more than its own texts."""
    order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    vectors = np.zeros((len(texts), embedder.dimension), np.float32)
    for first in range(0, len(order), EMBED_SLICE):
        check_cancelled(cancel)
        rows = order[first:first + EMBED_SLICE]
        vectors[rows] = embedder.embed([texts[index] for index in rows], cancel=cancel)
        step(min(1.0, (first + EMBED_SLICE) / len(texts)))
    return vectors
