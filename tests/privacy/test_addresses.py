from __future__ import annotations

import pytest

from app.privacy.addresses import complete_addresses
from app.privacy.findings import Finding


def _address(text: str, part: str) -> Finding:
    start = text.index(part)
    return Finding("STREET_ADDRESS", start, start + len(part), 0.85, "StreetAddressRecognizer")


@pytest.mark.parametrize(("text", "found", "full"), [
    ("Ship to 12 Elm Road\nLEEDS\nUnited Kingdom LS1 4DY", "12 Elm Road\nLEEDS\nUnited",
     "12 Elm Road\nLEEDS\nUnited Kingdom LS1 4DY"),
    ("Meet me at Korvenkatu 14 Suite 2, then lunch.", "14 Suite 2", "Korvenkatu 14 Suite 2"),
    ("Address: Via Roma 7", "7", "Via Roma 7"),
])
def test_an_address_found_in_part_is_completed_on_its_lines(text: str, found: str,
                                                            full: str) -> None:
    [completed] = complete_addresses(text, [_address(text, found)])
    assert text[completed.start:completed.end] == full


def test_completion_stops_at_other_findings_and_document_structure() -> None:
    text = "Suite 901, St. Petersburg, FL"
    suite = _address(text, "Suite 901")
    city = Finding("LOCATION", text.index("St."), text.index(", FL"), 0.85)
    assert complete_addresses(text, [suite, city]) == [suite, city]
    heading = "ARTICLE 12 Main Street obligations"
    found = _address(heading, "12 Main Street")
    assert complete_addresses(heading, [found]) == [found]
