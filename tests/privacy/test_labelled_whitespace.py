"""A label and its value separated by any whitespace are still a labelled identifier: a line
break, several spaces, a tab, a blank line, a PDF's column gap, a table's next cell. Every label
form of the labelled-identifier table with each separator, in plain text, in a real DOCX and in a
real PDF read by the real loaders; the values must be inside a finding of the real analyzer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from app.privacy.analyzer import PiiAnalyzer
from rag.loaders import load_document
from tests.privacy.conftest import found
from tests.privacy.labelled_cases import WHITESPACE_SEPARATORS, Case, every_label

FRAME = "Intake form, page 2\n{text}\nReviewed by the front desk."
PAIRS = [(case.text[:case.start], case.text[case.start:]) for case in every_label(" ")]
PER_PAGE = 18  # label/value pairs per PDF page: a pair never straddles a page break


def _missed(analyzer: PiiAnalyzer, texts: Sequence[str], values: Sequence[str]) -> list[str]:
    """The values not wholly inside a finding of the text holding them."""
    findings = analyzer.analyze_many(list(texts))
    missed = []
    for text, value, found_here in zip(texts, values, findings, strict=True):
        start = text.index(value)
        if not any(f.start <= start and start + len(value) <= f.end for f in found_here):
            missed.append(f"{text!r}")
    return missed


@pytest.mark.parametrize("separator", list(WHITESPACE_SEPARATORS.values()),
                         ids=list(WHITESPACE_SEPARATORS))
def test_every_label_form_with_any_whitespace_before_its_value_is_redacted_in_text(
        analyzer: PiiAnalyzer, separator: str) -> None:
    cases: list[Case] = list(every_label(separator))
    texts = [FRAME.format(text=case.text) for case in cases]
    assert _missed(analyzer, texts, [case.text[case.start:] for case in cases]) == []


def test_the_issue_line_is_redacted(analyzer: PiiAnalyzer) -> None:
    assert ("US_SSN", "123-45-6789") in found(analyzer,
                                              "Patient John Smith SSN\n123-45-6789.\n")


@pytest.mark.parametrize("text", [
    "Total account\n12345 Main Street was sold.",  # a weak label needs an id word across lines
    "Member\nsince 2019",
    "Plan year\n2021",
    "Account balance\n12,345.67",
])
def test_a_label_word_at_a_line_end_does_not_claim_the_next_lines_number(
        analyzer: PiiAnalyzer, text: str) -> None:
    assert not {entity for entity, _ in found(analyzer, text)} & {
        "US_BANK_NUMBER", "HEALTH_PLAN_ID", "MEDICAL_RECORD_NUMBER"}


# ----- real documents: each layout puts every label and its value in one way
def _docx(path: Path, layout: Callable[..., None]) -> Path:
    import docx

    document = docx.Document()
    for label, value in PAIRS:
        layout(document, label, value)
    document.save(str(path))
    return path


def _docx_line_break(document: object, label: str, value: str) -> None:
    run = document.add_paragraph().add_run(label)  # type: ignore[attr-defined]
    run.add_break()
    run.add_text(value)


def _docx_tab(document: object, label: str, value: str) -> None:
    document.add_paragraph(f"{label}\t{value}")  # type: ignore[attr-defined]


def _docx_spaces(document: object, label: str, value: str) -> None:
    document.add_paragraph(f"{label}      {value}")  # type: ignore[attr-defined]


def _docx_next_paragraph(document: object, label: str, value: str) -> None:
    document.add_paragraph(label)  # type: ignore[attr-defined]
    document.add_paragraph(value)  # type: ignore[attr-defined]


def _docx_table_cells(document: object, label: str, value: str) -> None:
    cells = document.add_table(rows=1, cols=2).rows[0].cells  # type: ignore[attr-defined]
    cells[0].text, cells[1].text = label, value


DOCX_LAYOUTS = {"line break": _docx_line_break, "tab": _docx_tab,
                "several spaces": _docx_spaces, "next paragraph": _docx_next_paragraph,
                "table cells": _docx_table_cells}


def _pdf(path: Path, layout: Callable[..., None]) -> Path:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("Helvetica", size=10)
    for number, (label, value) in enumerate(PAIRS):
        if number % PER_PAGE == 0:
            document.add_page()
        layout(document, label, value)
    document.output(str(path))
    return path


def _pdf_line_break(document: object, label: str, value: str) -> None:
    document.multi_cell(0, 5, f"{label}\n{value}", new_x="LMARGIN",  # type: ignore[attr-defined]
                        new_y="NEXT")


def _pdf_column_gap(document: object, label: str, value: str) -> None:
    document.cell(95, 8, label)  # type: ignore[attr-defined]
    document.cell(80, 8, value, new_x="LMARGIN", new_y="NEXT")  # type: ignore[attr-defined]


def _pdf_table_cells(document: object, label: str, value: str) -> None:
    with document.table(col_widths=(60, 60), width=120) as table:  # type: ignore[attr-defined]
        row = table.row()
        row.cell(label)
        row.cell(value)


PDF_LAYOUTS = {"line break": _pdf_line_break, "column gap": _pdf_column_gap,
               "table cells": _pdf_table_cells}


def _values_missed_in(analyzer: PiiAnalyzer, path: Path) -> list[str]:
    document = load_document(path)
    texts, values = [], []
    for label, value in PAIRS:
        page = next((page.text for page in document.pages if value in page.text), None)
        assert page is not None, f"{value} of {label!r} not in the loaded text"
        texts.append(page)
        values.append(value)
    pages = {text: findings for text, findings in zip(
        dict.fromkeys(texts), analyzer.analyze_many(list(dict.fromkeys(texts))), strict=True)}
    missed = []
    for (label, value), text in zip(PAIRS, texts, strict=True):
        start = text.index(value)
        if not any(f.start <= start and start + len(value) <= f.end for f in pages[text]):
            line = text[max(0, start - len(label) - 8):start + len(value)]
            missed.append(repr(line))
    return missed


@pytest.mark.parametrize("layout", list(DOCX_LAYOUTS))
def test_every_label_form_is_redacted_in_a_word_document(
        analyzer: PiiAnalyzer, tmp_path: Path, layout: str) -> None:
    path = _docx(tmp_path / "form.docx", DOCX_LAYOUTS[layout])
    assert _values_missed_in(analyzer, path) == []


@pytest.mark.parametrize("layout", list(PDF_LAYOUTS))
def test_every_label_form_is_redacted_in_a_pdf(
        analyzer: PiiAnalyzer, tmp_path: Path, layout: str) -> None:
    path = _pdf(tmp_path / "form.pdf", PDF_LAYOUTS[layout])
    assert _values_missed_in(analyzer, path) == []
