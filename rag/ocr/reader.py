"""ScanReader: page images in, :class:`PageScan` out, page by page, with progress, cancel and a
cache. Loaders hand it pages as functions that render on demand, so a cached page is never
rendered at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Protocol

from core.jobs import CancelFn, check_cancelled, never_cancel
from rag.ocr.cache import OcrCache, cache_key
from rag.ocr.scan import PageScan

if TYPE_CHECKING:
    from PIL.Image import Image

# tests/bench/eval_ocr.py, 15 CUAD pages: 300 dpi 2.20% CER, 200 dpi 2.25%, at the same speed
# within this machine's noise; 300 is the usual scanning resolution and costs nothing measurable.
DEFAULT_DPI = 300
StepFn = Callable[[float], None]
Render = Callable[[], "tuple[Image, int]"]  # the page image and its resolution (dpi)


class OcrEngine(Protocol):
    @property
    def identity(self) -> str: ...

    def recognise(self, image: Image, dpi: int, cancel: CancelFn = never_cancel) -> PageScan: ...


def _no_step(fraction: float) -> None:
    """Progress sink for callers that do not show progress."""


class ScanReader:
    """``engine`` defaults to Tesseract, located on first use (digital documents never need
    it); ``cache`` None reads every page afresh; ``workers`` engine processes run at once
    (each single-threaded: two per two cores measured best)."""

    def __init__(self, engine: OcrEngine | None = None, cache: OcrCache | None = None,
                 dpi: int = DEFAULT_DPI, workers: int | None = None) -> None:
        self._engine, self.cache, self.dpi = engine, cache, dpi
        self.workers = workers or min(2, os.cpu_count() or 1)

    def uncached(self) -> ScanReader:
        """The same reader keeping no copy of what it reads (for text that must not be stored
        as read: a strict workspace's)."""
        return ScanReader(self._engine, None, self.dpi, self.workers)

    def forget(self, source_hash: str) -> None:
        """Drop the cached OCR of the document with content hash ``source_hash``."""
        if self.cache is not None:
            self.cache.forget(source_hash)

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            from rag.ocr.tesseract import TesseractEngine

            self._engine = TesseractEngine.locate()
        return self._engine

    def read(self, source_hash: str, pages: Sequence[tuple[int, Render]], *,
             step: StepFn = _no_step, cancel: CancelFn = never_cancel) -> dict[int, PageScan]:
        """OCR of each (page number, render) pair; ``step`` gets the fraction done per page.
        Pages are rendered here one at a time (pdfium is not thread-safe) and read by up to
        ``workers`` engine processes at once."""
        scans: dict[int, PageScan] = {}
        identity = self.engine.identity
        with ThreadPoolExecutor(self.workers, thread_name_prefix="ocr") as pool:
            running: dict[Future[PageScan], tuple[int, str]] = {}
            for number, render in pages:
                check_cancelled(cancel)
                key = cache_key(source_hash, number, self.dpi, identity)
                cached = self.cache.get(key) if self.cache is not None else None
                if cached is not None:
                    scans[number] = cached
                    step(len(scans) / len(pages))
                    continue
                while len(running) >= self.workers:
                    self._collect(running, scans, lambda: step(len(scans) / len(pages)))
                image, dpi = render()
                running[pool.submit(self.engine.recognise, image, dpi, cancel)] = (number, key)
            while running:
                self._collect(running, scans, lambda: step(len(scans) / len(pages)))
        return scans

    def _collect(self, running: dict[Future[PageScan], tuple[int, str]],
                 scans: dict[int, PageScan], reported: Callable[[], None]) -> None:
        """Wait for at least one running page; store (and cache) what finished."""
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            number, key = running.pop(future)
            scans[number] = future.result()  # Cancelled or OcrUnavailable end the batch
            if self.cache is not None:
                self.cache.put(key, scans[number])
            reported()


class OcrContext:
    """What a loader needs to OCR pages: the reader, and the caller's progress and cancel."""

    def __init__(self, reader: ScanReader | None = None, *, step: StepFn = _no_step,
                 cancel: CancelFn = never_cancel) -> None:
        self.reader = reader if reader is not None else ScanReader()
        self.step, self.cancel = step, cancel

    def read(self, source_hash: str, pages: Sequence[tuple[int, Render]]) -> dict[int, PageScan]:
        return self.reader.read(source_hash, pages, step=self.step, cancel=self.cancel)
