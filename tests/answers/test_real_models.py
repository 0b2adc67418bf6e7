"""The short answer through real llama.cpp: the embedded Gemma 3 270M base model (completion
prompt) and a chat-template model (SmolLM2 135M instruct). A fact is answered with the quote's
own words and never asks the model; an open question is worded by the model, and whatever it
writes, the answer shown is its wording grounded in the quote, or else the quote's own words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.answers.grounding import unsupported
from app.answers.phrasing import MANY_TOKENS, MAX_TOKENS
from app.chat import ChatService
from models.runtime import LlamaCppRuntime
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import HybridRetriever

SAMPLE_QUESTION = "How much notice is needed to terminate the agreement?"
OPEN_QUESTION = "What medications is the patient taking?"


@pytest.fixture(params=["completion", "chat"])
def runtime(request: pytest.FixtureRequest, embedded_gguf: Path,
            smollm_gguf: Path) -> Iterator[LlamaCppRuntime]:
    runtime = LlamaCppRuntime(context_cap=2048)
    path = embedded_gguf if request.param == "completion" else smollm_gguf
    runtime.load(path, prompt_style=request.param)
    yield runtime
    runtime.unload()


def test_a_real_models_wording_is_shown_only_when_the_evidence_supports_it(
        sample_library: Library, real_embedder: Embedder, runtime: LlamaCppRuntime) -> None:
    service = ChatService(lambda name: HybridRetriever(sample_library.workspace(name),
                                                       real_embedder), runtime)
    fact = service.ask(SAMPLE_QUESTION, workspace="sample")
    assert fact.text == "ninety (90) days' written notice [1]" and fact.grounded
    assert runtime.last_stats.completion_tokens == 0  # no model for a fact the quote states
    answer = service.ask(OPEN_QUESTION, workspace="sample")
    assert "Metformin 500 mg" in answer.quotes[0].text and answer.quotes[0].verified
    # the model was asked; an instruction model (chat) for a few sentences
    budget = MANY_TOKENS if runtime.prompt_style == "chat" else MAX_TOKENS
    assert 0 < runtime.last_stats.completion_tokens <= budget
    evidence = " ".join(quote.text for quote in answer.quotes)
    assert answer.grounded
    if answer.direct:
        assert answer.text == "Metformin 500 mg twice daily; lisinopril 10 mg once daily [1]."
        assert any("failed the check" in step for step in answer.why), answer.why
    else:
        shown = re.sub(r"\s*\[\d+\]", "", answer.text)  # the sentences kept, marks aside
        assert unsupported(shown, evidence) == [] and "[1]" in answer.text
        assert re.search(r"metformin|lisinopril", answer.text, re.IGNORECASE), answer.text
