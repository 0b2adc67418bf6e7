import pytest

from models.prompts import (
    PromptRequest,
    Turn,
    chat_messages,
    fit_to_budget,
    render_chat,
    render_completion,
)

SYSTEM = "You are Enclave."


def words(text: str) -> int:
    return len(text.split())


def test_completion_prompt_starts_with_the_fixed_system_prompt_every_turn() -> None:
    first = render_completion(PromptRequest(SYSTEM, "What is the term?"))
    second = render_completion(PromptRequest(SYSTEM, "And the fee?",
                                             history=(Turn("What is the term?", "Two years."),)))
    assert first.text.startswith(SYSTEM) and second.text.startswith(SYSTEM)
    assert second.text.endswith("Question: And the fee?\nAnswer:")
    assert "Answer: Two years." in second.text


def test_completion_prompt_lists_sources_before_the_question() -> None:
    rendered = render_completion(PromptRequest(SYSTEM, "Who signs?", context="[1] Acme signs."))
    assert rendered.text.index("[1] Acme signs.") < rendered.text.index("Question: Who signs?")


def test_chat_messages_put_sources_in_the_user_turn() -> None:
    messages = chat_messages(PromptRequest(SYSTEM, "Who?", context="[1] Acme."))
    assert messages[0] == {"role": "system", "content": SYSTEM}
    assert "[1] Acme." in messages[-1]["content"] and messages[-1]["role"] == "user"


def test_template_without_system_role_gets_it_folded_into_the_first_user_turn() -> None:
    def strict_template(messages: list[dict[str, str]]) -> str:
        if messages[0]["role"] == "system":
            raise ValueError("System role not supported")
        return "|".join(f"{m['role']}:{m['content']}" for m in messages)

    rendered = render_chat(PromptRequest(SYSTEM, "Hi"), strict_template, eos="</s>")
    assert rendered.text.startswith(f"user:{SYSTEM}\n\nHi")
    assert "</s>" in rendered.stops


def test_oldest_turns_are_dropped_first_when_over_budget() -> None:
    history = tuple(Turn(f"question {i} " * 5, f"answer {i} " * 5) for i in range(6))
    request = PromptRequest(SYSTEM, "final question", history=history)
    fitted = fit_to_budget(request, render_completion, words, budget=60)
    assert "final question" in fitted.text
    assert "question 0" not in fitted.text and "question 5" in fitted.text


def test_sources_are_trimmed_when_history_is_not_enough() -> None:
    request = PromptRequest(SYSTEM, "q?", context="[1] " + "word " * 500)
    fitted = fit_to_budget(request, render_completion, words, budget=100)
    assert words(fitted.text) <= 100 and "Question: q?" in fitted.text


def test_question_alone_too_long_is_refused_with_sizes() -> None:
    with pytest.raises(ValueError, match="tokens needed"):
        fit_to_budget(PromptRequest(SYSTEM, "word " * 500), render_completion, words, budget=50)
