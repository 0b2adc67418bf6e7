"""Names spread to their other mentions: over NER guesses of another type, in lower-case
texts, and to the words listed with them (never to a job title)."""

from __future__ import annotations

import regex

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.findings import Finding
from app.privacy.propagation import mentions, with_names_propagated
from tests.privacy.conftest import found


def _ner(text: str, value: str, entity: str, score: float = 0.85, last: bool = False
         ) -> Finding:
    start = text.rindex(value) if last else text.index(value)
    return Finding(entity, start, start + len(value), score, "FilteredSpacyRecognizer")


def _persons(text: str, findings: list[Finding]) -> list[str]:
    return [text[f.start:f.end] for f in findings if f.entity_type == "PERSON"]


def test_a_mention_typed_as_a_place_gives_way_to_the_name() -> None:
    text = "A film by Wiesława Odrowąż's studio. Critics loved Odrowąż."
    findings = [_ner(text, "Wiesława Odrowąż's", "PERSON"),
                _ner(text, "Odrowąż", "LOCATION", last=True)]
    result = with_names_propagated(text, findings)
    assert _persons(text, result) == ["Wiesława Odrowąż's", "Odrowąż"]
    assert all(f.entity_type == "PERSON" for f in result)


def test_a_pattern_finding_is_never_overwritten_by_a_name() -> None:
    text = "Call Brekke. Brekke Street 4 is the address."
    street = Finding("STREET_ADDRESS", 13, 28, 0.7, "StreetAddressRecognizer")
    result = with_names_propagated(text, [_ner(text, "Brekke", "PERSON"), street])
    assert street in result and _persons(text, result) == ["Brekke"]


def test_names_in_a_lower_case_text_spread_in_lower_case() -> None:
    text = "the songs of ilse vandermolen are sad. early vandermolen was better."
    result = with_names_propagated(text, [_ner(text, "ilse vandermolen", "PERSON")])
    assert _persons(text, result) == ["ilse vandermolen", "vandermolen"]


def test_a_job_title_after_a_name_is_not_listed_with_it() -> None:
    text = "Signed by Marcus Ortega, General\nCounsel, for the Client."
    result = with_names_propagated(text, [_ner(text, "Marcus Ortega", "PERSON")])
    assert _persons(text, result) == ["Marcus Ortega"]


def test_the_real_analyzer_spreads_a_name_over_other_guesses(analyzer: PiiAnalyzer) -> None:
    text = ("The novel was written by Halvard Brekke-Olsen in 1998. "
            "Readers still argue about Brekke-Olsen today.")
    assert ("PERSON", "Brekke-Olsen") in found(analyzer, text)


def test_mentions_are_what_one_alternation_regex_finds() -> None:
    text = ("Ann Lee-Smith met Lee, Ann Lee and Annabel; LeeAnn and 2Lee did not. Lee\u00e9 is "
            "not Lee. Ann Lee Ann Lee, Lee Ann.")
    for names in (["Ann Lee", "Lee", "Ann"], ["Lee-Smith", "Ann Lee"], ["Annabel", "Ann"]):
        names.sort(key=len, reverse=True)
        pattern = regex.compile(r"(?<![\p{L}\d])(?:" + "|".join(map(regex.escape, names)) +
                                r")(?![\p{L}\d])")
        assert mentions(text, names) == [m.span() for m in pattern.finditer(text)]
    assert mentions("Lee", ["Lee"]) == [(0, 3)]
