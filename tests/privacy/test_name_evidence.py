"""Names found from evidence spaCy does not use: shape, the gazetteer, e-mail user names,
speakers, places. Fast unit tests on made-up text, then the same through the real analyzer."""

from __future__ import annotations

import pytest

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.findings import Finding
from app.privacy.name_evidence import gazetteer_names, retype_names
from tests.privacy.conftest import found


def _ner(text: str, value: str, entity: str, score: float = 0.595) -> Finding:
    start = text.index(value)
    return Finding(entity, start, start + len(value), score, "FilteredSpacyRecognizer")


def _values(text: str, findings: list[Finding], entity: str = "PERSON") -> set[str]:
    return {text[f.start:f.end] for f in findings if f.entity_type == entity}


@pytest.mark.parametrize(("text", "value"), [
    ("Please send it to Orsolya T. Vemberg's office.", "Orsolya T. Vemberg's"),  # initial
    ("We spoke to Thomas Hallworth yesterday.", "Thomas Hallworth"),  # given name + known name
    ("Thank you, Margaret, for the notes.", "Margaret"),  # a given name alone
])
def test_organisations_with_a_persons_shape_become_persons(text: str, value: str) -> None:
    assert _values(text, retype_names(text, [_ner(text, value, "ORGANIZATION")])) == {value}


@pytest.mark.parametrize(("text", "value"), [
    ("Orders from Northwind Analytics Ltd. arrived.", "Northwind Analytics Ltd."),
    ("The Thomas Hallworth Foundation pays.", "Thomas Hallworth Foundation"),
    ("We opened an office in Victoria last year.", "Victoria"),  # a place after "in"
])
def test_companies_and_places_keep_their_type(text: str, value: str) -> None:
    entity = "LOCATION" if value == "Victoria" else "ORGANIZATION"
    assert retype_names(text, [_ner(text, value, entity)])[0].entity_type == entity


def test_another_mention_of_a_found_name_becomes_a_person() -> None:
    text = "Film by Wiesława Odrowąż. Critics loved Odrowąż."
    second = text.rindex("Odrowąż")
    findings = [_ner(text, "Wiesława Odrowąż", "PERSON", 0.85),
                Finding("LOCATION", second, second + 7, 0.85, "FilteredSpacyRecognizer")]
    assert _values(text, retype_names(text, findings)) == {"Wiesława Odrowąż", "Odrowąż"}


def test_countries_typed_as_persons_are_places_and_compass_words_are_left_out() -> None:
    text = "Sweden was lovely; the firm serves Southern Portugal."
    retyped = retype_names(text, [_ner(text, "Sweden", "PERSON", 0.85),
                                  _ner(text, "Southern Portugal", "ORGANIZATION")])
    assert _values(text, retyped, "LOCATION") == {"Sweden", "Portugal"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Emergency contact: Thomas Marsh (son).", {"Thomas Marsh"}),
    ("Ask Lucia K Brandvold about it.", {"Lucia K Brandvold"}),  # initial: one known is enough
    ("Greta: Are we late?\nBrannoch: Not yet.\n", {"Greta", "Brannoch"}),  # speakers
    ("Why is Ingrid always so late?", {"Ingrid"}),  # a given name alone in a sentence
    ("Signe, can you call me back?", {"Signe"}),  # addressed at the start of a line
    ("follow up with thomas marsh next week.", {"thomas marsh"}),  # a text in lower case
])
def test_names_spacy_left_alone_are_found(text: str, expected: set[str]) -> None:
    assert _values(text, gazetteer_names(text, [])) == expected


@pytest.mark.parametrize("text", [
    "American Red Ball Movers delivered it.",  # inside a longer capitalised title
    "Grace Period ends on the grace date.",  # "grace" is written in lower case here
    "We flew to Georgia in May.",  # a place after a place preposition, a month
    "Chief Executive Officer Report",  # job-title words are not names
])
def test_capitalised_words_that_are_not_names_stay_unflagged(text: str) -> None:
    assert _values(text, gazetteer_names(text, [])) == set()


