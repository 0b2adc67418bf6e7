"""Markdown read as a person reads it, in the review pane, the chat's quotes and exports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.markdown_text import layout, plain
from app.privacy.findings import Finding

SOURCE = ("## 1. Parties\n\n**Between** Northwind Analytics Ltd. and Harbor Mutual\n"
          "Insurance Co., the *Client*.\n\n- first item\n- second item\n\n| a | b |\n|---|---|\n")


def test_markup_is_hidden_and_wrapped_paragraph_lines_join() -> None:
    text = plain(SOURCE)
    assert "##" not in text and "**" not in text and "*Client*" not in text
    assert "Between Northwind Analytics Ltd. and Harbor Mutual Insurance Co., the Client." \
        in text
    assert "- first item\n- second item" in text  # list items stay on their lines
    assert "| a | b |\n|---|---|" in text  # a table is not reflowed


def test_a_forms_bold_labelled_fields_stay_on_their_own_lines() -> None:
    form = ("**Patient name:** Eleanor J. Marsh\n**Date of birth:** 12/04/1958\n"
            "**Address:** 44 Willow Lane,\nSpringfield\n**Phone**: 555\n")
    assert plain(form) == ("Patient name: Eleanor J. Marsh\nDate of birth: 12/04/1958\n"
                           "Address: 44 Willow Lane, Springfield\nPhone: 555\n")


def test_the_layout_keeps_the_offsets_of_the_source() -> None:
    shown = layout(SOURCE)
    assert shown.headings == ((3, SOURCE.index("\n")),)
    assert SOURCE.index("Mutual\n") + len("Mutual") in shown.joins
    assert SOURCE.index("**Between") in shown.hidden


def test_the_review_page_of_a_markdown_file_highlights_by_the_stored_offsets() -> None:
    from ui.highlight import page_html

    start = SOURCE.index("Harbor Mutual\nInsurance Co.")
    finding = Finding("ORGANIZATION", start, start + len("Harbor Mutual\nInsurance Co."), 0.9)
    page = page_html(SOURCE, [finding], markdown=True)
    assert "**" not in page and "##" not in page
    assert "<b>1. Parties</b>" in page
    assert "title='ORGANIZATION'>Harbor Mutual Insurance Co.</span>" in page


def test_a_chat_quote_of_a_markdown_file_reads_as_text() -> None:
    from app.history import QuoteRef
    from ui.transcript import quote_html

    quote = QuoteRef(number=1, text="**Between** Northwind Analytics Ltd. and Harbor\nMutual",
                     fact="")
    shown = quote_html(quote, None, 0)
    assert "**" not in shown and "Between Northwind Analytics Ltd. and Harbor Mutual" in shown


def test_a_redacted_pdf_of_a_markdown_file_has_no_markup(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from app.privacy.export import _write_pdf
    from app.privacy.policy import get_policy
    from app.privacy.report import RedactionReport
    from rag.documents import Page

    output = tmp_path / "intake.redacted.pdf"
    report = RedactionReport(tmp_path / "intake.md", output, 1, Counter())
    _write_pdf([Page(1, SOURCE)], report, get_policy("standard"))
    text = " ".join(PdfReader(output).pages[0].extract_text().split())
    assert "##" not in text and "**" not in text
    assert "Harbor Mutual Insurance Co., the Client." in text
