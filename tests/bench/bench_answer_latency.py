"""Seconds per answer with and without the embedded model, on the same questions, side by side.

    python -m tests.bench.bench_answer_latency [--limit 40] [--split dev]
        [--sets facts clauses financebench]

Each question is asked twice through ``ChatService.ask`` as the app builds it (the shipped
clause scorer, default settings; ``tests.bench.eval_financebench.chat_service``): once without
the model (phrasing off) and once with the embedded Gemma 3 270M loaded and phrasing on, one
right after the other, which one first alternating, so both see the same load: on a shared
machine the load moves the wall time of an answer more than the model does. Questions: the
fact-type questions of ``tests.bench.eval_answers`` and the clause questions of
``tests.bench.eval_clauses`` (half each by default), on one contract per workspace, from their
cached index (.cache/eval/answers); ``financebench`` adds FinanceBench's open questions (the
model is asked to word those; a fact or clause answer is the quote's own words) in the index
``tests.bench.eval_financebench`` uses, as far as it is built (never built here).

Per configuration it prints p50 and p95 wall seconds, p50 CPU seconds of this process (all
threads, ``time.process_time``: what the answer costs, less moved by other processes), how many
answers asked the model for a wording (their ``why``) and how many showed it; and the 1-minute
load average read before each question (min, median, max). Targets (issue 25): p50 <= 2 s
without the model, <= 3 s with the embedded model.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.embedder import DEFAULT_VARIANT, load_embedder
from rag.library import Library, Workspace
from rag.retrieval import HybridRetriever
from tests.bench.answer_labels import CUAD, questions
from tests.bench.eval_answers import (
    CACHE,
    contract_texts,
    load_runtime,
    prepare,
    select,
    single_workspace,
)
from tests.bench.eval_clauses import all_asked
from tests.bench.eval_financebench import WORKSPACE as FINANCEBENCH
from tests.bench.eval_financebench import chat_service, covered, percentile
from tests.bench.eval_retrieval import CACHE as CACHE_EVAL
from tests.bench.eval_retrieval import cached_workspace, embedder_for, financebench_queries

CONFIGS = ("without the model", "with the embedded model")
TARGETS = {CONFIGS[0]: 2.0, CONFIGS[1]: 3.0}


@dataclass
class Timing:
    config: str
    kind: str  # "fact", "clause" or "open"
    wall: float
    cpu: float
    model_asked: bool  # the pipeline asked the model for a wording
    model_shown: bool  # and the wording passed its check and leads the answer
    outcome: str


def asked_questions(library: Library, split: str, limit: int,
                    sets: Sequence[str]) -> list[tuple[str, str, str]]:
    """(set, question, workspace) for at most ``limit`` questions, shared out over ``sets``."""
    contracts = sorted(path.name for path in (CUAD / "full_contract_pdf").iterdir())
    each = max(1, limit // len(sets))
    chosen: list[tuple[str, str, str]] = []
    if "facts" in sets:
        docs = contract_texts(library, contracts)
        found, _ = questions(lambda name: docs[name][1] if name in docs else "")
        chosen += [("fact", q.question, single_workspace(q.contract))
                   for q, _ in select(found, ["single"],
                                      ["held-out" if split == "held-back" else split], each)]
    if "clauses" in sets:
        clauses = all_asked([split], 0)
        step = max(1, len(clauses) // each)
        chosen += [("clause", a.question, single_workspace(a.contract))
                   for a in clauses[::step][:each]]
    if "financebench" in sets:
        stored = {Path(r.paths[0]).stem for r in financebench().documents()}
        queries, qrels = financebench_queries()
        open_questions = list(covered(queries, qrels, stored).values())
        step = max(1, len(open_questions) // each)
        chosen += [("open", text, FINANCEBENCH) for text in open_questions[::step][:each]]
    return chosen


def financebench() -> Workspace:
    """eval_financebench's index of the 41 filings as it is, with the shipped embedder."""
    embedder = embedder_for(DEFAULT_VARIANT)
    return cached_workspace(CACHE_EVAL / f"financebench-{DEFAULT_VARIANT}-41", FINANCEBENCH,
                            embedder)


def model_used(answer: Any) -> tuple[bool, bool]:
    asked = any(step.startswith("the model's") for step in answer.why)
    shown = asked and answer.grounded and not answer.direct and bool(answer.draft)
    return asked, shown


def ask(chat: Any, config: str, kind: str, question: str, workspace: str) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    answer = chat.ask(question, workspace=workspace)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Timing(config, kind, wall, cpu, *model_used(answer), answer.outcome)


