"""ChatService, evidence first, through the real embedder and a real index of the sample
documents; the model is a double here (the real one is in tests/ui/test_main_window.py)."""

from __future__ import annotations

import pytest

from app.chat import NOT_FOUND, Answer, ChatService
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import HybridRetriever
from tests.fake_runtime import FakeRuntime

SAMPLE_QUESTION = "How much notice is needed to terminate the agreement?"


def chat(library: Library, embedder: Embedder, runtime: FakeRuntime | None,
         **options: object) -> ChatService:
    return ChatService(lambda name: HybridRetriever(library.workspace(name), embedder),
                       runtime, **options)  # type: ignore[arg-type]


def ask(service: ChatService, question: str = SAMPLE_QUESTION) -> Answer:
    return service.ask(question, workspace="sample")


def test_the_evidence_is_the_clause_verbatim_with_its_page(sample_library: Library,
                                                           real_embedder: Embedder) -> None:
    answer = ask(chat(sample_library, real_embedder, None, phrase=False))
    best = answer.quotes[0]
    assert best.text == ("Either party may terminate for convenience on ninety (90) days' "
                         "written notice.")
    assert best.evidence.fact == "ninety (90) days" and best.verified and best.number == 1
    assert best.hit.source_name == "services_agreement.md" and best.hit.page == 1
    page = sample_library.workspace("sample").page_text(best.hit.doc_id, 1) or ""
    assert page[best.evidence.start:best.evidence.end] == best.evidence.text
    # the direct answer on top: the words of the quote that state the fact, no model
    assert answer.text == "ninety (90) days' written notice [1]" and answer.grounded


def test_a_wording_the_evidence_supports_is_the_short_answer(sample_library: Library,
                                                             real_embedder: Embedder) -> None:
    runtime = FakeRuntime("The patient takes metformin 500 mg twice daily [1].\nQuestion: more")
    answer = ask(chat(sample_library, real_embedder, runtime),
                 "What medications is the patient taking?")
    assert answer.grounded and answer.text == "The patient takes metformin 500 mg twice daily [1]."
    assert "Metformin 500 mg" in runtime.requests[0].context
    assert answer.citations[0].verified and not answer.direct


@pytest.mark.parametrize("wording", [
    "The patient takes 10 pills a day.",  # a figure the evidence does not hold
    "The patient takes Aspirin.",  # a name the evidence does not hold
    "Nothing in the form says what they take for it.",  # not the evidence's words
])
def test_a_wording_the_evidence_does_not_support_is_never_the_answer(
        sample_library: Library, real_embedder: Embedder, wording: str) -> None:
    answer = ask(chat(sample_library, real_embedder, FakeRuntime(wording)),
                 "What medications is the patient taking?")
    assert answer.text == "Metformin 500 mg twice daily; lisinopril 10 mg once daily [1]."
    assert answer.direct and wording not in answer.text
    assert any("failed the check" in step for step in answer.why)


def test_the_evidence_is_handed_over_before_the_answer(sample_library: Library,
                                                       real_embedder: Embedder) -> None:
    events: list[str] = []
    chat(sample_library, real_embedder, FakeRuntime("Metformin.")).ask(
        "What medications is the patient taking?", workspace="sample",
        on_evidence=lambda quotes: events.append("evidence"),
        on_token=lambda text: events.append("answer"))
    assert events == ["evidence", "answer"]


@pytest.mark.parametrize(("question", "fact"), [
    ("Which law governs the agreement?", "State of New York"),
    ("What is the monthly fee?", "USD 18,500"),
    ("Who are the parties to the services agreement?", "Northwind Analytics"),
    ("When is the effective date of the agreement?", "1 March 2026"),
    ("How long must confidential information be kept secret?", "five (5) years"),
])
def test_other_kinds_of_question_find_their_sentence(sample_library: Library,
                                                     real_embedder: Embedder, question: str,
                                                     fact: str) -> None:
    answer = ask(chat(sample_library, real_embedder, None, phrase=False), question)
    assert fact in answer.quotes[0].text and fact in answer.quotes[0].evidence.fact


def test_nothing_relevant_says_not_found_and_never_asks_the_model(
        sample_library: Library, real_embedder: Embedder) -> None:
    runtime = FakeRuntime("invented")
    answer = ask(chat(sample_library, real_embedder, runtime),
                 "Who won the football match yesterday?")
    assert not answer.found and answer.text == NOT_FOUND and runtime.requests == []
