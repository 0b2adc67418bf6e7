"""LlamaCppRuntime: one loaded GGUF model behind a lock, streaming tokens with cancel.

Built on llama-cpp-python. Threads default to the number of physical cores (the library's
default gives one thread on this kind of machine). Gemma 3 uses sliding-window attention, whose
KV cache cannot be rolled back unless ``swa_full`` is set; we set it so the fixed system prompt
stays cached across turns.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from core.cpu import physical_cores
from core.errors import InputError, ModelError
from core.jobs import CancelFn, never_cancel
from models.prompts import PromptRequest, RenderedPrompt, fit_to_budget, render_chat
from models.prompts import render_completion as _render_completion
from models.template_guard import GuardedTemplate

_RAM_HEADROOM_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class GenerationOptions:
    max_tokens: int = 512
    temperature: float = 0.2
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    seed: int | None = None


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    time_to_first_token: float = 0.0
    seconds: float = 0.0
    stop_reason: str = ""  # "stop", "length" or "cancelled"

    @property
    def tokens_per_second(self) -> float:
        decoding = self.seconds - self.time_to_first_token
        return (self.completion_tokens - 1) / decoding if decoding > 0 else 0.0



def probe_loadable(path: Path) -> None:
    """Raise ModelError unless llama.cpp knows this file's architecture and vocabulary."""
    from llama_cpp import Llama

    _route_llama_logs_to_logging()
    _load_portable_cpu_backends()
    try:
        probe = Llama(str(path), vocab_only=True, verbose=False)
    except Exception as error:
        raise ModelError(
            f"{path.name} cannot be run by this version of llama.cpp: its architecture or "
            f"vocabulary is not supported ({error})."
        ) from None
    probe.close()


