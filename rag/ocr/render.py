"""Page images of a PDF, rendered with pdfium (pypdfium2), and how much of a page is image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rag.errors import CorruptFile, PasswordRequired

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_SIDE_PIXELS = 7000  # a poster-sized page is read at a lower resolution, not refused


def open_pdf(data: bytes, name: str, passwords: Sequence[str | bytes] = ("",)) -> Any:
    """The document opened with the first password that works (the PDF loader passes the
    same prepared variants it tried with pypdf)."""
    import pypdfium2 as pdfium

    failure = ""
    for password in passwords or ("",):
        try:
            return pdfium.PdfDocument(data, password=password or None)
        except (pdfium.PdfiumError, IndexError) as error:
            failure = str(error)
    if "password" in failure.lower():
        raise PasswordRequired(f"{name}: the page images are protected by a password.")
    raise CorruptFile(f"{name}: the page images cannot be read for OCR ({failure}).")


def render_page(document: Any, index: int, dpi: int) -> tuple[Image, int]:
    """Page ``index`` (0-based) in greyscale at ``dpi``, lowered if a side would pass
    MAX_SIDE_PIXELS; returns the image and the resolution actually used."""
    import pypdfium2 as pdfium

    try:
        page = document[index]
        width, height = page.get_size()  # points, 1/72 inch
        dpi = min(dpi, int(MAX_SIDE_PIXELS * 72 / max(width, height, 1)))
        bitmap = page.render(scale=dpi / 72, grayscale=True)
    except (pdfium.PdfiumError, IndexError) as error:
        raise CorruptFile(f"page {index + 1} cannot be rendered for OCR ({error}).") from None
    return bitmap.to_pil(), dpi


def image_coverage(document: Any, index: int) -> float:
    """The share of the page's area under image objects (0..1): a scanned page is ~1. A page
    pdfium cannot load (a damaged page pypdf repaired) is refused with CorruptFile."""
    import pypdfium2 as pdfium

    try:
        return _coverage(document[index])
    except (pdfium.PdfiumError, IndexError) as error:
        raise CorruptFile(f"page {index + 1} cannot be read for OCR ({error}).") from None


def _coverage(page: Any) -> float:
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    covered = 0.0
    for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = item.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * \
            max(0.0, min(top, height) - max(bottom, 0.0))
    return min(1.0, covered / max(width * height, 1.0))
