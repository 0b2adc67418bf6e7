"""The image of a scanned page for the review pane, with the word boxes OCR kept for it.

The pane marks the cited passage and the personal data found on the page as rectangles on the
image: a character span of the page text maps to the boxes of the words it covers
(:meth:`rag.ocr.scan.PageScan.boxes_for`), scaled from the resolution OCR read the page at to
the resolution shown. The image is rendered afresh from the file on disk (the index keeps no
images), and only when the file still holds the indexed document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.documents import content_hash
from rag.errors import DocumentRefused
from rag.loaders import read_bytes
from rag.ocr.scan import Box, PageScan

if TYPE_CHECKING:
    from PIL.Image import Image

    from rag.ocr.reader import ScanReader

# Sharp enough at fit-to-width on a 1920-pixel screen; a quarter of the pixels of a 300 dpi read.
DISPLAY_DPI = 150


@dataclass(frozen=True)
class ScannedPageImage:
    doc_id: str
    page: int
    png: bytes  # greyscale page image, ``width`` x ``height`` pixels
    width: int
    height: int
    scan: PageScan  # what OCR read, boxes in pixels of the image it read (scan.width wide)

    @property
    def text(self) -> str:
        return self.scan.text

    def boxes_for(self, start: int, end: int) -> list[Box]:
        """Boxes of the words overlapping [start, end) of the page text, in this image's
        pixels."""
        x_scale, y_scale = self.width / self.scan.width, self.height / self.scan.height
        return [(round(left * x_scale), round(top * y_scale), round(right * x_scale),
                 round(bottom * y_scale))
                for left, top, right, bottom in self.scan.boxes_for(start, end)]


def scanned_page_image(doc_id: str, kind: str, paths: Sequence[str], page: int,
                       scan: PageScan, reader: ScanReader | None = None,
                       dpi: int = DISPLAY_DPI) -> ScannedPageImage | None:
    """Page ``page`` (1-based) of the first file in ``paths`` still holding ``doc_id``; None
    when none does. A ``scan`` stored without its words (an index that keeps redacted text
    only) is read again from the image, at the resolution it was first read."""
    for name in paths:
        path = Path(name)
        try:
            data = read_bytes(path)
            if content_hash(data) != doc_id:
                continue
            image, _ = render(kind, path, data, page - 1, dpi)
            if not scan.words:
                scan = _read_again(kind, path, data, page - 1, scan.dpi, reader)
        except (DocumentRefused, OSError):
            continue
        return ScannedPageImage(doc_id, page, _png(image), image.width, image.height, scan)
    return None


def render(kind: str, path: Path, data: bytes, index: int, dpi: int) -> tuple[Image, int]:
    """Page ``index`` (0-based) of a PDF or a (multi-page) image, greyscale, at ``dpi``."""
    if kind == "image":
        from rag.loaders.image import frame_image

        return frame_image(path, data, index, dpi)
    from rag.ocr.render import open_pdf, render_page

    return render_page(open_pdf(data, path.name), index, dpi)


def _read_again(kind: str, path: Path, data: bytes, index: int, dpi: int,
                reader: ScanReader | None) -> PageScan:
    from rag.ocr.reader import ScanReader

    reader = reader or ScanReader()
    scans = reader.read(content_hash(data), [(index + 1, lambda: render(kind, path, data,
                                                                         index, dpi))])
    return scans[index + 1]


def _png(image: Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
