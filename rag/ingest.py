"""Ingest: files and folders in, an :class:`IngestReport` out. A bad file never stops a batch.

Each file is read, hashed, parsed, chunked and embedded before anything is written, so the
window in which a crash can leave work behind is the store step alone, which the manifest
covers (see :mod:`rag.library`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import Cancelled
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from rag.chunking import chunk_document
from rag.documents import LoadedDocument, content_hash
from rag.embedder import Embedder
from rag.errors import DocumentRefused, NoTextFound
from rag.library import Workspace
from rag.loaders import load_bytes, read_bytes
from rag.ocr.reader import OcrContext, ScanReader

log = logging.getLogger(__name__)

EMBED_SLICE = 64
OCR_SHARE = 0.9  # of one file's progress, when its pages are read by OCR
StepFn = Callable[[float], None]  # progress within one file, 0..1
DocumentTransform = Callable[[LoadedDocument], LoadedDocument]


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 200
    overlap_tokens: int = 40


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
                f"{self.pages} pages, {self.chunks} chunks in {self.seconds:.1f} s")


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
) -> IngestReport:
    """``transform``, when given, rewrites each loaded document before it is chunked (the app
    passes its workspace privacy policy here): everything stored is the transformed text.
    ``scans`` reads scanned pages and images (the app gives one with its OCR cache)."""
    scans = scans or ScanReader()
    started, report = time.perf_counter(), IngestReport()
    files = list(expand_paths(paths))
    for number, path in enumerate(files):
        check_cancelled(cancel)
        progress(number / max(1, len(files)), path.name)

        step = _FileProgress(progress, number, len(files), path.name)
        report.results.append(_ingest_one(path, workspace, embedder, chunking, password,
                                          step, cancel, transform, scans))
    report.seconds = time.perf_counter() - started
    progress(1.0, report.summary())
    return report


def _ingest_one(path: Path, workspace: Workspace, embedder: Embedder,
                chunking: ChunkingOptions, password: str | None,
                step: StepFn, cancel: CancelFn,
                transform: DocumentTransform | None = None,
                scans: ScanReader | None = None) -> FileResult:
    key = str(path.resolve()) if path.exists() else str(path.absolute())
    try:
        if not path.exists():
            return FileResult(key, "refused", f"{path.name}: no such file.", "missing")
        data = read_bytes(path)
        doc_id = content_hash(data)
        known = _known(workspace, key, doc_id)
        if known is not None:
            return known
        ocr = OcrContext(scans, step=lambda fraction: step(OCR_SHARE * fraction), cancel=cancel)
        document = load_bytes(path, data, password, ocr)
        if transform is not None:
            document = transform(document)
        chunks = chunk_document(document, max_tokens=chunking.max_tokens,
                                overlap_tokens=chunking.overlap_tokens,
                                count=embedder.count_tokens)
        if not chunks:
            raise NoTextFound(f"{path.name}: no text found to index.")
        vectors = _embed(embedder, [chunk.text for chunk in chunks], step, cancel)
        replaced = workspace.add(doc_id, document, chunks, vectors, path=key, size=len(data))
        status = "replaced" if replaced else "indexed"
        return FileResult(key, status, "; ".join(document.notes), "", doc_id,
                          len(document.pages), len(chunks))
    except DocumentRefused as refusal:
        return FileResult(key, "refused", refusal.message, refusal.reason)
    except Cancelled:
        raise
    except Exception as error:  # a parser bug on one file must not end the batch
        log.exception("unexpected failure on %s", path)
        return FileResult(key, "refused", f"{path.name}: could not be read "
                          f"({type(error).__name__}: {error})"[:300], "unreadable")




class _FileProgress:
    """Progress within one file, never going back: OCR reports up to OCR_SHARE, then
    embedding counts from 0 again."""

    def __init__(self, progress: ProgressFn, number: int, total: int, name: str) -> None:
        self._progress, self._number, self._total, self._name = progress, number, total, name
        self._done = 0.0

    def __call__(self, fraction: float) -> None:
        self._done = max(self._done, min(1.0, fraction))
        self._progress((self._number + self._done) / self._total, self._name)


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
    parts = []
    for first in range(0, len(texts), EMBED_SLICE):
        check_cancelled(cancel)
        parts.append(embedder.embed(texts[first:first + EMBED_SLICE], cancel=cancel))
        step(min(1.0, (first + EMBED_SLICE) / len(texts)))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), np.float32)
