from __future__ import annotations

import pytest

from app.privacy.anonymize import REDACTED, Replacer, mask, redact, value_hash
from app.privacy.findings import Finding, resolve_overlaps
from app.privacy.policy import Treatment

TEXT = "Ann Lee met Bob Ray. Ann Lee paid. SSN 536-90-4399."
FINDINGS = [Finding("PERSON", 0, 7, 0.9), Finding("PERSON", 12, 19, 0.9),
            Finding("PERSON", 21, 28, 0.9), Finding("US_SSN", 39, 50, 1.0)]


def test_placeholders_are_numbered_consistently_within_a_document() -> None:
    result = redact(TEXT, FINDINGS, Replacer(Treatment.PLACEHOLDER))
    assert result.text == "<PERSON_1> met <PERSON_2>. <PERSON_1> paid. SSN <US_SSN_1>."
    assert result.counts == {"PERSON": 3, "US_SSN": 1}


def test_redact_replaces_every_value_with_one_marker() -> None:
    result = redact(TEXT, FINDINGS, Replacer(Treatment.REDACT))
    assert result.text.count(REDACTED) == 4 and "Ann" not in result.text


def test_mask_keeps_the_shape_only() -> None:
    assert mask("536-90-4399") == "***-**-****"
    assert redact(TEXT, FINDINGS[3:], Replacer(Treatment.MASK)).text.endswith("***-**-****.")


def test_hashes_are_stable_salted_and_hide_the_value() -> None:
    result = redact(TEXT, FINDINGS, Replacer(Treatment.HASH, salt=b"s1"))
    assert result.text.count(f"<PERSON:{value_hash('Ann Lee', b's1')}>") == 2
    assert value_hash("Ann Lee", b"s1") != value_hash("Ann Lee", b"s2")
    assert "536" not in result.text


def test_other_mentions_of_a_found_value_are_replaced_too() -> None:
    text = "Ann Lee wrote. Later ANN LEE signed."
    result = redact(text, [Finding("PERSON", 0, 7, 0.9)], Replacer(Treatment.PLACEHOLDER))
    assert result.text == "<PERSON_1> wrote. Later <PERSON_1> signed."


def test_exempt_types_are_left_alone() -> None:
    findings = [Finding("ORGANIZATION", 0, 4, 0.6)]
    result = redact("Acme pays.", findings, Replacer(Treatment.REDACT), frozenset({"ORGANIZATION"}))
    assert result.text == "Acme pays." and not result.counts


@pytest.mark.parametrize("treatment", list(Treatment))
def test_no_findings_leave_the_text_unchanged(treatment: Treatment) -> None:
    assert redact(TEXT, [], Replacer(treatment)).text == TEXT


def test_overlaps_keep_strong_patterns_and_longer_spans() -> None:
    ner = Finding("DATE_TIME", 0, 20, 0.85, "FilteredSpacyRecognizer")
    ip = Finding("IP_ADDRESS", 0, 12, 1.0, "IpAddressRecognizer")
    assert resolve_overlaps([ner, ip]) == [ip]
    address = Finding("STREET_ADDRESS", 0, 40, 0.65, "StreetAddressRecognizer")
    city = Finding("LOCATION", 30, 40, 0.85, "FilteredSpacyRecognizer")
    assert resolve_overlaps([city, address]) == [address]
