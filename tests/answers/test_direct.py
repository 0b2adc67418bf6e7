"""The direct answer's words, with no model: the fact span of a quote, yes/no first, the
question's form and topic."""

from __future__ import annotations

import pytest

from app.answers.direct import cited, fact_span, plain, yes_no_lead
from app.answers.questions import GENERAL, kind_of
from app.answers.understand import content_words, form_of


class Kind:
    def __init__(self, answer: str) -> None:
        self.key, self.name, self.description, self.answer = "k", "the kind", "", answer


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("How much notice is needed to terminate?",
     "Either party may terminate for convenience on ninety (90) days' written notice.",
     "ninety (90) days' written notice"),
    ("How long is confidential information kept?",
     "Each party keeps it secret for five (5) years after the end of this Agreement, and uses "
     "it only to perform this Agreement.", "five (5) years after the end of this Agreement"),
    ("Which law governs the agreement?",
     "This Agreement is governed by the laws of the State of New York.",
     "laws of the State of New York"),
    ("What is the monthly fee?", "The Client pays a fixed fee of USD 18,500 per month.",
     "USD 18,500 per month"),
    ("Who are the parties?",
     '**Between** Northwind Analytics Ltd. ("Supplier") **and** Harbor Mutual Insurance Co.',
     'Northwind Analytics Ltd. ("Supplier") and Harbor Mutual Insurance Co'),
])
def test_a_fact_answer_is_the_span_that_states_it_with_its_completing_words(
        question: str, sentence: str, span: str) -> None:
    fact = kind_of(question).fact
    assert fact is not None and fact_span(sentence, fact) == span


def test_a_sentence_without_the_fact_gives_no_span() -> None:
    fact = kind_of("How much notice is needed?").fact
    assert fact is not None and fact_span("Notice must be given in writing.", fact) == ""


def test_citation_marks_go_before_a_final_stop_and_mark_up_is_left_out() -> None:
    assert cited("ninety (90) days", 1) == "ninety (90) days [1]"
    assert cited("The fee is due.", 2) == "The fee is due [2]."
    assert plain("## 6. **Governing**  law") == "6. Governing law"


@pytest.mark.parametrize(("question", "sentence", "lead"), [
    ("Does the agreement have a non-compete clause?", "The Supplier shall not compete.",
     "Yes, there is a clause on the kind"),
    ("Can the supplier assign the agreement?",
     "Neither party may assign this Agreement without the other's prior written consent.",
     "Only on conditions"),
    ("Can the supplier assign the agreement?", "The Supplier shall not assign this Agreement.",
     "No"),
    ("May the client audit the supplier?", "The Client may audit the Supplier's records once a "
     "year.", "Yes"),
])
def test_yes_or_no_comes_first_from_the_deciding_clause(question: str, sentence: str,
                                                        lead: str) -> None:
    assert yes_no_lead(question, sentence, "the kind") == lead


@pytest.mark.parametrize(("question", "clause", "form"), [
    ("How much notice is needed to terminate?", None, "fact"),
    ("How much notice is needed to terminate?", "fact", "fact"),
    ("Does the agreement have a non-compete clause?", "yes_no", "yes_no"),
    ("Is there a cap on liability?", "operative", "yes_no"),
    ("What licence does the distributor get?", "operative", "operative"),
    ("Who owns the intellectual property?", "operative", "operative"),  # not the parties
    ("What medications is the patient taking?", None, "open"),
])
def test_the_form_of_the_direct_answer(question: str, clause: str | None, form: str) -> None:
    kind = Kind(clause) if clause else None
    assert form_of(question, kind_of(question), kind) == form


def test_words_every_question_uses_are_never_its_topic() -> None:
    assert content_words("Does the agreement have a non-compete clause?") == ["non-compete"]
    assert content_words("Summarize the services agreement.") == ["services"]
    assert kind_of("Summarize the services agreement.") is GENERAL
