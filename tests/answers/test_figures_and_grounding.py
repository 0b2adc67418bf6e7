"""Figures read to one form, and the grounding check that relies on them: tables of cases."""

from __future__ import annotations

from datetime import date

import pytest

from app.answers import figures
from app.answers.grounding import names, unsupported


@pytest.mark.parametrize(("words", "value"), [
    ("ninety", 90), ("twenty-four", 24), ("one hundred twenty", 120), ("thirty", 30),
    ("two thousand and five", 2005), ("seven", 7), ("notice", None),
])
def test_number_words_have_their_value(words: str, value: int | None) -> None:
    assert figures.number_value(words) == value


@pytest.mark.parametrize(("text", "expected"), [
    ("ninety (90) days' written notice", {(90.0, "day")}),
    ("within thirty days", {(30.0, "day")}),
    ("for successive one (1) year terms", {(1.0, "year"), (12.0, "month")}),
    ("twelve (12) months", {(12.0, "month"), (1.0, "year")}),
    ("60 business days", {(60.0, "day")}),
])
def test_durations_written_any_way_are_the_same(text: str,
                                                expected: set[tuple[float, str]]) -> None:
    assert figures.durations(text) == expected


@pytest.mark.parametrize("text", [
    "May 8, 2014", "the 8th day of May, 2014", "8 May 2014", "5/8/14", "2014-05-08",
    "dated as of May 8th, 2014",
])
def test_dates_written_any_way_are_the_same(text: str) -> None:
    assert figures.dates(text) == {date(2014, 5, 8)}


@pytest.mark.parametrize(("sentence", "evidence"), [
    ("90 days' written notice is needed.",
     "Either party may terminate for convenience on ninety (90) days' written notice."),
    ("Ninety days of notice are required.", "on ninety (90) days' written notice"),
    ("The agreement is governed by New York law.",
     "This Agreement is governed by the laws of the State of New York."),
    ("The agreement is dated May 8, 2014.", "made as of the 8th day of May, 2014"),
    ("The fee is USD 18,500 per month.", "The Client pays a fixed fee of USD 18,500 per month."),
    ("Interest is 1% per month.", "Late payments bear interest at 1% per month."),
])
def test_a_sentence_that_says_only_what_the_evidence_says_is_grounded(
        sentence: str, evidence: str) -> None:
    assert unsupported(sentence, evidence) == []


@pytest.mark.parametrize(("sentence", "evidence", "problem"), [
    ("10 days' notice is required.", "on ninety (90) days' written notice", "figure 10"),
    ("Thirty days of notice.", "on ninety (90) days' written notice", "figure 30"),
    ("The agreement is governed by California law.",
     "governed by the laws of the State of New York", "'California'"),
    ("The agreement is dated March 13, 2015.", "made as of the 8th day of May, 2014",
     "date 2015-03-13"),
    ("The fee is USD 18,000.", "a fixed fee of USD 18,500 per month", "figure 18000"),
])
def test_a_figure_or_name_not_in_the_evidence_is_reported(sentence: str, evidence: str,
                                                          problem: str) -> None:
    problems = unsupported(sentence, evidence)
    assert problems and any(problem in item for item in problems), problems


def test_names_skip_the_first_word_and_function_words() -> None:
    assert names("Either party may terminate under Delaware law, says Acme Corp.") == \
        ["Delaware", "Acme", "Corp"]
