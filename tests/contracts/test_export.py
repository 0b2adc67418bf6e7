"""Exports carry every statement, quote and page: Markdown, JSON, DOCX and PDF."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from app.contracts import SUMMARY_SCHEMA, ContractSummary, export_summary, summarize_text
from app.contracts.document import ContractText, squash
from app.contracts.export import to_markdown
from app.contracts.summary import FieldResult
from core.errors import InputError


@pytest.fixture
def summary(sample_contract: ContractText) -> ContractSummary:
    return summarize_text(sample_contract)


def _quotes(summary: ContractSummary) -> list[str]:
    return [result.citation.quote for result in summary.fields if result.citation]


def test_markdown_has_statements_quotes_and_pages(summary: ContractSummary) -> None:
    text = to_markdown(summary)
    assert all(quote in text for quote in _quotes(summary))
    assert "(p. 3)" in text and "## Unusual or risky terms" in text


def test_markdown_marks_unverified_statements(summary: ContractSummary) -> None:
    law = summary.field("governing_law")
    bad = FieldResult(law.key, law.label, True, "Governed by the laws of 1999.", law.citation,
                      False, ("'1999' in the statement is not in the quote",))
    fields = tuple(bad if result.key == law.key else result for result in summary.fields)
    text = to_markdown(ContractSummary(**{**summary.__dict__, "fields": fields}))
    assert "**UNVERIFIED** ('1999' in the statement is not in the quote)" in text


def test_json_file_validates(summary: ContractSummary, tmp_path: Path) -> None:
    path = export_summary(summary, tmp_path / "summary.json")
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), SUMMARY_SCHEMA)


def test_docx_opens_and_holds_the_quotes(summary: ContractSummary, tmp_path: Path) -> None:
    import docx

    path = export_summary(summary, tmp_path / "summary.docx")
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    assert all(quote in text for quote in _quotes(summary))
    assert "(p. 2)" in text


def test_pdf_opens_and_holds_the_quotes(summary: ContractSummary, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = export_summary(summary, tmp_path / "summary.pdf")
    text = squash(" ".join(page.extract_text() for page in PdfReader(path).pages))
    for quote in _quotes(summary):
        assert squash(quote)[:60] in text
    assert "p. 3" in text


def test_unknown_format_is_refused(summary: ContractSummary, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Unknown export format 'rtf'"):
        export_summary(summary, tmp_path / "summary.rtf")
