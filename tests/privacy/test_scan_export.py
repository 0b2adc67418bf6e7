"""A scanned intake form's redacted copy: values blacked out on the page image, no text layer,
and nothing recoverable by OCR (real Tesseract, real Presidio/spaCy)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.export import export_redacted
from app.privacy.policy import get_policy
from rag.loaders import load_document
from tests.ocr.scans import write_scanned_pdf

IDENTIFIERS = ("Eleanor", "Marsh", "12/04/1958", "44 Willow Lane", "555-0193", "555-0148",
               "eleanor.marsh@example.com", "HMX-448812", "Kevin Osei")


def intake_form_lines() -> str:
    text = resources.files("app.samples").joinpath("patient_intake.md").read_text("utf-8")
    text = re.sub(r"[*#]", "", text).replace("\u2014", "-")
    return "\n".join(line.strip() for line in text.splitlines())


@pytest.fixture(scope="module")
def scanned_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scan")
    return write_scanned_pdf(folder / "intake_scan.pdf", [intake_form_lines()], dpi=300)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


@pytest.mark.slow
def test_the_scanned_form_reads_with_its_identifiers(scanned_form: Path) -> None:
    text = _flat(load_document(scanned_form).pages[0].text)
    assert all(value.lower() in text for value in IDENTIFIERS), text


@pytest.mark.slow
def test_redacted_scan_holds_no_identifier_in_image_or_text_layer(
        scanned_form: Path, tmp_path: Path, analyzer: PiiAnalyzer) -> None:
    output = tmp_path / "intake.redacted.pdf"
    report = export_redacted(scanned_form, output, analyzer, get_policy("standard"))
    assert report.total >= len(IDENTIFIERS) and report.pages == 1
    layer = "".join(page.extract_text() or "" for page in PdfReader(output).pages)
    assert layer.strip() == "", "an exported scan must carry no text layer"
    raw = output.read_bytes()
    assert not any(value.encode() in raw for value in IDENTIFIERS)
    reread = _flat(load_document(output).pages[0].text)  # OCR of the exported image
    leaked = [value for value in IDENTIFIERS if value.lower() in reread]
    assert leaked == [], reread
    assert "metformin" in reread and "penicillin" in reread  # the rest stays readable
