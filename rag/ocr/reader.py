"""ScanReader: page images in, :class:`PageScan` out, page by page, with progress, cancel and a
cache. Loaders hand it pages as functions that render on demand, so a cached page is never
rendered at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from core.jobs import CancelFn, check_cancelled, never_cancel
from rag.ocr.cache import OcrCache, cache_key
from rag.ocr.scan import PageScan

if TYPE_CHECKING:
    from PIL.Image import Image

# Chosen by tests/bench/eval_ocr.py: 300 dpi read clean contract pages at under 1% CER; 200 dpi
# was faster but lost small print (footnotes, form labels) and PII recall on forms.
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
    it); ``cache`` None reads every page afresh."""

    def __init__(self, engine: OcrEngine | None = None, cache: OcrCache | None = None,
                 dpi: int = DEFAULT_DPI) -> None:
        self._engine, self.cache, self.dpi = engine, cache, dpi

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            from rag.ocr.tesseract import TesseractEngine

            self._engine = TesseractEngine.locate()
        return self._engine

    def read(self, source_hash: str, pages: Sequence[tuple[int, Render]], *,
             step: StepFn = _no_step, cancel: CancelFn = never_cancel) -> dict[int, PageScan]:
        """OCR of each (page number, render) pair; ``step`` gets the fraction done per page."""
        scans: dict[int, PageScan] = {}
        for done, (number, render) in enumerate(pages):
            check_cancelled(cancel)
            scans[number] = self._read_one(source_hash, number, render, cancel)
            step((done + 1) / len(pages))
        return scans

    def _read_one(self, source_hash: str, number: int, render: Render,
                  cancel: CancelFn) -> PageScan:
        key = cache_key(source_hash, number, self.dpi, self.engine.identity)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            return cached
        image, dpi = render()
        scan = self.engine.recognise(image, dpi, cancel)
        if self.cache is not None:
            self.cache.put(key, scan)
        return scan


class OcrContext:
    """What a loader needs to OCR pages: the reader, and the caller's progress and cancel."""

    def __init__(self, reader: ScanReader | None = None, *, step: StepFn = _no_step,
                 cancel: CancelFn = never_cancel) -> None:
        self.reader = reader if reader is not None else ScanReader()
        self.step, self.cancel = step, cancel

    def read(self, source_hash: str, pages: Sequence[tuple[int, Render]]) -> dict[int, PageScan]:
        return self.reader.read(source_hash, pages, step=self.step, cancel=self.cancel)
