from __future__ import annotations

import pytest

from app.privacy.completion import complete_names
from app.privacy.findings import Finding


@pytest.mark.parametrize(("text", "first", "full"), [
    ("Call Ivana K Horvatova today.", "Ivana", "Ivana K Horvatova"),
    ("Signed by Teodor B. Lindqvist, agent.", "Teodor", "Teodor B. Lindqvist"),
    ("Ask Oyelaran Adebayo about it.", "Oyelaran", "Oyelaran Adebayo"),
])
def test_a_name_cut_short_is_completed(text: str, first: str, full: str) -> None:
    start = text.index(first)
    [completed] = complete_names(text, [Finding("PERSON", start, start + len(first), 0.85)])
    assert text[completed.start:completed.end] == full


@pytest.mark.parametrize(("text", "name"), [
    ("Marcus Ortega General Counsel signs.", "Marcus Ortega"),
    ("She lives on John Street now.", "John"),
    ("Ask Ann Monday morning.", "Ann"),
    ("Ask Ann\nSmith is another line.", "Ann"),
])
def test_titles_streets_dates_and_new_lines_are_not_surnames(text: str, name: str) -> None:
    start = text.index(name)
    finding = Finding("PERSON", start, start + len(name), 0.85)
    assert complete_names(text, [finding]) == [finding]


def test_weak_guesses_are_not_extended() -> None:
    finding = Finding("PERSON", 4, 7, 0.5)
    assert complete_names("Ask Ann Lee.", [finding]) == [finding]