def run(chats: dict[str, Any], items: Sequence[tuple[str, str, str]]) -> tuple[list[Timing],
                                                                                list[float]]:
    timings: list[Timing] = []
    loads: list[float] = []
    try:
        for number, (kind, question, workspace) in enumerate(items, 1):
            loads.append(os.getloadavg()[0])
            order = CONFIGS if number % 2 else CONFIGS[::-1]
            pair = {config: ask(chats[config], config, kind, question, workspace)
                    for config in order}
            timings += pair.values()
            without, with_ = pair[CONFIGS[0]], pair[CONFIGS[1]]
            print(f"  {number:>3} {kind:6} load {loads[-1]:4.1f}  without {without.wall:5.2f}s"
                  f"  with {with_.wall:5.2f}s{' (model asked)' if with_.model_asked else ''}"
                  f"  {with_.outcome:9} {question[:70]!r}", flush=True)
    except KeyboardInterrupt:  # the table still covers what was asked
        print(f"interrupted after {len(timings) // 2} of {len(items)} questions", flush=True)
    return timings, loads


def table(timings: Sequence[Timing], loads: Sequence[float]) -> None:
    print(f"\n1-minute load average before each question: min {min(loads):.1f}, median "
          f"{statistics.median(loads):.1f}, max {max(loads):.1f} ({os.cpu_count()} cores)")
    print("| answers | set | n | p50 s | p95 s | p50 CPU s | model asked | model's wording shown "
          "| p50 s / CPU s where the model was asked | target p50 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for config in CONFIGS:
        for kind in sorted({t.kind for t in timings}) + ["all"]:
            rows = [t for t in timings if t.config == config and kind in ("all", t.kind)]
            if not rows:
                continue
            wall = [t.wall for t in rows]
            # the same questions in both configurations: those the model was asked for
            same = [t for t in rows if t.model_asked] if config == CONFIGS[1] else \
                [t for t, w in zip(rows, _partner(timings, rows), strict=True) if w.model_asked]
            where = f"{statistics.median(t.wall for t in same):.2f} / " \
                f"{statistics.median(t.cpu for t in same):.2f}" if same else "-"
            target = f"<= {TARGETS[config]:.0f} s" if kind == "all" else ""
            print(f"| {config} | {kind} | {len(rows)} | {statistics.median(wall):.2f} | "
                  f"{percentile(wall, 0.95):.2f} | "
                  f"{statistics.median(t.cpu for t in rows):.2f} | "
                  f"{sum(t.model_asked for t in rows)} | {sum(t.model_shown for t in rows)} | "
                  f"{where} | {target} |")


def _partner(timings: Sequence[Timing], rows: Sequence[Timing]) -> list[Timing]:
    """Each row's twin: the same question asked in the other configuration."""
    index = {id(t): i for i, t in enumerate(timings)}
    return [timings[index[id(t)] ^ 1] for t in rows]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40, help="questions (each asked twice)")
    parser.add_argument("--split", default="dev", choices=["dev", "held-back"],
                        help="dev (default), or the contracts held back from training "
                             "(eval_answers' held-out half, eval_clauses' held-back third)")
    parser.add_argument("--sets", nargs="+", default=["facts", "clauses"],
                        choices=["facts", "clauses", "financebench"])
    args = parser.parse_args(argv)
    from app.egress import go_offline

    go_offline()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    contracts = sorted(path.name for path in (CUAD / "full_contract_pdf").iterdir())
    embedder = load_embedder()
    library = Library(CACHE / f"index-{embedder.name}")
    prepare(library, embedder, contracts, ["single"])
    items = asked_questions(library, args.split, args.limit, args.sets)
    open_workspace = financebench() if "financebench" in args.sets else None
    retriever_for = lambda name: HybridRetriever(  # noqa: E731
        open_workspace if name == FINANCEBENCH and open_workspace else library.workspace(name),
        embedder)
    chats = {CONFIGS[0]: chat_service(retriever_for, None),
             CONFIGS[1]: chat_service(retriever_for, load_runtime(True))}
    for chat in chats.values():  # first-use costs (the scorer's weights, ONNX) out of the timing
        chat.ask(items[0][1], workspace=items[0][2])
    print(f"asking {len(items)} questions ({args.split} split, one contract per workspace), "
          "each without and with the model", flush=True)
    timings, loads = run(chats, items)
    if not timings:
        return 1
    table(timings, loads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
