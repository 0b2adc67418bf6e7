"""A plain text PDF (fpdf2): one output page or more per source page, then a summary page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

UNICODE_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
                 Path("C:/Windows/Fonts/arial.ttf"), Path("/Library/Fonts/Arial Unicode.ttf"))


def write_text_pdf(path: Path, pages: list[str], summary: list[str]) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    encode = _choose_font(pdf)
    for text in [*pages, "\n".join(summary)]:
        pdf.add_page()
        pdf.multi_cell(0, 5, encode(text) or " ")
    pdf.output(str(path))


def _choose_font(pdf: FPDF) -> Callable[[str], str]:
    """A Unicode TrueType font when the system has one; else Helvetica (Latin-1 only)."""
    for font in UNICODE_FONTS:
        if font.is_file():
            pdf.add_font("Body", fname=str(font))
            pdf.set_font("Body", size=10)
            return lambda text: text
    pdf.set_font("Helvetica", size=10)
    return lambda text: text.encode("latin-1", "replace").decode("latin-1")
