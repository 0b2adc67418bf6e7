"""Characters per second of vanilla Presidio and of our analyzer on the same texts, one run.

Run: ``python -m tests.bench.bench_pii [--contracts N] [--samples N] [--workers N]``.
Texts: the first N CUAD contracts (long documents) and the synthetic PII sentences (short).
Vanilla is ``AnalyzerEngine`` with its defaults on the same spaCy model, one ``analyze`` call
per text, as an application would call it. Building either analyzer is not timed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence

from tests.bench.pii_common import CONTRACTS, load_dataset, vanilla_presidio


def contract_texts(count: int) -> list[str]:
    files = sorted((CONTRACTS / "full_contract_txt").glob("*.txt"))[:count]
    return [path.read_text(encoding="utf-8", errors="replace") for path in files]


def rate(label: str, texts: Sequence[str], run: Callable[[], object]) -> float:
    chars = sum(len(text) for text in texts)
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(f"  {label:34} {chars:>9,} chars in {seconds:7.2f} s = {chars / seconds:>9,.0f} chars/s")
    return chars / seconds


def bench(name: str, texts: list[str], workers: int) -> None:
    from app.privacy.analyzer import build_analyzer

    vanilla, ours = vanilla_presidio(), build_analyzer()
    print(f"{name}: {len(texts)} texts")
    base = rate("vanilla Presidio", texts, lambda: [vanilla.analyze(t, "en") for t in texts])
    single = rate("ours, 1 process", texts, lambda: ours.analyze_many(texts))
    print(f"  ratio, 1 process: {single / base:.1f}x")
    if workers > 1:
        multi = rate(f"ours, {workers} processes", texts,
                     lambda: ours.analyze_many(texts, workers=workers))
        print(f"  ratio, {workers} processes: {multi / base:.1f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=3)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    if args.contracts:
        bench("long documents (CUAD contracts)", contract_texts(args.contracts), args.workers)
    if args.samples:
        bench("short texts (synthetic PII sentences)",
              [s["full_text"] for s in load_dataset(args.samples)], args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
