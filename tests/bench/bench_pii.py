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

Under load (other programs on the cores) wall times say little, so each line also gives CPU
seconds: this process's, and for the worker run each worker's. "On free cores" estimates the
worker run's time with a core per worker as the busiest worker's CPU time plus this process's
(an estimate; the measured wall time is the number that counts).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import psutil

from tests.bench.eval_pii import predicted_spans, score
from tests.bench.pii_common import CONTRACTS, load_dataset, vanilla_presidio


def contract_texts(count: int) -> list[str]:
    files = sorted((CONTRACTS / "full_contract_txt").glob("*.txt"))[:count]
    return [path.read_text(encoding="utf-8", errors="replace") for path in files]


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def worker_cpu(pids: Sequence[int]) -> list[float]:
    """CPU seconds used so far by each worker process."""
    times = [psutil.Process(pid).cpu_times() for pid in pids]
    return [t.user + t.system for t in times]


def best_of(repeat: int, run: Callable[[], list[Any]], pids: Sequence[int] = ()
            ) -> tuple[list[Any], float, float, list[float]]:
    """The results of ``run``, its best wall and CPU (this process) seconds, and the CPU
    seconds of each worker in that best run."""
    best: tuple[float, float, list[float]] = (float("inf"), 0.0, [])
    results: list[Any] = []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        workers_started = worker_cpu(pids)
        results = run()
        wall = time.perf_counter() - started
        used = [b - a for a, b in zip(workers_started, worker_cpu(pids), strict=True)]
        if wall < best[0]:
            best = (wall, time.process_time() - cpu_started, used)
    return results, *best


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
    base = base_cpu = 0.0
    for label, run in runs:
        pids = analyzer.pool(workers).pids if "worker" in label else []
        found[label], wall, cpu, in_workers = best_of(repeat, run, pids)
        base, base_cpu = base or wall, base_cpu or cpu
        print(f"  {label:34} {wall:7.2f} s {chars / wall:>9,.0f} chars/s {base / wall:5.1f}x  "
              f"{recall_of(samples, found[label])}")
        busiest = max(in_workers, default=0.0) + cpu
        print(f"  {'':34} cpu {cpu:6.2f} s" + (
            f" + workers {' + '.join(f'{t:.2f}' for t in in_workers)} s; on free cores: "
            f"~{busiest:.2f} s, {base_cpu / busiest:.1f}x" if in_workers else
            f"; {base_cpu / cpu:.1f}x in CPU time"))
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
