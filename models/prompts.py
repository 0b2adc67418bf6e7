"""Turning a conversation into the text a model is given.

Chat models get their own GGUF chat template. Base models (the embedded Gemma 3 270M) get a
plain document-style prompt, because a template they were never trained on makes them echo it.
Either way the system prompt comes first and never changes, so llama.cpp can reuse its KV cache
for that prefix from one turn to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from models.template_guard import TemplateRefused

COMPLETION_STOPS = ("\nQuestion:", "\n\n\n", "<end_of_turn>", "<|endoftext|>", "</s>")


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    # The documents the answer cited: a follow-up question is read against them. Never given
    # to a model.
    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromptRequest:
    system: str
    question: str
    context: str = ""  # retrieved sources, numbered [1], [2] ...
    history: Sequence[Turn] = field(default_factory=tuple)


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    stops: tuple[str, ...]
    template_adds_bos: bool


# Renders a list of {"role", "content"} messages with a model's chat template.
TemplateRenderer = Callable[[list[dict[str, str]]], str]


def user_content(request: PromptRequest) -> str:
    if not request.context:
        return request.question
    return f"Sources:\n{request.context}\n\nQuestion: {request.question}"


def render_completion(request: PromptRequest) -> RenderedPrompt:
    parts = [request.system.strip(), ""]
    for turn in request.history:
        parts += [f"Question: {turn.question.strip()}", f"Answer: {turn.answer.strip()}", ""]
    if request.context:
        parts += ["Sources:", request.context.strip(), ""]
    parts += [f"Question: {request.question.strip()}", "Answer:"]
    return RenderedPrompt("\n".join(parts), COMPLETION_STOPS, template_adds_bos=False)


def chat_messages(request: PromptRequest) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": request.system}]
    for turn in request.history:
        messages += [{"role": "user", "content": turn.question},
                     {"role": "assistant", "content": turn.answer}]
    messages.append({"role": "user", "content": user_content(request)})
    return messages


def render_chat(
    request: PromptRequest, render: TemplateRenderer, eos: str, bos: str = ""
) -> RenderedPrompt:
    messages = chat_messages(request)
    try:
        text = render(messages)
    except TemplateRefused:
        raise  # past its budget or out of its sandbox: never tried again
    except Exception:
        # Some templates refuse a system role; fold it into the first user message instead.
        try:
            text = render(_without_system_role(messages))
        except TemplateRefused:
            raise
        except Exception as error:
            raise TemplateRefused(f"its chat template failed ({type(error).__name__}: "
                                  f"{error}).") from None
    stops = tuple(stop for stop in (eos, "<end_of_turn>", "<|im_end|>", "<|end|>") if stop)
    # Templates that do not write the BOS themselves (Phi-3) still need llama.cpp to add it.
    return RenderedPrompt(text, stops, template_adds_bos=bool(bos) and text.startswith(bos))


def _without_system_role(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    system, first, *rest = messages
    merged = {"role": "user", "content": f"{system['content']}\n\n{first['content']}"}
    return [merged, *rest]


def fit_to_budget(
    request: PromptRequest,
    render: Callable[[PromptRequest], RenderedPrompt],
    count_tokens: Callable[[str], int],
    budget: int,
) -> RenderedPrompt:
    """Render ``request`` within ``budget`` tokens: drop the oldest turns first, then trim the
    sources from the end; refuse (ValueError with the sizes) when the question alone is too long."""
    rendered = render(request)
    history = list(request.history)
    while count_tokens(rendered.text) > budget and history:
        history.pop(0)
        request = PromptRequest(request.system, request.question, request.context, tuple(history))
        rendered = render(request)
    context = request.context
    while count_tokens(rendered.text) > budget and context:
        context = context[: len(context) * 3 // 4].rstrip() if len(context) > 200 else ""
        request = PromptRequest(request.system, request.question, context, ())
        rendered = render(request)
    used = count_tokens(rendered.text)
    if used > budget:
        raise ValueError(f"{used} tokens needed, {budget} available")
    return rendered
