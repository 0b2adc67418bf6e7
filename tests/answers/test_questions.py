"""A question's kind decides what its answering sentence must state."""

from __future__ import annotations

import pytest

from app.answers.questions import kind_of


@pytest.mark.parametrize(("question", "kind"), [
    ("How much notice is needed to terminate the agreement?", "notice"),
    ("How much notice is needed to stop the agreement from renewing?", "renewal_notice"),
    ("Which state's law governs the agreement?", "governing_law"),
    ("For how long does the agreement renew?", "renewal_term"),
    ("When does the agreement expire?", "expiration"),
    ("When does the agreement take effect?", "effective_date"),
    ("What is the date of the agreement?", "date"),
    ("Who are the parties to the agreement?", "party"),
    ("What is the interest rate on late payments?", "percentage"),
    ("What is the monthly fee?", "amount"),
    ("Summarise the confidentiality obligations.", "general"),
])
def test_questions_are_recognised_by_kind(question: str, kind: str) -> None:
    assert kind_of(question).key == kind


@pytest.mark.parametrize(("kind_question", "sentence", "fact"), [
    ("How much notice is needed to terminate?",
     "Either party may terminate on ninety (90) days' written notice.", "ninety (90) days"),
    ("Which law governs?", "This Agreement is governed by the laws of the State of New York.",
     "laws of the State of New York"),
    ("What is the monthly fee?", "The Client pays a fixed fee of USD 18,500 per month.",
     "USD 18,500"),
])
def test_each_kind_finds_its_fact_in_a_sentence(kind_question: str, sentence: str,
                                                fact: str) -> None:
    pattern = kind_of(kind_question).fact
    assert pattern is not None
    match = pattern.search(sentence)
    assert match is not None and match.group(0).strip() == fact
