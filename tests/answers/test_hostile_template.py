"""A chat template that fails at run time leaves the answer from the evidence alone (the best
sentence's own words) with a note, never a traceback: the real llama.cpp runtime on a tiny
GGUF (gguf package) whose template reaches for
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
        # an open question: the model is asked to word it (a fact is the quote's own words)
        answer = service.ask("What medications is the patient taking?", workspace="sample")
    finally:
        runtime.unload()
    assert answer.note.startswith(NO_TEMPLATE) and "SecurityError" in answer.note
    assert answer.direct and answer.grounded and not answer.draft.startswith(NO_TEMPLATE)
    assert answer.text == "Metformin 500 mg twice daily; lisinopril 10 mg once daily [1]."
    assert any("no model wording" in step for step in answer.why)
