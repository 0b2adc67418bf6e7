"""The one runtime double of the test suite: it satisfies ``models.llm.LlmRuntime``, streams a
fixed answer word by word (optionally slowly, to test cancelling) and keeps every request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from core.jobs import CancelFn, never_cancel
from models.prompts import PromptRequest
from models.runtime import GenerationOptions

DEFAULT_ANSWER = "The notice period is ninety (90) days [1]."


class FakeRuntime:
    def __init__(self, answer: str = DEFAULT_ANSWER, *, delay: float = 0.0,
                 prompt_style: str = "completion") -> None:
        """``prompt_style="chat"``: an instruction model (it may answer in several sentences)."""
        self.answer, self.delay, self.prompt_style = answer, delay, prompt_style
        self.threads = 1
        self.model_path: Path | None = None
        self.adapter_path: Path | None = None
        self.n_ctx = 2048
        self.requests: list[PromptRequest] = []
        self.loads = 0

    def load(self, path: Path, *, prompt_style: str = "completion",
             context_length: int = 0, adapter: Path | None = None) -> None:
        self.model_path, self.adapter_path, self.loads = path, adapter, self.loads + 1
        self.prompt_style = prompt_style

    def unload(self) -> None:
        self.model_path = self.adapter_path = None

    def stream(self, request: PromptRequest, options: GenerationOptions | None = None, *,
               cancel: CancelFn = never_cancel) -> Iterator[str]:
        self.requests.append(request)
        for word in self.answer.split(" "):
            if cancel():
                return
            if self.delay:
                time.sleep(self.delay)
            yield word + " "
