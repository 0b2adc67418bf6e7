"""A PDF page in the review pane: the page rendered at the pane's width (or zoomed), with the
cited passage and the personal data on the page marked line by line.

QtPdf renders the page and gives, for a run of its text, one rectangle per line
(``QPdfDocument.getSelectionAtIndex``): a passage that wraps is marked on every line it spans.
Spans are offsets into QtPdf's text of the page (``page_text``); app.text_map maps the
index's offsets onto it. :meth:`PdfPageView.marks` gives the rectangles as drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QResizeEvent, QWheelEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QScrollArea, QWidget

from ui.highlight import PASSAGE_COLOUR, colour_of
from ui.scan_page_view import PASSAGE, Mark

POINTS_TO_PIXELS = 96 / 72  # 100 %: a point as on paper at 96 dpi
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
PAD = 1.5  # pixels around a line's rectangle


class PdfCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.marks: list[Mark] = []

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.image.isNull():
            painter.drawImage(QRectF(self.rect()), self.image)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
            for mark in self.marks:
                colour = PASSAGE_COLOUR if mark.kind == PASSAGE else colour_of(mark.kind)
                painter.fillRect(mark.rect, QColor(colour))
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            for mark in self.marks:
                if mark.kind != PASSAGE:
                    painter.setPen(QPen(QColor(colour_of(mark.kind)).darker(160), 1.0))
                    painter.drawRect(mark.rect)
        painter.end()


class PdfPageView(QScrollArea):
    """One page; fit to width until zoomed (Ctrl+wheel, or zoom_in/zoom_out)."""

    sig_zoom_changed = Signal(str)  # "Fit width" or "150 %"

    def __init__(self, document: QPdfDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.canvas = PdfCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page = -1  # 0-based; -1 when none
        self.zoom: float | None = None  # None: fit to width
        self._spans: list[tuple[int, int, str]] = []

    # ----- what is shown
    def show_page(self, page: int) -> None:
        self.page = page if 0 <= page < self.document.pageCount() else -1
        self._spans = []
        self._layout()
        self.verticalScrollBar().setValue(0)

    def page_text(self) -> str:
        return self.document.getAllText(self.page).text() if self.page >= 0 else ""

    def show_marks(self, spans: Sequence[tuple[int, int, str]]) -> None:
        """(start, end, kind) spans of :meth:`page_text`; the passage (kind PASSAGE) is
        brought into view."""
        self._spans = list(spans)
        self._mark()
        self.canvas.update()
        self._scroll_to_passage()

    def marks(self) -> list[Mark]:
        return list(self.canvas.marks)

    # ----- zoom
    def zoom_in(self) -> None:
        current = self.scale() / POINTS_TO_PIXELS
        self.set_zoom(next((z for z in ZOOMS if z > current * 1.01), ZOOMS[-1]))

    def zoom_out(self) -> None:
        current = self.scale() / POINTS_TO_PIXELS
        self.set_zoom(next((z for z in reversed(ZOOMS) if z < current * 0.99), ZOOMS[0]))

    def fit_width(self) -> None:
        self.set_zoom(None)

    def set_zoom(self, zoom: float | None) -> None:
        self.zoom = zoom
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if zoom is None
            else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._layout()
        self._scroll_to_passage()
        self.sig_zoom_changed.emit(self.zoom_text())

    def zoom_text(self) -> str:
        return "Fit width" if self.zoom is None else f"{self.zoom:.0%}"

    def scale(self) -> float:
        """Pixels per point as drawn."""
        if self.zoom is not None or self.page < 0:
            return (self.zoom or 1.0) * POINTS_TO_PIXELS
        width = self.document.pagePointSize(self.page).width()
        return max(self.viewport().width() - 2, 50) / width if width > 0 else 1.0

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            (self.zoom_in if event.angleDelta().y() > 0 else self.zoom_out)()
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.zoom is None:
            self._layout()

    # ----- drawing
    def _layout(self) -> None:
        if self.page < 0:
            self.canvas.image, self.canvas.marks = QImage(), []
            self.canvas.resize(1, 1)
            return
        points = self.document.pagePointSize(self.page)
        scale = self.scale()
        size = QSize(max(1, round(points.width() * scale)), max(1, round(points.height() * scale)))
        ratio = self.devicePixelRatioF()
        image = self.document.render(self.page, QSize(round(size.width() * ratio),
                                                      round(size.height() * ratio)))
        image.setDevicePixelRatio(ratio)
        self.canvas.image = image
        self.canvas.resize(size)
        self._mark()
        self.canvas.update()

    def _mark(self) -> None:
        scale, marks = self.scale(), []
        for start, end, kind in self._spans:
            if end <= start or self.page < 0:
                continue
            selection = self.document.getSelectionAtIndex(self.page, start, end - start)
            for polygon in selection.bounds():
                box = polygon.boundingRect()
                marks.append(Mark(QRectF(box.x() * scale - PAD, box.y() * scale - PAD,
                                         box.width() * scale + 2 * PAD,
                                         box.height() * scale + 2 * PAD), kind, (start, end)))
        self.canvas.marks = marks

    def _scroll_to_passage(self) -> None:
        passage = [mark.rect for mark in self.canvas.marks if mark.kind == PASSAGE]
        if passage:
            first = passage[0]
            self.ensureVisible(int(first.center().x()), int(first.center().y()), 20,
                               int(self.viewport().height() * 0.3))