@pytest.mark.parametrize(("text", "places"), [
    ('The song "Carry Me Back To Portugal" was a hit.', {"Portugal"}),
    ("We flew to Georgia in May.", {"Georgia"}),  # a given name too, after "to": a place
    ("Georgia called me yesterday.", set()),
    ("She moved to New South Wales.", {"New South Wales"}),
])
def test_countries_and_states_found_by_nothing_are_places(text: str, places: set[str]) -> None:
    assert _values(text, gazetteer_names(text, []), "LOCATION") == places


@pytest.mark.parametrize(("text", "value", "entity"), [
    ("Lunch on Marina Fort Street today.", "Marina Fort", "LOCATION"),
    ("Concert by the Williamson Orchestra tonight.", "Williamson Orchestra", "ORGANIZATION"),
])
def test_spacy_persons_that_are_streets_or_companies(text: str, value: str,
                                                     entity: str) -> None:
    [retyped] = retype_names(text, [_ner(text, value, "PERSON", 0.85)])
    assert retyped.entity_type == entity
    assert text[retyped.start:retyped.end].startswith(value)


def test_a_defined_term_after_a_determiner_is_not_a_given_name() -> None:
    text = "All Expenses, subject to the Cap, are paid. Any Grant is final."
    assert _values(text, gazetteer_names(text, [])) == set()


def test_words_an_email_user_name_spells_are_a_name_without_any_name_list() -> None:
    text = "Qorvanth Ebbelund\nAccountant\nE-mail: QorvanthEbbelund@example.org\n"
    assert _values(text, gazetteer_names(text, [])) == {"Qorvanth Ebbelund"}


def test_the_real_analyzer_finds_mistyped_and_missed_names(analyzer: PiiAnalyzer) -> None:
    text = ("Minutes. Present: Thomas Marsh and Orsolya T. Vemberg.\n"
            "Orsolya: The audit is done.\nThomas: Thanks.\n"
            "Qorvanth Ebbelund (qorvanth.ebbelund@example.org) will file the report.")
    values = {value for entity, value in found(analyzer, text) if entity == "PERSON"}
    assert {"Thomas Marsh", "Orsolya T. Vemberg", "Orsolya", "Thomas",
            "Qorvanth Ebbelund"} <= values


def test_the_real_analyzer_reads_a_text_written_in_lower_case(analyzer: PiiAnalyzer) -> None:
    text = "hi, my name is orsolya vemberg and i live at 12 quarry lane, leeds. orsolya"
    values = found(analyzer, text)
    assert ("PERSON", "orsolya vemberg") in values
    assert ("PERSON", "orsolya") in values
    assert any(entity == "STREET_ADDRESS" and value.startswith("12 quarry lane")
               for entity, value in values)


def test_a_pair_takes_over_the_ner_guesses_inside_it() -> None:
    text = "We need to add Lucia P Brandvold as guardian."
    findings = [_ner(text, "Brandvold", "LOCATION", 0.85)]
    result = retype_names(text, findings)
    names = gazetteer_names(text, result)
    assert _values(text, names) == {"Lucia P Brandvold"}
    from app.privacy.name_evidence import with_name_evidence
    assert [(f.entity_type, text[f.start:f.end]) for f in with_name_evidence(text, findings)] \
        == [("PERSON", "Lucia P Brandvold")]


def test_a_place_that_is_also_a_surname_is_a_place_only_after_a_place_word() -> None:
    assert _values("Ask Ryan P Costa today.", gazetteer_names(
        "Ask Ryan P Costa today.", []), "LOCATION") == set()
    text = "Kuba, can I speak to your boss?"
    assert retype_names(text, [_ner(text, "Kuba", "PERSON", 0.85)])[0].entity_type == "PERSON"
