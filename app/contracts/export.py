"""Exports of a summary: JSON, Markdown, DOCX and PDF, each with page citations and quotes."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from app.contracts.summary import Citation, ContractSummary, FieldResult
from app.markdown_text import plain
from app.pdf_fonts import choose_font
from core.disk import written_whole
from core.errors import InputError

UNVERIFIED = "UNVERIFIED"


def to_json(summary: ContractSummary) -> str:
    return json.dumps(summary.to_dict(), indent=2, ensure_ascii=False)


# A heading mark in a quote whose whitespace was collapsed: at its start or after a sentence
# ("... 1 March 2026. ## 1. Services"), no longer at the start of a line for plain() to see.
_FLAT_HEADING = re.compile(r"(?:^|(?<=[.:;!?)\"\u201d]\s))#{1,6}\s+(?=\S)")


def pages(count: int) -> str:
    return f"{count} page" + ("" if count == 1 else "s")


def shown_quote(quote: str) -> str:
    """A quote as read: on one line, a Markdown source's markup hidden ("**Between**")."""
    return _FLAT_HEADING.sub("", " ".join(plain(quote).split()))


def cite(citation: Citation | None) -> str:
    if citation is None:
        return ""
    where = f"p. {citation.page}" + (f", {citation.annex}" if citation.annex else "")
    return f"({where})"


def to_markdown(summary: ContractSummary) -> str:
    lines = [f"# Contract summary: {summary.title}", "",
             f"*Source:* `{summary.source}` ({summary.kind}, {pages(summary.page_count)})", "",
             "## Overview", "", summary.overview, ""]
    lines += [f"> Note: {note}" for note in summary.notes] + ([""] if summary.notes else [])
    lines += ["## Unusual or risky terms", ""]
    lines += [f"- **{risk.title}**: {risk.explanation} {cite(risk.citation)}"
              for risk in summary.risks] or ["- None flagged."]
    lines += ["", "## Terms", ""]
    for result in summary.fields:
        lines += _markdown_field(result)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_field(result: FieldResult) -> list[str]:
    if not result.found or result.citation is None:
        return [f"### {result.label}", "", "Not found.", ""]
    flag = "" if result.verified else f"**{UNVERIFIED}** ({'; '.join(result.problems)}): "
    quote = shown_quote(result.citation.quote)
    by_model = " *(worded by the local model)*" if result.wording == "model" else ""
    lines = [f"### {result.label}", "",
             f"{flag}{result.statement} {cite(result.citation)}{by_model}", "",
             f"> \"{quote}\"", ""]
    for other in result.more_citations:
        lines += [f"Also {cite(other)}:", "", f"> \"{shown_quote(other.quote)}\"", ""]
    return lines


def write_markdown(summary: ContractSummary, path: Path) -> None:
    path.write_text(to_markdown(summary), encoding="utf-8")


def write_json(summary: ContractSummary, path: Path) -> None:
    path.write_text(to_json(summary) + "\n", encoding="utf-8")


def write_docx(summary: ContractSummary, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(f"Contract summary: {summary.title}", level=1)
    document.add_paragraph(f"Source: {summary.source} ({summary.kind}, "
                           f"{pages(summary.page_count)})")
    document.add_heading("Overview", level=2)
    document.add_paragraph(summary.overview)
    for note in summary.notes:
        document.add_paragraph(f"Note: {note}")
    document.add_heading("Unusual or risky terms", level=2)
    for risk in summary.risks or ():
        document.add_paragraph(f"{risk.title}: {risk.explanation} {cite(risk.citation)}",
                               style="List Bullet")
    if not summary.risks:
        document.add_paragraph("None flagged.")
    document.add_heading("Terms", level=2)
    for result in summary.fields:
        document.add_heading(result.label, level=3)
        document.add_paragraph(_plain_statement(result))
        if result.found and result.citation is not None:
            document.add_paragraph(f"\u201c{shown_quote(result.citation.quote)}\u201d",
                                   style="Quote")
        for other in result.more_citations:
            document.add_paragraph(f"Also {cite(other)}: \u201c{shown_quote(other.quote)}\u201d",
                                   style="Quote")
    # Built in memory, then written in one piece: python-docx writes its zip straight to the
    # file and, when the disk fills mid-write, leaves the archive open; its close then fails at
    # an arbitrary later moment (garbage collection), once inside ast.parse in CI.
    built = io.BytesIO()
    document.save(built)
    path.write_bytes(built.getvalue())


def _plain_statement(result: FieldResult) -> str:
    if not result.found:
        return "Not found."
    flag = "" if result.verified else f"{UNVERIFIED} ({'; '.join(result.problems)}): "
    return f"{flag}{result.statement} {cite(result.citation)}"


def write_pdf(summary: ContractSummary, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    encode = choose_font(pdf)

    def block(text: str, size: int = 10, gap: float = 2.0) -> None:
        pdf.set_font_size(size)
        pdf.multi_cell(0, size * 0.5, encode(text) or " ", new_x="LMARGIN", new_y="NEXT",
                       align="L")  # fpdf justifies by default: "Contract      summary:"
        pdf.ln(gap)

    block(f"Contract summary: {summary.title}", 15)
    block(f"Source: {summary.source} ({summary.kind}, {pages(summary.page_count)})")
    block("Overview", 13)
    block(summary.overview)
    for note in summary.notes:
        block(f"Note: {note}")
    block("Unusual or risky terms", 13)
    for risk in summary.risks:
        block(f"- {risk.title}: {risk.explanation} {cite(risk.citation)}")
    if not summary.risks:
        block("None flagged.")
    block("Terms", 13)
    for result in summary.fields:
        block(result.label, 11, 1.0)
        block(_plain_statement(result), 10, 1.0)
        if result.found and result.citation is not None:
            block(f"\u201c{shown_quote(result.citation.quote)}\u201d", 9, 3.0)
        for other in result.more_citations:
            block(f"Also {cite(other)}: \u201c{shown_quote(other.quote)}\u201d", 9, 3.0)
    pdf.output(str(path))


WRITERS: dict[str, Callable[[ContractSummary, Path], None]] = {
    "md": write_markdown, "json": write_json, "docx": write_docx, "pdf": write_pdf,
}


def format_of(path: Path, requested: str | None = None) -> str:
    fmt = (requested or path.suffix.lstrip(".") or "md").lower()
    fmt = {"markdown": "md"}.get(fmt, fmt)
    if fmt not in WRITERS:
        raise InputError(f"Unknown export format {fmt!r}: use one of {', '.join(WRITERS)}.")
    return fmt


def export_summary(summary: ContractSummary, path: Path, fmt: str | None = None) -> Path:
    """Write the summary to ``path`` in ``fmt`` (md, json, docx, pdf; default from suffix)."""
    path, writer = Path(path), WRITERS[format_of(path, fmt)]
    with written_whole(path, "The summary was not exported") as temporary:
        writer(summary, temporary)
    return path
