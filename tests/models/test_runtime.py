"""The runtime through the real llama.cpp on the real embedded model and SmolLM2."""

from pathlib import Path

import pytest

from core.cpu import physical_cores
from core.errors import InputError, ModelError
from models.prompts import PromptRequest, Turn
from models.runtime import GenerationOptions, LlamaCppRuntime

SYSTEM = "You are a helpful assistant for a law firm."
GREEDY = GenerationOptions(max_tokens=24, temperature=0.0, seed=1)


@pytest.fixture(scope="module")
def gemma(embedded_gguf: Path):
    runtime = LlamaCppRuntime(context_cap=1024)
    runtime.load(embedded_gguf, prompt_style="completion", context_length=32768)
    yield runtime
    runtime.unload()


@pytest.fixture(scope="module")
def smollm(smollm_gguf: Path):
    runtime = LlamaCppRuntime(context_cap=1024)
    runtime.load(smollm_gguf, prompt_style="chat")
    yield runtime
    runtime.unload()


def test_threads_default_to_physical_cores() -> None:
    assert LlamaCppRuntime().threads == physical_cores() >= 1


def test_context_is_capped_by_settings(gemma: LlamaCppRuntime) -> None:
    assert gemma.n_ctx == 1024


def test_embedded_base_model_answers_with_real_text(gemma: LlamaCppRuntime) -> None:
    request = PromptRequest(SYSTEM, "What is the capital of France?")
    answer = "".join(gemma.stream(request, GREEDY))
    assert answer.strip(), "the model produced no text"
    assert "Question:" not in answer, "the completion prompt's stop sequence must end the answer"
    assert gemma.last_stats.completion_tokens > 0
    assert gemma.last_stats.stop_reason in ("stop", "length")


def test_cancel_stops_generation_within_a_token(gemma: LlamaCppRuntime) -> None:
    seen: list[str] = []
    options = GenerationOptions(max_tokens=200, temperature=0.8, seed=3)
    request = PromptRequest(SYSTEM, "Write a long story about a contract.")
    for piece in gemma.stream(request, options, cancel=lambda: len(seen) >= 3):
        seen.append(piece)
    assert len(seen) == 3
    assert gemma.last_stats.stop_reason == "cancelled"


def test_sliding_window_cache_is_kept_full_so_the_prefix_is_reused(gemma: LlamaCppRuntime) -> None:
    assert gemma._llama.context_params.swa_full
    first = "".join(gemma.stream(PromptRequest(SYSTEM, "Name a colour."), GREEDY))
    prefix = gemma.count_tokens(SYSTEM)
    follow_up = PromptRequest(SYSTEM, "Name another.", history=(Turn("Name a colour.", first),))
    "".join(gemma.stream(follow_up, GREEDY))
    assert gemma._llama.n_tokens > prefix


def test_empty_question_is_refused(gemma: LlamaCppRuntime) -> None:
    with pytest.raises(InputError, match="empty"):
        list(gemma.stream(PromptRequest(SYSTEM, "   ")))


def test_overlong_history_and_sources_are_trimmed_not_crashed(gemma: LlamaCppRuntime) -> None:
    history = tuple(Turn("tell me about clause " * 20, "the clause says " * 30) for _ in range(8))
    request = PromptRequest(SYSTEM, "Summarise.", context="[1] " + "indemnity " * 3000,
                            history=history)
    answer = "".join(gemma.stream(request, GenerationOptions(max_tokens=8, temperature=0.0)))
    assert gemma.last_stats.prompt_tokens <= gemma.n_ctx
    assert isinstance(answer, str)


def test_question_longer_than_the_context_is_refused_with_a_message(gemma: LlamaCppRuntime) -> None:
    with pytest.raises(InputError, match="too long for this model's context"):
        list(gemma.stream(PromptRequest(SYSTEM, "why " * 3000)))


def test_chat_model_gets_its_own_template(smollm: LlamaCppRuntime) -> None:
    rendered = smollm.render(PromptRequest(SYSTEM, "Say hello."))
    assert "<|im_start|>system" in rendered.text and "<|im_start|>assistant" in rendered.text
    answer = "".join(smollm.stream(PromptRequest(SYSTEM, "Say hello."), GREEDY))
    assert answer.strip() and "<|im_start|>" not in answer


def test_generation_without_a_model_explains_what_to_do() -> None:
    with pytest.raises(ModelError, match="No model is loaded"):
        list(LlamaCppRuntime().stream(PromptRequest(SYSTEM, "hi")))


def test_missing_or_corrupt_model_file_gets_a_clear_error(tmp_path: Path) -> None:
    runtime = LlamaCppRuntime()
    with pytest.raises(ModelError, match="not found"):
        runtime.load(tmp_path / "missing.gguf")
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\x00" * 4096)
    with pytest.raises(ModelError, match="could not be loaded"):
        runtime.load(junk)
    assert runtime.model_path is None


def test_model_larger_than_free_memory_is_refused(tmp_path: Path, monkeypatch) -> None:
    import models.runtime as runtime_module

    class TinyMemory:
        available = 10 * 2**20

    monkeypatch.setattr(runtime_module.psutil, "virtual_memory", lambda: TinyMemory())
    model = tmp_path / "big.gguf"
    model.write_bytes(b"GGUF" + b"\x00" * 1024)
    with pytest.raises(ModelError, match="needs about .* GB of memory"):
        LlamaCppRuntime().load(model)
