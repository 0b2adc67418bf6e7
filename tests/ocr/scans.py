"""Scans whose true text is known: real text PDFs (fpdf2) rendered to images by pdfium and saved
as image-only PDFs or TIFFs, as a scanner or a fax would deliver them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tests.rag.fakes import write_pdf

if TYPE_CHECKING:
    from PIL.Image import Image


def page_images(pages: Sequence[str], dpi: int = 200, font_size: int = 12) -> list[Image]:
    import tempfile

    import pypdfium2 as pdfium

    with tempfile.TemporaryDirectory() as folder:
        digital = write_pdf(Path(folder) / "digital.pdf", pages, font_size=font_size)
        document = pdfium.PdfDocument(digital.read_bytes())
        return [document[index].render(scale=dpi / 72, grayscale=True).to_pil()
                for index in range(len(document))]


def write_scanned_pdf(path: Path, pages: Sequence[str], dpi: int = 200,
                      font_size: int = 12) -> Path:
    """An image-only PDF: no text layer at all, one page image per text."""
    images = [image.convert("RGB") for image in page_images(pages, dpi, font_size)]
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def write_fax_tiff(path: Path, pages: Sequence[str]) -> Path:
    """A multi-page fax TIFF: 1-bit, 204x196 dpi (non-square pixels), Group 4 compressed."""
    frames = []
    for image in page_images(pages, dpi=204):
        squashed = image.resize((image.width, round(image.height * 196 / 204)))
        frames.append(squashed.convert("1"))
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:],
                   compression="group4", dpi=(204, 196))
    return path
