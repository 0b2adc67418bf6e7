"""Benchmark: the embedded model with a LoRA adapter against the same model without one.

    python -m tests.bench.bench_adapter [--adapter LORA.gguf]

Both runtimes are loaded side by side and rounds alternate between them, so a noisy neighbour
hurts both alike; the adapter's cost is the ratio of the medians. Without ``--adapter`` a random
rank-8 adapter on every attention and MLP weight stands in (what a trained adapter costs does
not depend on its values). Prompts are the answer pipeline's phrasing prompt.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from app.egress import go_offline
from models.adapters.data import SYSTEM
from models.catalog import ModelCatalog
from models.prompts import PromptRequest
from models.runtime import GenerationOptions, LlamaCppRuntime

ROUNDS = 7
OPTIONS = GenerationOptions(max_tokens=48, temperature=0.0, repeat_penalty=1.0)
REQUEST = PromptRequest(
    SYSTEM, "How much notice is needed to stop the agreement from renewing?",
    "[2] (supply.pdf, page 4) This Agreement renews for successive one (1) year terms unless "
    "either party gives written notice of non-renewal at least ninety (90) days before the end "
    "of the then-current term.")
WEIGHTS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def stand_in_adapter(base: Path, folder: Path, rank: int = 8) -> Path:
    import numpy as np

    from models.gguf_info import read_gguf_header
    from models.lora_gguf import write_lora_gguf

    header = read_gguf_header(base)
    shapes = {tensor.name: tensor.shape for tensor in header.tensors}
    rng = np.random.default_rng(0)
    pairs = {name: (rng.standard_normal((rank, shape[0])) * 1e-3,
                    rng.standard_normal((shape[1], rank)) * 1e-3)
             for name, shape in shapes.items()
             if name.startswith("blk.") and name.split(".")[2] in WEIGHTS}
    path = folder / "stand-in-rank8.gguf"
    write_lora_gguf(path, "gemma3", pairs, alpha=2.0 * rank, name="stand-in")
    return path


def timed(runtime: LlamaCppRuntime) -> tuple[float, float, float]:
    runtime._llama.reset()
    for _ in runtime.stream(REQUEST, OPTIONS):
        pass
    stats = runtime.last_stats
    return stats.seconds, stats.time_to_first_token, stats.tokens_per_second


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path)
    args = parser.parse_args(argv)
    go_offline()
    folder = Path(tempfile.mkdtemp(prefix="bench-adapter-"))
    catalog = ModelCatalog(folder)
    base = catalog.path_of(catalog.install_embedded())
    adapter = args.adapter or stand_in_adapter(base, folder)
    plain, adapted = LlamaCppRuntime(context_cap=1024), LlamaCppRuntime(context_cap=1024)
    plain.load(base)
    adapted.load(base, adapter=adapter)
    rows: dict[str, list[tuple[float, float, float]]] = {"plain": [], "adapter": []}
    for _ in range(ROUNDS):
        rows["plain"].append(timed(plain))
        rows["adapter"].append(timed(adapted))
    report(rows, adapter)


def report(rows: dict[str, list[tuple[float, float, float]]], adapter: Path) -> None:
    medians = {name: [statistics.median(column) for column in zip(*values, strict=True)]
               for name, values in rows.items()}
    print(f"adapter {adapter.name}, {ROUNDS} alternating rounds, {OPTIONS.max_tokens} tokens max")
    print(f"{'':10}{'answer s':>10}{'first token s':>15}{'tokens/s':>10}")
    for name, (seconds, first, speed) in medians.items():
        print(f"{name:10}{seconds:>10.2f}{first:>15.2f}{speed:>10.1f}")
    plain, adapted = medians["plain"], medians["adapter"]
    print(f"adapter / plain: answer time {adapted[0] / plain[0]:.2f}x, "
          f"decoding speed {adapted[2] / plain[2]:.2f}x")


if __name__ == "__main__":
    main()
