"""The short answer through real llama.cpp: the embedded Gemma 3 270M base model (completion
prompt) and a chat-template model (SmolLM2 135M instruct). Whatever either writes, the answer
shown is either grounded in the quoted evidence or marked as not phrased."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.answers.grounding import unsupported
from app.answers.phrasing import MAX_TOKENS
from app.chat import NOT_PHRASED, ChatService
from models.runtime import LlamaCppRuntime
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import HybridRetriever

SAMPLE_QUESTION = "How much notice is needed to terminate the agreement?"


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
    answer = service.ask(SAMPLE_QUESTION, workspace="sample")
    assert "ninety (90) days" in answer.quotes[0].text and answer.quotes[0].verified
    assert runtime.last_stats.completion_tokens <= MAX_TOKENS
    evidence = " ".join(quote.text for quote in answer.quotes)
    if answer.grounded:
        assert re.search(r"\b(?:90|ninety)\b", answer.text, re.IGNORECASE), answer.text
        assert unsupported(answer.draft, evidence) == [] and "[1]" in answer.text
    else:
        assert answer.text == NOT_PHRASED and answer.problems, answer.draft
