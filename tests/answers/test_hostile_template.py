"""A chat template that fails at run time leaves the evidence-only answer with a note, never a
traceback: the real llama.cpp runtime on a tiny GGUF (gguf package) whose template reaches for
Python's internals, the real index of the sample documents."""

from __future__ import annotations

from pathlib import Path

from app.chat import NO_TEMPLATE, ChatService
from models.runtime import LlamaCppRuntime
from rag.embedder import Embedder
from rag.library import Library
from rag.retrieval import HybridRetriever
from tests.models.tiny_gguf import write_tiny_gguf

INTERNALS = "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ messages[0]['content'] }}"


def test_a_failing_template_gives_the_evidence_and_a_note(
        tmp_path: Path, sample_library: Library, real_embedder: Embedder) -> None:
    runtime = LlamaCppRuntime(context_cap=512)
    runtime.load(write_tiny_gguf(tmp_path / "hostile.gguf", "qwen2", chat_template=INTERNALS),
                 prompt_style="chat")
    try:
        service = ChatService(lambda name: HybridRetriever(sample_library.workspace(name),
                                                           real_embedder), runtime)
        answer = service.ask("How much notice is needed to terminate the agreement?",
                             workspace="sample")
    finally:
        runtime.unload()
    assert answer.text.startswith(NO_TEMPLATE) and "SecurityError" in answer.text
    assert not answer.grounded and answer.problems
    assert "ninety (90) days" in answer.quotes[0].text and answer.quotes[0].verified
