"""Optional rewording of field statements by the local model, kept on a short leash.

The embedded model is a small base model: it may reword a template statement, never add facts.
A candidate is used only if it is short, uses mostly words of the quote or of the template
statement, and passes the grounding check (see ``service._phrased``); otherwise the template
statement stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from models.prompts import PromptRequest

SYSTEM = ("You explain contract clauses to a busy manager in plain English. "
          "Answer with one short sentence. Do not add facts that are not in the clause.")
QUESTION = "In one short sentence, what does this clause say about {label}?"
MAX_TOKENS = 40
MIN_SHARED_WORDS = 0.8
_WORD = re.compile(r"[a-z]{4,}")


def shared_word_ratio(candidate: str, *sources: str) -> float:
    """Share of the candidate's longer words that occur in one of the sources."""
    words = set(_WORD.findall(candidate.lower()))
    if not words:
        return 0.0
    known = set().union(*(_WORD.findall(source.lower()) for source in sources))
    return len(words & known) / len(words)


class ModelPhraser:
    """Asks the runtime (``LlamaCppRuntime`` or a fake with ``stream``) for a plain wording."""

    def __init__(self, runtime: Any, options: Any = None,
                 ensure_model: Callable[[], object] | None = None) -> None:
        self.runtime, self.options, self._ensure = runtime, options, ensure_model

    def phrase(self, label: str, statement: str, quote: str) -> str:
        if self._ensure is not None:
            self._ensure()
            self._ensure = None
        request = PromptRequest(system=SYSTEM, question=QUESTION.format(label=label.lower()),
                                context=f"[1] {quote[:1500]}")
        text = "".join(self.runtime.stream(request, self._options())).strip()
        sentence = text.split("\n")[0].strip().strip('"')
        if shared_word_ratio(sentence, quote, statement) < MIN_SHARED_WORDS:
            return statement
        return sentence

    def _options(self) -> Any:
        from models.runtime import GenerationOptions

        temperature = getattr(self.options, "temperature", 0.1)
        return GenerationOptions(max_tokens=MAX_TOKENS, temperature=temperature)
