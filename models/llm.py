"""LlmRuntime: what the app needs from a local language model runtime.

``models.runtime.LlamaCppRuntime`` is the real one; tests use small doubles with the same shape
(``tests/fake_runtime.py``). Everything outside ``models/`` is typed against this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from core.jobs import CancelFn
from models.prompts import PromptRequest
from models.runtime import GenerationOptions


@runtime_checkable
class LlmRuntime(Protocol):
    @property
    def threads(self) -> int: ...

    @property
    def model_path(self) -> Path | None: ...

    @property
    def n_ctx(self) -> int: ...

    @property
    def adapter_path(self) -> Path | None: ...

    def load(self, path: Path, *, prompt_style: str = "completion",
             context_length: int = 0, adapter: Path | None = None) -> None: ...

    def unload(self) -> None: ...

    def stream(self, request: PromptRequest, options: GenerationOptions | None = None, *,
               cancel: CancelFn = ...) -> Iterator[str]:
        """Yield the answer piece by piece; stop quietly when ``cancel()`` turns True."""
        ...
