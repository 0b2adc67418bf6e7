"""ChatService, evidence first, through the real embedder and a real index of the sample
documents; the model is a double here (the real one is in tests/ui/test_main_window.py)."""

from __future__ import annotations

import pytest

from app.chat import NOT_FOUND, NOT_PHRASED, Answer, ChatService
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
    assert answer.text == NOT_PHRASED and not answer.grounded


def test_a_wording_the_evidence_supports_is_the_short_answer(sample_library: Library,
                                                             real_embedder: Embedder) -> None:
    runtime = FakeRuntime("Ninety (90) days' written notice is needed [1].\nQuestion: more")
    answer = ask(chat(sample_library, real_embedder, runtime))
    assert answer.grounded and answer.text == "Ninety (90) days' written notice is needed [1]."
    assert "Either party may terminate" in runtime.requests[0].context
    assert answer.citations[0].verified


@pytest.mark.parametrize("wording", [
    "10 days' notice is required.",  # the answer the window gave before evidence first
    "Either party may terminate under California law with ninety days' notice.",
    "The agreement can be terminated.",  # states no duration: says nothing that was asked
])
def test_a_wording_the_evidence_does_not_support_is_never_the_answer(
        sample_library: Library, real_embedder: Embedder, wording: str) -> None:
    answer = ask(chat(sample_library, real_embedder, FakeRuntime(wording)))
    assert not answer.grounded and answer.text == NOT_PHRASED and answer.problems
    assert wording.split()[0] not in answer.text
    assert "ninety (90) days" in answer.quotes[0].text


def test_the_evidence_is_handed_over_before_the_answer(sample_library: Library,
                                                       real_embedder: Embedder) -> None:
    events: list[str] = []
    chat(sample_library, real_embedder, FakeRuntime("Ninety days' notice.")).ask(
        SAMPLE_QUESTION, workspace="sample", on_evidence=lambda quotes: events.append("evidence"),
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
