"""Labelled identifiers are redacted whatever their checksum says; the label grammar does not
turn dates, amounts or prose into identifiers. Through the real analyzer (Presidio + spaCy)."""

from __future__ import annotations

import pytest

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.recognizers.labelled import CHECKED_SCORE, LABELLED_SCORE, labelled_score
from tests.privacy.conftest import found
from tests.privacy.labelled_cases import labelled_cases, unlabelled_cases

# Failing checksums or ranges, and labels no per-type recognizer knows.
LABELLED = [
    ("US_SSN", "SSN on file: 000-12-3456", "000-12-3456"),
    ("US_SSN", "Patient SSN (verified) #: 666-45-1234", "666-45-1234"),
    ("DEA_NUMBER", "The DEA number AB1234564 was on the script.", "AB1234564"),
    ("DEA_NUMBER", "Prescriber DEA #: FB9876542", "FB9876542"),
    ("NPI", "Billing NPI 1234567890 (Dr. office)", "1234567890"),
    ("US_EIN", "TIN/EIN: 07-3456789", "07-3456789"),
    ("LICENSE_NUMBER", "Driver's license (OH): RS123456", "RS123456"),
    ("LICENSE_NUMBER", "Driver's License No. D1234-5678-9012", "D1234-5678-9012"),
    ("LICENSE_NUMBER", "Passport No. 123456789", "123456789"),
    ("DEVICE_ID", "device serial for insulin pump: SN-88-1234", "SN-88-1234"),
    ("DEVICE_ID", "UDI: (01)00844588003288(17)141120", "(01)00844588003288(17)141120"),
    ("HEALTH_PLAN_ID", "Claim # 2024-118833 was denied", "2024-118833"),
    ("HEALTH_PLAN_ID", "Policy No. W88-1234-00", "W88-1234-00"),
    ("US_BANK_NUMBER", "Acct #: 000123456789", "000123456789"),
    ("MEDICAL_RECORD_NUMBER", "MRN on file - HX-97723481", "HX-97723481"),
    ("MEDICARE_MBI", "Medicare beneficiary ID: 1EG4TE5MK73", "1EG4TE5MK73"),
]

# Label words followed by something that is not an identifier.
NOT_IDENTIFIERS = [
    "Policy effective date: 01/02/2020",
    "Member since 2019",
    "Account balance: 12,345.67",
    "Plan Year: 2021",
    "Apache License, Version 2.0",
    "Schedule A, Section 12.3 claims 12 days",
    "The claim is pending review.",
    "Group of 12 patients",
]
LABELLED_TYPES = {"US_SSN", "DEA_NUMBER", "NPI", "US_EIN", "LICENSE_NUMBER", "DEVICE_ID",
                  "HEALTH_PLAN_ID", "US_BANK_NUMBER", "MEDICAL_RECORD_NUMBER", "MEDICARE_MBI"}


@pytest.mark.parametrize(("entity", "text", "value"), LABELLED)
def test_a_labelled_value_is_found_whatever_its_checksum(
        analyzer: PiiAnalyzer, entity: str, text: str, value: str) -> None:
    assert (entity, value) in found(analyzer, text)


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_label_words_before_dates_amounts_and_prose_find_nothing(
        analyzer: PiiAnalyzer, text: str) -> None:
    assert not {entity for entity, _ in found(analyzer, text)} & LABELLED_TYPES


def test_a_passing_checksum_raises_the_score_and_a_failing_one_keeps_it_above_threshold(
        analyzer: PiiAnalyzer) -> None:
    assert labelled_score("DEA_NUMBER", "AB1234563") == CHECKED_SCORE
    assert labelled_score("DEA_NUMBER", "AB1234564") == LABELLED_SCORE
    assert analyzer.score_threshold <= LABELLED_SCORE


def test_every_generated_labelled_value_is_redacted(analyzer: PiiAnalyzer) -> None:
    """A different seed from the benchmark's: the grammar is not fitted to one sample."""
    cases = list(labelled_cases(per_form=30, seed=2026))
    findings = analyzer.analyze_many([case.text for case in cases])
    missed = [case.text for case, found_here in zip(cases, findings, strict=True)
              if not any(f.start <= case.start and case.end <= f.end for f in found_here)]
    assert missed == []


def test_unlabelled_values_still_need_their_checksum(analyzer: PiiAnalyzer) -> None:
    cases = list(unlabelled_cases(count=30, seed=7))
    findings = analyzer.analyze_many([case.text for case in cases])
    assert not [case.text for case, found_here in zip(cases, findings, strict=True)
                if any(f.entity_type == case.form for f in found_here)]
