"""LlamaServerRuntime: the firm's shared model, on an OpenAI-compatible llama.cpp server
(``llama-server``, or ``python -m llama_cpp.server``) in the server room.

It has the shape of :class:`models.llm.LlmRuntime`, so the chat's evidence, grounding checks and
citations are the same whichever runtime phrases the answer. Loading is the server's business:
:meth:`load` only checks that the server answers and remembers what the app asked for. Tokens
stream as server-sent events; cancelling closes the connection (the server then stops).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.errors import InputError, ModelError
from core.jobs import CancelFn, never_cancel
from models.prompts import PromptRequest, chat_messages, render_completion
from models.runtime import GenerationOptions, GenerationStats

CONNECT_SECONDS = 10.0
READ_SECONDS = 300.0  # longest silence between two streamed pieces


class LlamaServerRuntime:
    def __init__(self, url: str, *, model: str = "", api_key: str | None = None,
                 prompt_style: str = "chat", context_length: int = 4096,
                 transport: Callable[[], Any] | None = None) -> None:
        """``model``: the name the server knows its model by (empty: its only one);
        ``prompt_style``: "chat" (the server applies the model's chat template) or
        "completion" (a base model: our plain document-style prompt); ``transport``: an
        httpx transport factory (the broker's, when the app is isolated)."""
        if prompt_style not in ("chat", "completion"):
            raise InputError(f"Unknown prompt style {prompt_style!r}: use chat or completion.")
        self.server, self.model, self._api_key = url.rstrip("/"), model, api_key
        self.prompt_style, self._context_length = prompt_style, context_length
        self._transport = transport
        self._model_path: Path | None = None
        self._adapter_path: Path | None = None
        self._lock = threading.Lock()
        self.threads = 0  # the server's own
        self.last_stats = GenerationStats()

    @property
    def model_path(self) -> Path | None:
        return self._model_path

    @property
    def adapter_path(self) -> Path | None:
        return self._adapter_path

    @property
    def n_ctx(self) -> int:
        return self._context_length

    def load(self, path: Path, *, prompt_style: str = "completion", context_length: int = 0,
             adapter: Path | None = None) -> None:
        """The server holds the model: check it answers, and remember the app's choice."""
        self.models()
        self._model_path, self._adapter_path = path, adapter

    def unload(self) -> None:
        self._model_path = self._adapter_path = None

    def models(self) -> list[str]:
        """The names of the models the server serves (raises ModelError when unreachable)."""
        with self._client() as client:
            response = self._checked(lambda: client.get(self.server + "/v1/models"))
        return [str(entry.get("id")) for entry in response.json().get("data", [])]

    def stream(self, request: PromptRequest, options: GenerationOptions | None = None, *,
               cancel: CancelFn = never_cancel) -> Iterator[str]:
        if not request.question.strip():
            raise InputError("The question is empty.")
        options = options or GenerationOptions()
        path, body = self._request(request, options)
        started = time.perf_counter()
        stats = self.last_stats = GenerationStats()
        import httpx

        try:
            with self._client() as client, client.stream(
                    "POST", self.server + path, json=body) as response:
                self._raise_for(response)
                for piece in _events(response.iter_lines(), self.prompt_style, stats):
                    if cancel():
                        stats.stop_reason = "cancelled"
                        break
                    if stats.completion_tokens == 0:
                        stats.time_to_first_token = time.perf_counter() - started
                    stats.completion_tokens += 1  # pieces: one token each on llama.cpp
                    yield piece
        except httpx.HTTPError as error:
            raise ModelError(f"The model server {self.server} stopped answering "
                             f"({type(error).__name__}: {error}).") from None
        finally:
            stats.seconds = time.perf_counter() - started

    def _request(self, request: PromptRequest,
                 options: GenerationOptions) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "max_tokens": options.max_tokens, "temperature": options.temperature,
            "top_p": options.top_p, "top_k": options.top_k,
            "repeat_penalty": options.repeat_penalty, "stream": True}
        if options.seed is not None:
            body["seed"] = options.seed
        if self.model:
            body["model"] = self.model
        if self.prompt_style == "chat":
            return "/v1/chat/completions", {**body, "messages": chat_messages(request)}
        prompt = render_completion(request)
        return "/v1/completions", {**body, "prompt": prompt.text, "stop": list(prompt.stops)}

    def _client(self) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        options: dict[str, Any] = {"transport": self._transport()} if self._transport else {}
        return httpx.Client(headers=headers, timeout=httpx.Timeout(READ_SECONDS,
                                                                   connect=CONNECT_SECONDS),
                            **options)

    def _checked(self, call: Callable[[], Any]) -> Any:
        import httpx

        try:
            response = call()
        except httpx.HTTPError as error:
            raise ModelError(f"The model server {self.server} cannot be reached "
                             f"({type(error).__name__}: {error}).") from None
        self._raise_for(response)
        return response

    def _raise_for(self, response: Any) -> None:
        if response.status_code == 401:
            raise ModelError(f"The model server {self.server} did not accept your key. Ask "
                             "your administrator for a new one.")
        if response.status_code >= 400:
            response.read()
            raise ModelError(f"The model server {self.server} refused the request "
                             f"({response.status_code}: {response.text[:200]}).")


def _events(lines: Iterator[str], style: str, stats: GenerationStats) -> Iterator[str]:
    """The text pieces of an OpenAI-style event stream (``data: {...}`` ... ``data: [DONE]``)."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        choice = (json.loads(data).get("choices") or [{}])[0]
        text = (choice.get("delta") or {}).get("content") if style == "chat" \
            else choice.get("text")
        stats.stop_reason = choice.get("finish_reason") or stats.stop_reason
        if text:
            yield text
