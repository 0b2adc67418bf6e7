"""A jurisdiction in a contract (governing law, courts, incorporation) is not personal data;
a place where a person lives still is."""

from __future__ import annotations

import pytest

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.findings import Finding
from app.privacy.jurisdictions import is_jurisdiction


def finding_of(text: str, value: str, kind: str = "LOCATION") -> Finding:
    start = text.index(value)
    return Finding(kind, start, start + len(value), 0.85)


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("This Agreement is governed by the laws of the State of New York.",
     "the State of New York", "LOCATION"),
    ("governed by and construed in accordance with the laws of Illinois", "Illinois",
     "LOCATION"),
    ("submit to the exclusive jurisdiction of the state and federal courts located in Cook "
     "County, Illinois", "Cook County", "LOCATION"),
    ("a corporation incorporated under the laws of Delaware", "Delaware", "LOCATION"),
    ("This Agreement is governed by the laws of the State of New York.",
     "State of New York", "ORGANIZATION"),
])
def test_a_jurisdiction_is_not_personal_data(text: str, value: str, kind: str) -> None:
    assert is_jurisdiction(text, finding_of(text, value, kind))


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("The patient lives in Springfield, Illinois.", "Springfield", "LOCATION"),
    ("Address: 12 Harbor Road, Portland, Maine", "Portland", "LOCATION"),
    ("This Agreement is governed by Acme Holdings' policies.", "Acme Holdings",
     "ORGANIZATION"),
    ("under the laws of the State of New York, John Smith", "John Smith", "PERSON"),
])
def test_a_place_or_party_outside_a_jurisdiction_cue_stays(text: str, value: str,
                                                           kind: str) -> None:
    assert not is_jurisdiction(text, finding_of(text, value, kind))


def test_the_analyzer_keeps_the_governing_law_state_out_and_the_patients_city_in(
        analyzer: PiiAnalyzer) -> None:
    text = ("12. Governing Law. This Agreement shall be governed by the laws of the State of "
            "New York.\nThe patient, Maria Lopez, lives at 44 Elm Street, Springfield, "
            "Illinois 62704.")
    found = {text[f.start:f.end]: f.entity_type for f in analyzer.analyze(text)}
    assert not any("New York" in value for value in found), found
    assert any("Maria Lopez" in value for value in found), found
    assert any("Springfield" in value or "Elm Street" in value for value in found), found
