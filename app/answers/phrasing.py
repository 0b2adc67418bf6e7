"""A wording of the evidence by the local model, kept on a short leash.

The model sees only the evidence sentences and the question. A base model (the embedded Gemma
3 270M) writes one sentence: its output is cut at the first line break, at any of the prompt's
own markers ("Question:", "Sources:", "[2] (") and when it starts repeating itself, and it gets a
small token budget. An instruction model (one with a chat template) may write a few sentences,
each citing the quote it rests on ([1]); its output is cut at a blank line or a marker. What
either writes is only a candidate: :mod:`app.answers.check` decides what may be shown.
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
# An instruction model follows instructions: it may answer in a few sentences, each cited.
SYSTEM_MANY = ("Answer the question in at most three short sentences, using only the facts in "
               "the numbered evidence. End each sentence with the number of the evidence it "
               "uses, like [1]. Keep figures exactly as the evidence writes them. Do not add "
               "anything.")
MAX_TOKENS, MANY_TOKENS = 48, 160
MAX_WORDS, MANY_WORDS = 45, 120
MARKERS = ("\n", "Question:", "Sources:", "Answer:", "Evidence:", "<end_of_turn>",
           "<|im_end|>", "</s>")
MANY_MARKERS = ("\n\n", *MARKERS[1:])
_SOURCE_ECHO = re.compile(r"\[\d+\]\s*\(")
_WORD = re.compile(r"\w+")
_CITATION = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def evidence_context(quotes: Sequence[tuple[int, str, int, str]]) -> str:
    """``[n] (file, page p) sentence`` lines, as the chat prompt numbers its sources."""
    return "\n".join(f"[{number}] ({source}, page {page}) {' '.join(text.split())}"
                     for number, source, page, text in quotes)


def request_for(question: str, context: str, *, many: bool = False) -> PromptRequest:
    return PromptRequest(SYSTEM_MANY if many else SYSTEM, question, context)


def collect(stream: Iterator[str], cancel: CancelFn = never_cancel, *,
            many: bool = False) -> str:
    """The first sentence of the stream (``many``: its sentences, with their citation marks),
    stopping generation at a marker or a repetition."""
    text = ""
    try:
        for piece in stream:
            text += piece
            cut = _cut_at(text, many)
            if cut is not None or cancel():
                text = text if cut is None else text[:cut]
                break
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return tidy_many(text) if many else tidy(text)


def _cut_at(text: str, many: bool = False) -> int | None:
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    markers = MANY_MARKERS if many else MARKERS
    positions = [found for marker in markers if (found := stripped.find(marker, 1)) > 0]
    echo = _SOURCE_ECHO.search(stripped)
    if echo:
        positions.append(echo.start())
    if repeats(stripped, 6 if many else 3):  # "... mg once daily" may come twice in a list
        positions.append(len(stripped))
    if len(_WORD.findall(stripped)) > (MANY_WORDS if many else MAX_WORDS):
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


def tidy_many(text: str) -> str:
    """The sentences on one line, their citation marks kept; a last sentence cut off midway is
    left out."""
    text = re.sub(r"^(?:Answer|A)\s*:\s*", "", " ".join(text.split()).strip(" \"'“”"))
    ends = list(re.finditer(r"[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])?", text))
    return text[:ends[-1].end()] if ends else text


def instructed(runtime: Any) -> bool:
    """Whether the runtime's model follows a chat template (an instruction model a firm
    imported): it may answer in several cited sentences. The embedded base model may not."""
    return getattr(runtime, "prompt_style", "completion") == "chat"


class Phraser:
    """Asks the runtime (``LlamaCppRuntime`` or a double with ``stream``) for a wording: one
    sentence, or (``many``) a few sentences each citing its quote."""

    def __init__(self, runtime: Any, options: Any = None, *, many: bool = False) -> None:
        self.runtime, self.options, self.many = runtime, options, many

    def phrase(self, question: str, context: str, cancel: CancelFn = never_cancel) -> str:
        stream = self.runtime.stream(request_for(question, context, many=self.many),
                                     self._options(), cancel=cancel)
        return collect(stream, cancel, many=self.many)

    def _options(self) -> Any:
        from models.runtime import GenerationOptions

        most = MANY_TOKENS if self.many else MAX_TOKENS
        budget = min(getattr(self.options, "max_tokens", most), most)
        return GenerationOptions(max_tokens=budget, temperature=0.0,
                                 repeat_penalty=getattr(self.options, "repeat_penalty", 1.1))
