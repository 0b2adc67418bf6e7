"""A scanned page in the review pane: the page image at the pane's width, with the cited
passage and the personal data found on the page drawn over the words OCR read there.

The rectangles come from the word boxes OCR kept (app.scan_page); :meth:`ScanPageView.marks`
gives them in widget coordinates, as drawn, so tests check the geometry the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QScrollArea, QWidget

from app.scan_page import ScannedPageImage
from ui.highlight import PASSAGE_COLOUR, colour_of

PASSAGE = "PASSAGE"
FILL_ALPHA = 110  # translucent: the words stay readable under their mark
PAD = 2.0  # image pixels around a word box, so the mark does not touch the ink


@dataclass(frozen=True)
class Mark:
    rect: QRectF  # widget coordinates
    kind: str  # an entity type, or PASSAGE
    span: tuple[int, int] = (0, 0)  # the characters of the page text it marks


class ScanCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page: ScannedPageImage | None = None
        self.image = QImage()
        self._spans: list[tuple[int, int, str]] = []

    def set_page(self, page: ScannedPageImage | None) -> None:
        self.page = page
        self.image = QImage.fromData(page.png) if page is not None else QImage()
        self._spans = []
        self.update()

    def set_spans(self, spans: Sequence[tuple[int, int, str]]) -> None:
        """(start, end, kind) character spans of the page text to mark."""
        self._spans = list(spans)
        self.update()

    def scale(self) -> float:
        return self.width() / self.image.width() if not self.image.isNull() else 1.0

    def marks(self) -> list[Mark]:
        """The rectangles as drawn: each marked span's word boxes, scaled to the widget."""
        if self.page is None:
            return []
        scale = self.scale()
        return [Mark(QRectF((left - PAD) * scale, (top - PAD) * scale,
                            (right - left + 2 * PAD) * scale, (bottom - top + 2 * PAD) * scale),
                     kind, (start, end))
                for start, end, kind in self._spans
                for left, top, right, bottom in self.page.boxes_for(start, end)]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.image.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(self.rect()), self.image)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
            for mark in self.marks():
                colour = QColor(PASSAGE_COLOUR if mark.kind == PASSAGE else colour_of(mark.kind))
                painter.fillRect(mark.rect, colour)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            for mark in self.marks():
                if mark.kind != PASSAGE:
                    painter.setPen(QPen(QColor(colour_of(mark.kind)).darker(160), 1.0))
                    painter.drawRect(mark.rect)
        painter.end()


class ScanPageView(QScrollArea):
    """The canvas at the pane's width, as tall as the page's aspect makes it; scrolls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = ScanCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    @property
    def page(self) -> ScannedPageImage | None:
        return self.canvas.page

    def show_page(self, page: ScannedPageImage | None) -> None:
        self.canvas.set_page(page)
        self._fit()

    def show_marks(self, passage: tuple[int, int] | None, findings: Sequence[Any]) -> None:
        """Marks the passage (its words) and every finding not inside it, and brings the
        passage into view."""
        spans = [(f.start, f.end, f.entity_type) for f in findings
                 if passage is None or not (f.start < passage[1] and passage[0] < f.end)]
        if passage is not None:
            spans.append((passage[0], passage[1], PASSAGE))
        self.canvas.set_spans(spans)
        self._scroll_to_passage()

    def marks(self) -> list[Mark]:
        return self.canvas.marks()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        image = self.canvas.image
        width = self.viewport().width()
        height = round(width * image.height() / image.width()) if not image.isNull() else 0
        self.canvas.resize(width, max(height, 1))

    def _scroll_to_passage(self) -> None:
        passage = [mark.rect for mark in self.marks() if mark.kind == PASSAGE]
        if passage:
            first = passage[0]
            self.ensureVisible(int(first.center().x()), int(first.center().y()), 20,
                               int(self.viewport().height() * 0.3))
