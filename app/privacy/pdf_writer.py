"""A plain text PDF (fpdf2): one output page or more per source page, then a summary page."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from app.pdf_fonts import choose_font


def write_text_pdf(path: Path, pages: list[str], summary: list[str]) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    encode = choose_font(pdf)
    for text in [*pages, "\n".join(summary)]:
        pdf.add_page()
        pdf.multi_cell(0, 5, encode(text) or " ")
    pdf.output(str(path))
