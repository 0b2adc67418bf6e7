"""An instruction model (one with a chat template) may answer in several sentences, each citing
its quote; each is checked against the quote it cites and those that fail are dropped. The
embedded base model keeps its one sentence. Unit tests of the check, the pipeline on the real
index of the sample documents with a scripted runtime, and the real llama.cpp runtime on the
tiny family GGUFs with their real chat templates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.answers.answer import Answer
from app.answers.check import checked_sentences, sentences_of
from app.answers.evidence import Evidence
from app.answers.phrasing import SYSTEM, SYSTEM_MANY, collect
from app.answers.search import Quote
from app.chat import ChatService
from models.prompts import PromptRequest
from models.runtime import LlamaCppRuntime
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import Hit, HybridRetriever
from tests.fake_runtime import FakeRuntime
from tests.models.tiny_families import FAMILIES
from tests.models.tiny_gguf import write_tiny_gguf

MEDICATIONS = "What medications is the patient taking?"
SENTENCE = "Metformin 500 mg twice daily; lisinopril 10 mg once daily."


def quote(number: int, text: str) -> Quote:
    hit = Hit("c", "d", "/m/intake.md", "intake", 1, 0, len(text), text, 1.0)
    return Quote(number, Evidence(hit, 0, len(text), text), True, "verified")


GIVEN = (quote(1, SENTENCE), quote(2, "Allergic to penicillin (rash)."))


def test_a_wording_is_split_into_sentences_with_their_marks() -> None:
    assert sentences_of("Metformin 500 mg twice daily [1]. Allergic to penicillin. [2] Done "
                        "now.") == ["Metformin 500 mg twice daily [1].",
                                    "Allergic to penicillin. [2]", "Done now."]


def test_each_sentence_is_checked_against_the_quote_it_cites() -> None:
    checked = checked_sentences(
        "Metformin 500 mg twice daily [1]. Lisinopril 10 mg once daily [1]. "
        "Penicillin 850 mg [2]. Lisinopril 10 mg once daily [2].", GIVEN, MEDICATIONS)
    assert checked.kept == (("Metformin 500 mg twice daily.", (1,)),
                            ("Lisinopril 10 mg once daily.", (1,)))
    assert checked.text == "Metformin 500 mg twice daily [1]. Lisinopril 10 mg once daily [1]."
    assert len(checked.dropped) == 2
    assert "the figure 850 is not in the evidence" in checked.dropped[0]
    assert "10 is not in the evidence" in checked.dropped[1]  # true, but not in [2]


def test_a_sentence_citing_nothing_rests_on_the_one_quote_that_holds_it_or_is_dropped() -> None:
    checked = checked_sentences("The patient is allergic to penicillin. Aspirin 81 mg daily.",
                                GIVEN, MEDICATIONS)
    assert checked.kept == (("The patient is allergic to penicillin.", (2,)),)
    assert "it cites no quote" in checked.dropped[0]
    unknown = checked_sentences("Metformin 500 mg twice daily [7].", GIVEN, MEDICATIONS)
    assert not unknown.kept and "it cites a source it was not given" in unknown.dropped[0]


class Pieces:
    def __init__(self, text: str) -> None:
        self.words = [word + " " for word in text.split(" ")]

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)


def test_an_instruction_models_sentences_are_collected_whole_a_base_models_first_only() -> None:
    text = "Metformin 500 mg twice daily [1].\nLisinopril 10 mg once daily [1]. Then it"
    assert collect(iter(Pieces(text)), many=True) == (
        "Metformin 500 mg twice daily [1]. Lisinopril 10 mg once daily [1].")
    assert collect(iter(Pieces(text))) == "Metformin 500 mg twice daily."


def ask(library: Library, embedder: Embedder, runtime: Any,
        question: str = MEDICATIONS) -> Answer:
    service = ChatService(lambda name: HybridRetriever(library.workspace(name), embedder),
                          runtime)
    return service.ask(question, workspace="sample")


def test_an_instruction_model_answers_in_checked_sentences_and_failing_ones_are_dropped(
        sample_library: Library, real_embedder: Embedder) -> None:
    runtime = FakeRuntime("The patient takes metformin 500 mg twice daily [1]. The patient "
                          "takes lisinopril 10 mg once daily [1]. The patient takes aspirin "
                          "81 mg daily [1].", prompt_style="chat")
    answer = ask(sample_library, real_embedder, runtime)
    assert runtime.requests[0].system == SYSTEM_MANY
    assert answer.text == ("The patient takes metformin 500 mg twice daily [1]. The patient "
                           "takes lisinopril 10 mg once daily [1].")
    assert answer.grounded and not answer.direct and answer.outcome == "answered"
    assert "81" in answer.problems[0] and "2 of 3 sentences kept" in answer.why[-1]
    assert answer.citations and answer.citations[0].verified


def test_when_every_sentence_fails_the_answer_falls_back_to_the_quote(
        sample_library: Library, real_embedder: Embedder) -> None:
    runtime = FakeRuntime("The patient takes metformin 850 mg [1]. Aspirin 81 mg [1].",
                          prompt_style="chat")
    answer = ask(sample_library, real_embedder, runtime)
    assert answer.direct and answer.grounded and answer.text == f"{SENTENCE[:-1]} [1]."
    assert any("the model's sentences failed the check: none kept" in step
               for step in answer.why)


def test_the_base_model_keeps_its_one_sentence(sample_library: Library,
                                               real_embedder: Embedder) -> None:
    runtime = FakeRuntime("Metformin 500 mg twice daily and lisinopril 10 mg once daily. "
                          "Lisinopril 10 mg once daily [1].")
    answer = ask(sample_library, real_embedder, runtime)
    assert runtime.requests[0].system == SYSTEM
    assert answer.text == ("Metformin 500 mg twice daily and lisinopril 10 mg once daily [1].")


class Recording(LlamaCppRuntime):
    """The real runtime, keeping each request it renders."""

    def __init__(self) -> None:
        super().__init__(context_cap=1024)
        self.requests: list[PromptRequest] = []
        self.rendered: list[str] = []

    def stream(self, request: PromptRequest, *args: Any, **kwargs: Any) -> Iterator[str]:
        self.requests.append(request)
        self.rendered.append(self.render(request).text)
        return super().stream(request, *args, **kwargs)


@pytest.mark.parametrize("family", ["phi4-mini", "qwen2"])  # Gemma 3's took 60 s here
def test_a_tiny_instruction_model_is_asked_for_cited_sentences_through_its_template(
        tmp_path: Path, sample_library: Library, real_embedder: Embedder, family: str) -> None:
    """Random weights write nothing the check keeps: the plumbing (the several-sentences
    prompt through the real template, generation, the sentence check, the fall-back) is real."""
    runtime = Recording()
    runtime.load(write_tiny_gguf(tmp_path / f"{family}.gguf", family,
                                 chat_template=FAMILIES[family].template), prompt_style="chat")
    try:
        answer = ask(sample_library, real_embedder, runtime)
    finally:
        runtime.unload()
    assert runtime.requests[0].system == SYSTEM_MANY
    assert FAMILIES[family].markers[-1] in runtime.rendered[0]  # its own chat template
    assert "End each sentence with the number of the evidence" in runtime.rendered[0]
    assert answer.outcome == "answered" and answer.grounded and answer.citations
    assert any(step.startswith(("the model's wording: ", "the model's sentences failed"))
               for step in answer.why), answer.why
