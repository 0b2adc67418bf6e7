"""Follow-up questions: when a question is read against the previous one (a table of cases, no
index), and the conversation through the real pipeline on the sample matter (the real
embedder, a real index on disk): context for understanding and retrieval, never evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.answers.followup import answered_before, follow_up_reason
from app.answers.questions import kind_of
from app.answers.understand import Understood
from app.chat import ChatService
from models.prompts import Turn
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import HybridRetriever
from rag.targeting import Target

NOTICE = "How much notice is needed to terminate the agreement?"


def alone(question: str, named: tuple[str, ...] = ()) -> Understood:
    """The question understood by itself, with no clause scorer."""
    return Understood(question, kind_of(question), None, Target(named, (), question), "open",
                      named, ())


@pytest.mark.parametrize(("question", "reason"), [
    ("and for cause?", "it opens with 'and'"),
    ("What about the cap?", "it opens with 'what about'"),
    ("Also, who signed?", "it opens with 'also'"),
    ("And the co-branding agreement?", "it opens with 'and'"),
    ("for cause?", "it is a fragment, not a question of its own"),
    ("who can terminate it?", "it refers back with 'it'"),
    ("What is its term?", "it refers back with 'its'"),
    ("Why?", "it is too short to stand alone"),
])
def test_an_under_specified_question_is_a_follow_up(question: str, reason: str) -> None:
    assert follow_up_reason(alone(question)) == reason


@pytest.mark.parametrize("question", [
    "What medications is the patient taking?",
    "Can the supplier assign its rights?",  # "its" points at the supplier
    "How long is the initial term?",
    "What are the payment terms?",
    "Summarize the privacy policy.",
    "termination notice period",  # no question, but it asks a fact of its own
])
def test_a_question_that_stands_alone_is_no_follow_up(question: str) -> None:
    assert follow_up_reason(alone(question)) == ""


def test_a_pronoun_in_a_question_that_names_its_document_is_no_follow_up() -> None:
    assert follow_up_reason(alone("Who signed it, in the privacy policy?", ("doc-1",))) == ""


def test_the_previous_answers_sentence_is_recognised_by_its_words_or_its_quote() -> None:
    sentence = "Either party may terminate for convenience on ninety (90) days' written notice."
    assert answered_before(sentence, "ninety (90) days' written notice [1]", "and for cause?")
    assert answered_before(sentence, f"Yes [1]: \u201c{sentence}\u201d", "and for cause?")
    assert not answered_before(sentence, "thirty (30) days [1]", "and for cause?")
    assert answered_before(sentence, "No model is loaded. The evidence below needs no model.\n\n"
                           "ninety (90) days' written notice [1]", "and for cause?")
    # the follow-up's own words are in it: it may answer again ("and for convenience?")
    assert not answered_before(sentence, "ninety (90) days' written notice [1]",
                               "and for convenience?")


def chat(library: Library, embedder: Embedder) -> ChatService:
    return ChatService(lambda name: HybridRetriever(library.workspace(name), embedder), None,
                       phrase=False)


def converse(service: ChatService, *questions: str) -> list:
    history: list[Turn] = []
    answers = []
    for question in questions:
        answer = service.ask(question, workspace="sample", history=history)
        cited = tuple(dict.fromkeys(hit.doc_id for hit in answer.sources[:1]))
        history.append(Turn(question, answer.text, cited if answer.outcome == "answered"
                            else ()))
        answers.append(answer)
    return answers


def test_and_for_cause_is_read_against_the_notice_question_and_its_document(
        sample_library: Library, real_embedder: Embedder) -> None:
    first, follow = converse(chat(sample_library, real_embedder), NOTICE, "and for cause?")
    assert first.text == "ninety (90) days' written notice [1]"
    assert follow.question == "and for cause?"
    assert follow.why[0].startswith(f"read as a follow-up of the previous question \u201c{NOTICE}"
                                    f"\u201d (it opens with 'and')")
    assert "in services_agreement.md" in follow.why[0]
    # the other case the agreement states, not the ninety days again
    assert follow.outcome == "answered" and follow.grounded
    assert follow.text == ("Either party may terminate immediately if the other commits a "
                           "material breach that is not cured within thirty (30) days of "
                           "notice [1].")  # the whole sentence: its condition is the case
    assert {quote.hit.source_name for quote in follow.quotes} == {"services_agreement.md"}
    alone_answer = converse(chat(sample_library, real_embedder), "and for cause?")[0]
    assert alone_answer.outcome == "not_found"  # what the follow-up gets without its context


def test_a_question_that_stands_alone_is_not_merged_with_the_previous_one(
        sample_library: Library, real_embedder: Embedder) -> None:
    _, second = converse(chat(sample_library, real_embedder), NOTICE,
                         "What medications is the patient taking?")
    assert not any("follow-up" in step for step in second.why)
    assert second.text == "Metformin 500 mg twice daily; lisinopril 10 mg once daily [1]."
    # the document it names, not the previous answer's
    assert second.why[0].endswith("searched: patient_intake.md")


def test_it_is_the_document_of_the_previous_question_and_a_named_one_replaces_it(
        sample_library: Library, real_embedder: Embedder) -> None:
    service = chat(sample_library, real_embedder)
    _, summary = converse(service, "Who are the parties to the services agreement?",
                          "Summarize it.")
    assert summary.text.startswith("Summary of services_agreement.md:\n")
    assert "(it refers back with 'it')" in summary.why[0]
    pipeline = service.pipeline("sample")
    asked = pipeline.understand("and in the privacy policy?", None, [Turn(NOTICE, "")])
    assert asked.scope_names == ("privacy_policy.md",) and asked.follow_up


def test_a_chain_of_follow_ups_is_read_back_to_its_first_question(
        sample_library: Library, real_embedder: Embedder) -> None:
    pipeline = chat(sample_library, real_embedder).pipeline("sample")
    history = [Turn(NOTICE, "ninety (90) days' written notice [1]"),
               Turn("and for cause?", "thirty (30) days of notice [1]")]
    asked = pipeline.understand("what about the privacy policy?", None, history)
    assert asked.question == f"{NOTICE} and for cause? what about the privacy policy?"
    assert asked.kind.key == "notice" and asked.scope_names == ("privacy_policy.md",)
    assert asked.written == "what about the privacy policy?"


def test_a_follow_up_keeps_the_previous_form_and_asks_its_own_clause(
        sample_library: Library, real_embedder: Embedder) -> None:
    from tests.answers.test_pipeline import FakeScorer

    service = ChatService(lambda name: HybridRetriever(sample_library.workspace(name),
                                                       real_embedder), None, phrase=False,
                          scorer=FakeScorer(real_embedder))
    _, assignment = converse(service, "Does the services agreement have a non-compete clause?",
                             "and an assignment clause?")
    assert assignment.text == ("No. Enclave found no clause on assignment in "
                               "services_agreement.md.")


AGREEMENTS = {
    "distributor_agreement.md": "# Distributor Agreement\n\nBetween Acme Tools Inc. and "
    "Borealis Trading Ltd.\n\n## Termination\nEither party may terminate this Agreement on "
    "ninety (90) days' written notice to the other party.\n",
    "co_branding_agreement.md": "# Co-Branding Agreement\n\nBetween mPhase Inc. and Lucent "
    "Corp.\n\n## Termination\nEither party wishing to terminate the Agreement must give "
    "written notice at least thirty (30) days prior to the date of termination.\n",
}


def test_a_follow_up_that_names_another_document_is_answered_from_it(
        tmp_path: Path, real_embedder: Embedder) -> None:
    from rag.ingest import ingest

    for name, text in AGREEMENTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    library = Library(tmp_path / "index")
    try:
        ingest(sorted(tmp_path.glob("*.md")), workspace=library.workspace("sample"),
               embedder=real_embedder)
        first, second = converse(chat(library, real_embedder),
                                 "How much notice is needed to terminate the distributor "
                                 "agreement?", "And the co-branding agreement?")
    finally:
        library.close()
    assert first.text.startswith("ninety (90) days' written notice")
    assert second.text == "thirty (30) days prior to the date of termination [1]", second.why
    assert second.grounded
    assert {quote.hit.source_name for quote in second.quotes} == {"co_branding_agreement.md"}
    assert "in co_branding_agreement.md" in second.why[0]
