"""A one-sentence wording of the evidence by the local model, kept on a short leash.

The model sees only the evidence sentences and the question. Its output is cut at the first
line break, at any of the prompt's own markers ("Question:", "Sources:", "[2] (") and when it
starts repeating itself, and it gets a small token budget. What it writes is only a candidate:
:func:`app.answers.grounding.unsupported` decides whether it may be shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from core.jobs import CancelFn, never_cancel
from models.prompts import PromptRequest

# No worked example: the embedded 270M base model copied an example's answer, figures and all,
# when the real question resembled it (the grounding check caught it, but nothing was phrased).
SYSTEM = ("Answer the question in one short sentence, using only the facts in the numbered "
          "evidence. Keep figures exactly as the evidence writes them. Do not add anything.")
MAX_TOKENS = 48
MAX_WORDS = 45
MARKERS = ("\n", "Question:", "Sources:", "Answer:", "Evidence:", "<end_of_turn>",
           "<|im_end|>", "</s>")
_SOURCE_ECHO = re.compile(r"\[\d+\]\s*\(")
_WORD = re.compile(r"\w+")
_CITATION = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def evidence_context(quotes: Sequence[tuple[int, str, int, str]]) -> str:
    """``[n] (file, page p) sentence`` lines, as the chat prompt numbers its sources."""
    return "\n".join(f"[{number}] ({source}, page {page}) {' '.join(text.split())}"
                     for number, source, page, text in quotes)


def request_for(question: str, context: str) -> PromptRequest:
    return PromptRequest(SYSTEM, question, context)


def collect(stream: Iterator[str], cancel: CancelFn = never_cancel) -> str:
    """The first sentence of the stream, stopping generation at a marker or a repetition."""
    text = ""
    try:
        for piece in stream:
            text += piece
            cut = _cut_at(text)
            if cut is not None or cancel():
                text = text if cut is None else text[:cut]
                break
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return tidy(text)


def _cut_at(text: str) -> int | None:
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    positions = [found for marker in MARKERS if (found := stripped.find(marker, 1)) > 0]
    echo = _SOURCE_ECHO.search(stripped)
    if echo:
        positions.append(echo.start())
    if repeats(stripped):
        positions.append(len(stripped))
    if len(_WORD.findall(stripped)) > MAX_WORDS:
        positions.append(len(stripped))
    return offset + min(positions) if positions else None


def repeats(text: str, size: int = 3) -> bool:
    """True once a run of ``size`` words occurs twice: a small model's loop has begun."""
    words = [word.lower() for word in _WORD.findall(text)]
    seen = set()
    for index in range(len(words) - size + 1):
        gram = tuple(words[index:index + size])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def tidy(text: str) -> str:
    """One sentence, without the citation marks the model may have copied."""
    text = _CITATION.sub("", " ".join(text.split()))
    text = re.sub(r"^(?:Answer|A)\s*:\s*", "", text.strip(" \"'“”"))
    first = re.split(r"(?<=[.!?])[\"'”]?\s+(?=[A-Z])", text, maxsplit=1)[0]
    return first.strip(" \"'“”")


class Phraser:
    """Asks the runtime (``LlamaCppRuntime`` or a double with ``stream``) for a wording."""

    def __init__(self, runtime: Any, options: Any = None) -> None:
        self.runtime, self.options = runtime, options

    def phrase(self, question: str, context: str, cancel: CancelFn = never_cancel) -> str:
        stream = self.runtime.stream(request_for(question, context), self._options(),
                                     cancel=cancel)
        return collect(stream, cancel)

    def _options(self) -> Any:
        from models.runtime import GenerationOptions

        budget = min(getattr(self.options, "max_tokens", MAX_TOKENS), MAX_TOKENS)
        return GenerationOptions(max_tokens=budget, temperature=0.0,
                                 repeat_penalty=getattr(self.options, "repeat_penalty", 1.1))