class LlamaCppRuntime:
    def __init__(self, *, threads: int = 0, context_cap: int = 4096, verbose: bool = False):
        self.threads = threads or physical_cores()
        self.context_cap = context_cap
        self.verbose = verbose
        self._lock = threading.RLock()
        self._llama: Any = None
        self._model_path: Path | None = None
        self._adapter_path: Path | None = None
        self._prompt_style = "completion"
        self._chat_renderer: tuple[Any, str, str] | None = None  # compiled once per model
        self.last_stats = GenerationStats()

    # ----- lifecycle
    @property
    def model_path(self) -> Path | None:
        return self._model_path

    @property
    def n_ctx(self) -> int:
        return int(self._llama.n_ctx()) if self._llama is not None else 0

    @property
    def prompt_style(self) -> str:
        """"chat": the model's own chat template (an instruction model); else "completion"."""
        return self._prompt_style

    @property
    def adapter_path(self) -> Path | None:
        return self._adapter_path

    def load(
        self, path: Path, *, prompt_style: str = "completion", context_length: int = 0,
        adapter: Path | None = None,
    ) -> None:
        """Load the GGUF at ``path``, with the LoRA adapter GGUF ``adapter`` on top if given
        (checked against the model first, so a mismatch names its reason)."""
        path = Path(path)
        _check_fits_in_memory(path)
        if adapter is not None:
            from models.lora_gguf import check_fits

            check_fits(Path(adapter), path)
        n_ctx = min(context_length or self.context_cap, self.context_cap)
        with self._lock:
            self.unload()
            self._llama = _open_llama(path, n_ctx=n_ctx, threads=self.threads,
                                      verbose=self.verbose, adapter=adapter)
            self._model_path, self._prompt_style = path, prompt_style
            self._adapter_path = Path(adapter) if adapter is not None else None
            self._chat_renderer = None

    def unload(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
            self._llama, self._model_path, self._chat_renderer = None, None, None
            self._adapter_path = None

    # ----- text
    def count_tokens(self, text: str) -> int:
        llama = self._require_model()
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def render(self, request: PromptRequest) -> RenderedPrompt:
        if self._prompt_style != "chat":
            return _render_completion(request)
        renderer, eos, bos = self._chat_template()
        return render_chat(request, renderer, eos, bos)

    def _chat_template(self) -> tuple[Any, str, str]:
        """The model's chat template, compiled on first use: fitting a prompt renders it
        several times per question."""
        if self._chat_renderer is None:
            llama = self._require_model()
            eos = _token_text(llama, llama.token_eos())
            bos = _token_text(llama, llama.token_bos())
            self._chat_renderer = (_template_renderer(llama, eos, bos), eos, bos)
        return self._chat_renderer

    def stream(
        self,
        request: PromptRequest,
        options: GenerationOptions | None = None,
        *,
        cancel: CancelFn = never_cancel,
    ) -> Iterator[str]:
        """Yield the answer piece by piece; stop quietly when ``cancel()`` turns True.

        ``last_stats`` describes the generation once the iterator is exhausted or closed.
        """
        options = options or GenerationOptions()
        started = time.perf_counter()  # stats include our prompt preparation
        if not request.question.strip():
            raise InputError("The question is empty.")
        with self._lock:
            llama = self._require_model()
            max_tokens = min(options.max_tokens, max(16, self.n_ctx // 2))
            prompt = self._fit(request, budget=self.n_ctx - max_tokens)
            tokens = llama.tokenize(prompt.text.encode("utf-8"),
                                    add_bos=not prompt.template_adds_bos, special=True)
            yield from self._generate(llama, tokens, prompt.stops, options, max_tokens, cancel,
                                      started)

    def _fit(self, request: PromptRequest, *, budget: int) -> RenderedPrompt:
        try:
            return fit_to_budget(request, self.render, self.count_tokens, budget)
        except ValueError as error:
            raise InputError(
                f"The question is too long for this model's context ({error}). "
                "Shorten it, or raise the context size in Settings."
            ) from None

    def _generate(
        self, llama: Any, tokens: list[int], stops: tuple[str, ...],
        options: GenerationOptions, max_tokens: int, cancel: CancelFn, started: float,
    ) -> Iterator[str]:
        from llama_cpp import StoppingCriteriaList

        stats = self.last_stats = GenerationStats(prompt_tokens=len(tokens))

        def count_sampled_token(input_ids: Any, logits: Any) -> bool:
            # Text chunks are not tokens (partial UTF-8 and stop strings are held back).
            stats.completion_tokens += 1
            if stats.completion_tokens == 1:
                stats.time_to_first_token = time.perf_counter() - started
            return False

        pieces = llama.create_completion(
            tokens, max_tokens=max_tokens, temperature=options.temperature, top_p=options.top_p,
            top_k=options.top_k, repeat_penalty=options.repeat_penalty, stop=list(stops),
            stream=True, seed=options.seed,
            stopping_criteria=StoppingCriteriaList([count_sampled_token]),
        )
        try:
            for chunk in pieces:
                choice = chunk["choices"][0]
                if cancel():
                    stats.stop_reason = "cancelled"
                    break
                if choice["text"]:
                    yield choice["text"]
                stats.stop_reason = choice.get("finish_reason") or stats.stop_reason
        finally:
            with contextlib.suppress(Exception):
                pieces.close()
            stats.seconds = time.perf_counter() - started

    def _require_model(self) -> Any:
        if self._llama is None:
            raise ModelError("No model is loaded. Choose one in Models, or run "
                             "'enclave models use NAME'.")
        return self._llama


_llama_log = logging.getLogger("llama.cpp")
_LLAMA_LOG_LEVELS = {3: logging.WARNING, 4: logging.ERROR}  # ggml: 2 info, 3 warn, 4 error
_log_callback: Any = None


def _route_llama_logs_to_logging() -> None:
    """llama.cpp prints some warnings to stderr even with verbose=False; send warnings and
    errors to our log instead, drop the chatter, and keep stderr clean for the CLI."""
    global _log_callback
    if _log_callback is not None:
        return
    import ctypes

    import llama_cpp

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if level in _LLAMA_LOG_LEVELS:
            _llama_log.log(_LLAMA_LOG_LEVELS[level], text.decode("utf-8", "replace").rstrip())

    _log_callback = callback  # ctypes callbacks must outlive every call into llama.cpp
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


_backends_loaded = False


def _load_portable_cpu_backends() -> None:
    """A portable build (GGML_BACKEND_DL, as in the offline installer) ships one CPU backend per
    instruction-set level as a plugin; ggml picks the best one only once asked to load them.
    The call must go through libllama's own ggml (llama_cpp._ggml holds a second copy)."""
    global _backends_loaded
    if _backends_loaded:
        return
    import ctypes

    import llama_cpp.llama_cpp as binding

    lib_dir = Path(binding.__file__).parent / "lib"
    if any(lib_dir.glob("libggml-cpu-*.so")):
        load_all = binding._lib.ggml_backend_load_all_from_path
        load_all.argtypes, load_all.restype = [ctypes.c_char_p], None
        load_all(str(lib_dir).encode())
    _backends_loaded = True


def _open_llama(path: Path, *, n_ctx: int, threads: int, verbose: bool,
                adapter: Path | None = None) -> Any:
    from llama_cpp import Llama

    if not verbose:
        _route_llama_logs_to_logging()
    _load_portable_cpu_backends()
    try:
        return Llama(
            str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
            swa_full=True, verbose=verbose,
            lora_path=str(adapter) if adapter is not None else None,
        )
    except Exception as error:
        what = f"{path.name} with the adapter {adapter.name}" if adapter else path.name
        raise ModelError(f"{what} could not be loaded by llama.cpp ({error}). "
                         "The file may be damaged or of an unsupported kind.") from None


def _check_fits_in_memory(path: Path) -> None:
    if not path.is_file():
        raise ModelError(f"Model file not found: {path}")
    needed = path.stat().st_size + _RAM_HEADROOM_BYTES
    available = psutil.virtual_memory().available
    if needed > available:
        raise ModelError(
            f"{path.name} needs about {needed / 2**30:.1f} GB of memory but only "
            f"{available / 2**30:.1f} GB is free. Close other programs or choose a smaller model."
        )


def _token_text(llama: Any, token: int) -> str:
    return llama._model.token_get_text(token) if token != -1 else ""


def _template_renderer(llama: Any, eos: str, bos: str) -> Any:
    """The GGUF's chat template, rendered in the sandbox within budgets (untrusted input)."""
    template = GuardedTemplate(llama.metadata.get("tokenizer.chat_template", ""), eos=eos,
                               bos=bos)
    # Qwen 3 would otherwise think aloud first: slow on a CPU, and no answer to cite from.
    # Templates without the switch ignore it.
    return lambda messages: template.render(messages, enable_thinking=False)
