"""Vanilla Presidio against our analyzer in one process and in two worker processes, on the same
texts in the same run, with the recall of each beside its time.

Run: ``python -m tests.bench.bench_pii [--samples N] [--contracts N] [--workers N] [--repeat N]``.
Texts: presidio-research's synthetic PII set (short texts with labels: recall as
``tests.bench.eval_pii`` scores it, per word token, overall and any-type) and the first N CUAD
contracts (long documents without labels: there the findings of the worker processes are
compared with those of one process). Vanilla is ``AnalyzerEngine`` with its defaults on the same
spaCy model, one ``analyze`` call per text, as an application would call it, in one process.
Building the analyzers and starting the warm workers are not timed (both happen once per app
run). Each time is the best of ``--repeat`` runs, which keeps the numbers steadier on a shared
machine; the load average is printed beside them. The per-core ratio compares one process with
vanilla's one process; the two-core ratio compares ``--workers`` processes with it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from tests.bench.eval_pii import predicted_spans, score
from tests.bench.pii_common import CONTRACTS, load_dataset, vanilla_presidio


def contract_texts(count: int) -> list[str]:
    files = sorted((CONTRACTS / "full_contract_txt").glob("*.txt"))[:count]
    return [path.read_text(encoding="utf-8", errors="replace") for path in files]


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def best_of(repeat: int, run: Callable[[], list[Any]]) -> tuple[list[Any], float, float]:
    """The results of ``run`` and its best wall and CPU (this process) seconds."""
    walls, cpus, results = [], [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        results = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    return results, min(walls), min(cpus)


def recall_of(samples: list[dict[str, Any]] | None, results: list[Any]) -> str:
    if samples is None:
        return ""
    scores = score(samples, [predicted_spans(found) for found in results])
    total = sum(scores.gold.values())
    return f"recall {scores.recall():.3f}, any-type {scores.any_hit / total:.3f}"


def bench(name: str, texts: list[str], samples: list[dict[str, Any]] | None, analyzer: Any,
          vanilla: Any, workers: int, repeat: int) -> None:
    chars = sum(len(text) for text in texts)
    print(f"\n{name}: {len(texts)} texts, {chars:,} characters ({load()})")
    runs: list[tuple[str, Callable[[], list[Any]]]] = [
        ("vanilla Presidio, 1 process", lambda: [vanilla.analyze(t, "en") for t in texts]),
        ("Enclave, 1 process", lambda: analyzer.analyze_many(texts, workers=1)),
    ]
    if workers > 1:
        runs.append((f"Enclave, {workers} worker processes",
                     lambda: analyzer.analyze_many(texts, workers=workers)))
    found: dict[str, list[Any]] = {}
    base = 0.0
    for label, run in runs:
        found[label], wall, cpu = best_of(repeat, run)
        base = base or wall
        cpu_note = f"cpu {cpu:6.2f} s" if "worker" not in label else "cpu in workers"
        print(f"  {label:34} {wall:7.2f} s ({cpu_note}) {chars / wall:>9,.0f} chars/s "
              f"{base / wall:5.1f}x  {recall_of(samples, found[label])}")
    if workers > 1:
        same = found[runs[1][0]] == found[runs[2][0]]
        print(f"  {workers} workers found {'the same as' if same else 'NOT the same as'} "
              f"1 process ({load()})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=0, help="first N samples (0: all)")
    parser.add_argument("--contracts", type=int, default=6)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    from app.privacy.analyzer import build_analyzer

    vanilla, analyzer = vanilla_presidio(), build_analyzer()
    vanilla.analyze("Warm-up: Ann Lee, 12 Main St.", "en")
    if args.workers > 1:
        started = time.perf_counter()
        analyzer.pool(args.workers)
        print(f"{args.workers} warm workers started in {time.perf_counter() - started:.2f} s "
              "(once per app run; not timed below)")
    samples = load_dataset(args.samples or None)
    bench("short texts (synthetic PII set, labelled)", [s["full_text"] for s in samples],
          samples, analyzer, vanilla, args.workers, args.repeat)
    if args.contracts:
        bench("long documents (CUAD contracts)", contract_texts(args.contracts), None,
              analyzer, vanilla, args.workers, args.repeat)
    analyzer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
