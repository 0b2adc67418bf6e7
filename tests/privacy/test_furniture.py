"""Defined terms, headings and form titles are not people or organisations; real names in the
same documents still are. Through the real analyzer on the bundled samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.findings import Finding
from app.privacy.furniture import defined_terms, drop_document_furniture

SAMPLES = Path(__file__).resolve().parents[2] / "app" / "samples"


def _names(analyzer: PiiAnalyzer, text: str) -> set[str]:
    return {text[f.start:f.end] for f in analyzer.analyze(text)
            if f.entity_type in ("PERSON", "ORGANIZATION")}


def test_contract_roles_and_cross_references_are_not_names(analyzer: PiiAnalyzer) -> None:
    names = _names(analyzer, (SAMPLES / "services_agreement.md").read_text(encoding="utf-8"))
    assert not {name for name in names if "Supplier" in name or "Client" in name
                or "Schedule" in name}
    assert {"Dana Whitfield", "Marcus Ortega"} <= names


def test_form_titles_are_not_names(analyzer: PiiAnalyzer) -> None:
    names = _names(analyzer, (SAMPLES / "patient_intake.md").read_text(encoding="utf-8"))
    assert not {name for name in names if "Intake" in name or "Form" in name}
    assert {"Eleanor J. Marsh", "Kevin Osei"} <= names


@pytest.mark.parametrize(("text", "term"), [
    ('Acme Ltd. ("Supplier") and Beta Inc. ("Client")', "supplier"),
    ('“Licensed Product” means the software', "licensed product"),
    ("hereinafter referred to as the 'Buyer'", "buyer"),
])
def test_definitions_are_read_in_their_usual_forms(text: str, term: str) -> None:
    assert term in defined_terms(text)


def test_a_defined_term_that_is_part_of_a_name_stays_a_name() -> None:
    text = 'Dana Whitfield ("Whitfield") agrees. Whitfield signs.'
    findings = [Finding("PERSON", 0, 14, 0.85, "FilteredSpacyRecognizer"),
                Finding("PERSON", 37, 46, 0.85, "FilteredSpacyRecognizer")]
    assert drop_document_furniture(text, findings) == findings


def test_numbered_headings_are_not_organisations() -> None:
    text = "## 4. Confidentiality Obligations\nEach party keeps secrets."
    findings = [Finding("ORGANIZATION", 6, 33, 0.6, "FilteredSpacyRecognizer")]
    assert drop_document_furniture(text, findings) == []


def test_a_numbered_part_of_the_document_is_not_an_address() -> None:
    text = "ARTICLE 1 DEFINITIONS 2\n\nSection 1"
    findings = [Finding("STREET_ADDRESS", 8, len(text), 0.85, "StreetAddressRecognizer")]
    assert drop_document_furniture(text, findings) == []


def test_the_sample_agreement_shows_no_role_or_defined_term_as_a_name(
        analyzer: PiiAnalyzer) -> None:
    text = (SAMPLES / "services_agreement.md").read_text(encoding="utf-8")
    findings = analyzer.analyze(text)
    names = {text[f.start:f.end] for f in findings
             if f.entity_type in ("PERSON", "ORGANIZATION")}
    assert not names & {"COO", "General", "General Counsel", "Confidential Information"}
    # the governing law's state is a jurisdiction, not personal data (issue 28)
    assert not any("New York" in text[f.start:f.end] for f in findings)


def test_the_sample_intake_form_shows_its_contacts_and_no_headings(
        analyzer: PiiAnalyzer) -> None:
    text = (SAMPLES / "patient_intake.md").read_text(encoding="utf-8")
    found = {(f.entity_type, text[f.start:f.end]) for f in analyzer.analyze(text)}
    assert ("PERSON", "Thomas Marsh") in found  # "Marsh" in the e-mail is not a common word
    assert ("STREET_ADDRESS", "44 Willow Lane, Springfield, IL 62704") in found  # no "Phone"
    assert not {value for _, value in found if "Allergies" in value or "November" in value
                and not value.startswith("3 November 2026") or value == "3 November 2026."}


@pytest.mark.parametrize(("value", "kept"), [
    ("COO", False), ("General Counsel", False), ("Chief Operating Officer", False),
    ("VP, Legal", False), ("Thomas Marsh", True), ("Office Depot", True),
])
def test_role_titles_are_not_names(value: str, kept: bool) -> None:
    text = f"Signed by Dana Whitfield, {value}, today."
    start = text.index(value, 20)
    finding = Finding("ORGANIZATION", start, start + len(value), 0.6, "FilteredSpacyRecognizer")
    assert (drop_document_furniture(text, [finding]) == [finding]) is kept


@pytest.mark.parametrize(("text", "term", "kept"), [
    ("Each party protects the other party's Confidential Information.",
     "Confidential Information", False),
    ("The Supplier shall indemnify its Affiliates.", "Affiliates", False),
    ("The loan from Harbor Mutual was repaid.", "Harbor Mutual", True),
])
def test_an_organisation_after_a_possessive_is_a_defined_term(text: str, term: str,
                                                              kept: bool) -> None:
    start = text.index(term)
    finding = Finding("ORGANIZATION", start, start + len(term), 0.6, "FilteredSpacyRecognizer")
    assert (drop_document_furniture(text, [finding]) == [finding]) is kept


def test_a_markdown_heading_is_not_a_name() -> None:
    text = "## Allergies\nPenicillin (rash)."
    findings = [Finding("ORGANIZATION", 3, 12, 0.6, "FilteredSpacyRecognizer")]
    assert drop_document_furniture(text, findings) == []


def test_a_company_role_in_parentheses_is_a_defined_term_without_quotes() -> None:
    text = ("Entered into by Eastgate Gas Limited Partnership (Transporter) and NORTHLINE "
            "PIPELINE COMPANY (Shipper). Transporter ships. Call Thomas Marsh (Tom).")
    assert {"transporter", "shipper"} == defined_terms(text)


def test_a_defined_term_beside_words_that_are_no_name_is_still_a_role() -> None:
    text = 'Beta Inc. ("Licensee"). Licensee Premises are listed. Licensee pays.'
    premises, alone = text.index("Licensee Premises"), text.rindex("Licensee")
    findings = [Finding("PERSON", premises, premises + 17, 0.85, "FilteredSpacyRecognizer"),
                Finding("PERSON", alone, alone + 8, 0.85, "FilteredSpacyRecognizer")]
    assert drop_document_furniture(text, findings) == []
