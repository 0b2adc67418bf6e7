"""Redacted exports of the shared PDFs and contracts contain none of the values found in them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.anonymize import mentions_pattern, without_replacements
from app.privacy.export import default_output, export_redacted
from app.privacy.policy import get_policy
from core.errors import InputError
from rag.loaders import load_document
from tests.conftest import SHARED_DATA

CUAD = SHARED_DATA / "contracts" / "cuad"
SAMPLES = SHARED_DATA / "pdfs" / "pypdf-samples"


def _first(folder: Path, pattern: str) -> Path:
    files = sorted(folder.rglob(pattern))
    if not files:
        pytest.skip(f"shared data missing: {folder}/{pattern}")
    return files[0]


def _detected_values(analyzer: PiiAnalyzer, source: Path) -> set[str]:
    values = set()
    for page in load_document(source).pages:
        for finding in analyzer.analyze(page.text):
            if finding.entity_type != "ORGANIZATION" and finding.end - finding.start >= 2:
                values.add(page.text[finding.start:finding.end])
    return values


def _exported_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("source", [
    pytest.param(("contracts/cuad/full_contract_pdf", "BIOAMBERINC*.pdf"), id="contract-pdf"),
    pytest.param(("contracts/cuad/full_contract_pdf", "Mphase*.pdf"), id="contract-pdf-2"),
    pytest.param(("contracts/cuad/full_contract_txt", "VIVINT SOLAR*.txt"), id="contract-txt"),
    pytest.param(("pdfs/pypdf-samples", "*google-doc*.pdf"), id="sample-pdf"),
])
def test_redacted_exports_contain_none_of_the_detected_values(
        analyzer: PiiAnalyzer, tmp_path: Path, source: tuple[str, str]) -> None:
    document = _first(SHARED_DATA / source[0], source[1])
    values = _detected_values(analyzer, document)
    assert values, "the test document should hold some personal data"
    detected = mentions_pattern(values)
    for suffix in (".md", ".txt", ".pdf"):
        report = export_redacted(document, tmp_path / f"copy{suffix}", analyzer,
                                 get_policy("standard"))
        exported = _exported_text(report.output).rsplit("Redacted copy", 1)[0]
        exported = without_replacements(exported)
        leaked = {match.group() for match in detected.finditer(exported)}
        assert not leaked, f"{suffix}: {len(leaked)} detected values left in the export"
        assert report.total >= len(values)


def test_summary_counts_types_and_never_shows_values(analyzer: PiiAnalyzer,
                                                     tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text("Patient Ann Lee, SSN 536-90-4399, phone (212) 555-0199.", encoding="utf-8")
    report = export_redacted(source, tmp_path / "note.redacted.md", analyzer,
                             get_policy("strict"))
    text = report.output.read_text(encoding="utf-8")
    assert report.counts["US_SSN"] == 1 and "| US_SSN | 1 |" in text
    assert "536-90-4399" not in text and "Ann Lee" not in text


def test_password_protected_pdf_is_refused_with_a_clear_message(analyzer: PiiAnalyzer,
                                                                tmp_path: Path) -> None:
    encrypted = _first(SAMPLES, "*password*.pdf")
    with pytest.raises(InputError, match="password"):
        export_redacted(encrypted, tmp_path / "x.md", analyzer, get_policy("standard"))


def test_unsupported_or_clobbering_outputs_are_refused(analyzer: PiiAnalyzer,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=".txt, .md or .pdf"):
        export_redacted(source, tmp_path / "a.docx", analyzer, get_policy("standard"))
    with pytest.raises(InputError, match="overwrite"):
        export_redacted(source, source, analyzer, get_policy("standard"))


def test_default_output_sits_next_to_the_source() -> None:
    assert default_output(Path("/d/report.pdf")) == Path("/d/report.redacted.pdf")
    assert default_output(Path("/d/letter.docx")) == Path("/d/letter.redacted.txt")
