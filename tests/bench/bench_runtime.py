"""Benchmark: LlamaCppRuntime against raw llama_cpp.Llama, same model, prompt and settings.

Run with ``make bench`` (or ``python -m tests.bench.bench_runtime``). Rounds alternate between
the two so that a noisy neighbour hurts both alike; the medians and their ratios are printed.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.egress import go_offline
from models.catalog import ModelCatalog
from models.prompts import PromptRequest
from models.runtime import GenerationOptions, LlamaCppRuntime

ROUNDS = 9
MAX_TOKENS = 96
CONTEXT = 2048
REQUEST = PromptRequest(
    system="You are a careful assistant for a law firm. Answer briefly.",
    question="Explain what an indemnification clause does in a services agreement.",
)


def run_raw(llama: Any, tokens: list[int], stops: list[str]) -> tuple[float, float]:
    """Time to the first sampled token and decoding tokens/s, measured from the call."""
    from llama_cpp import StoppingCriteriaList

    llama.reset()
    started = time.perf_counter()
    sampled, first = 0, 0.0

    def count_token(input_ids: Any, logits: Any) -> bool:
        nonlocal sampled, first
        sampled += 1
        first = first or time.perf_counter() - started
        return False

    for _ in llama.create_completion(
            tokens, max_tokens=MAX_TOKENS, temperature=0.0, top_p=0.95, top_k=40,
            repeat_penalty=1.1, stop=stops, stream=True,
            stopping_criteria=StoppingCriteriaList([count_token])):
        pass
    total = time.perf_counter() - started
    return first, (sampled - 1) / (total - first)


def run_ours(runtime: LlamaCppRuntime, options: GenerationOptions) -> tuple[float, float]:
    runtime._llama.reset()  # same cold KV cache as the raw run
    for _ in runtime.stream(REQUEST, options):
        pass
    stats = runtime.last_stats
    return stats.time_to_first_token, stats.tokens_per_second


def main() -> None:
    go_offline()
    from llama_cpp import Llama

    with tempfile.TemporaryDirectory() as folder:
        catalog = ModelCatalog(Path(folder))
        path = catalog.path_of(catalog.install_embedded())
        runtime = LlamaCppRuntime(context_cap=CONTEXT)
        runtime.load(path, prompt_style="completion")
        raw = Llama(str(path), n_ctx=CONTEXT, n_threads=runtime.threads,
                    n_threads_batch=runtime.threads, swa_full=True, verbose=False)
        rendered = runtime.render(REQUEST)
        tokens = raw.tokenize(rendered.text.encode(), add_bos=True, special=True)
        options = GenerationOptions(max_tokens=MAX_TOKENS, temperature=0.0)
        raw_results, our_results = [], []
        run_raw(raw, tokens, list(rendered.stops))  # warm-up, both
        run_ours(runtime, options)
        for round_number in range(ROUNDS):
            if round_number % 2:
                our_results.append(run_ours(runtime, options))
                raw_results.append(run_raw(raw, tokens, list(rendered.stops)))
            else:
                raw_results.append(run_raw(raw, tokens, list(rendered.stops)))
                our_results.append(run_ours(runtime, options))
        report(raw_results, our_results, runtime.threads, len(tokens))


def report(raw: list[tuple[float, float]], ours: list[tuple[float, float]], threads: int,
           prompt_tokens: int) -> None:
    raw_ttft, raw_tps = (statistics.median(x) for x in zip(*raw, strict=True))
    our_ttft, our_tps = (statistics.median(x) for x in zip(*ours, strict=True))
    print(f"Embedded Gemma 3 270M Q4_K_M, {threads} threads, prompt {prompt_tokens} tokens, "
          f"{MAX_TOKENS} new tokens, median of {ROUNDS} alternating rounds")
    print(f"{'':22}{'tokens/s':>10}{'first token (ms)':>18}")
    print(f"{'raw llama_cpp.Llama':22}{raw_tps:>10.1f}{raw_ttft * 1000:>18.1f}")
    print(f"{'LlamaCppRuntime':22}{our_tps:>10.1f}{our_ttft * 1000:>18.1f}")
    print(f"ratio tokens/s (ours/raw): {our_tps / raw_tps:.3f}   "
          f"ratio first-token speed (raw/ours): {raw_ttft / our_ttft:.3f}   target >= 0.95")


if __name__ == "__main__":
    main()
