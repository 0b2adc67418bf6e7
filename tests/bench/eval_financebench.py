"""FinanceBench through the answer pipeline: is an evidence page among the pages an answer cites?

    python -m tests.bench.eval_financebench [--model] [--limit N] [--no-ingest]
        [--financebench-docs N] [--variant int8]

The 41 filings go through the real ingest into the index ``tests.bench.eval_retrieval`` builds
and caches for its retrieval-only ranking (.cache/eval/financebench-<embedder>-<N>; a second
run only asks). Each of the 93 questions those filings cover is asked through
``ChatService.ask`` as the app builds it (``app.services``: the settings' defaults, the shipped
clause scorer), in that one workspace, without the model unless ``--model`` (the embedded
Gemma). FinanceBench questions name the company and year, never the file. Per question, with
the evidence pages of FinanceBench's judgments (``qrels_pages.tsv``, zero-based there):

- cited:     an evidence page of the right filing is among the pages the answer cites: the
             quotes its text cites ([n]), or, when it cites none (a notice or an honest no
             above the quotes), the first quote shown;
- any quote: an evidence page is among the pages of all the quotes shown (``answer.quotes``,
             each checked in ``answer.citations``);
- filing:    the cited quotes are from the right filing (any page);
- outcome:   answered / declined / weak (the notice leads) / not_found / stopped;
- seconds per answer, p50 and p95.

``--no-ingest`` asks on the filings the cached index holds now (an ingest stopped part way
stores whole documents only), and only the questions whose evidence lies wholly in them.
FinanceBench is CC BY-NC 4.0: evaluation only, nothing here is trained or tuned on it.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.answers.answer import OUTCOMES
from app.answers.check import cited_numbers
from rag.embedder import DEFAULT_VARIANT, VARIANTS
from rag.retrieval import HybridRetriever
from tests.bench.eval_answers import load_runtime
from tests.bench.eval_retrieval import (
    CACHE,
    DATA,
    Qrels,
    cached_workspace,
    embedder_for,
    financebench_pdfs,
    financebench_queries,
    financebench_workspace,
)

WORKSPACE = "financebench"  # as eval_retrieval names it


@dataclass
class Outcome:
    question_id: str
    kind: str  # FinanceBench's question_type
    outcome: str
    cited: bool
    any_quote: bool
    filing: bool
    seconds: float
    shown: str


def page_key(hit: Any) -> str:
    """"<filing>#<page>", pages counted from 1, as eval_retrieval keys its judgments."""
    return f"{Path(hit.path).stem}#{hit.page}"


def cited_quotes(answer: Any) -> list[Any]:
    """The quotes the answer's text cites by [n]; the first quote shown when it cites none."""
    quotes = list(answer.quotes)
    numbers = set(cited_numbers(answer.text))
    return [quote for quote in quotes if quote.number in numbers] or quotes[:1]


def score(question_id: str, kind: str, answer: Any, judged: dict[str, float],
          seconds: float) -> Outcome:
    evidence = {key for key, gain in judged.items() if gain > 0}
    filings = {key.split("#")[0] for key in evidence}
    cited = cited_quotes(answer)
    shown = {page_key(quote.hit) for quote in answer.quotes} | \
        {page_key(check.hit) for check in answer.citations if check.hit is not None}
    return Outcome(question_id, kind, answer.outcome,
                   cited=any(page_key(quote.hit) in evidence for quote in cited),
                   any_quote=bool(shown & evidence),
                   filing=any(Path(quote.hit.path).stem in filings for quote in cited),
                   seconds=seconds, shown=answer.text)


def chat_service(retriever_for: Any, runtime: Any) -> Any:
    """ChatService as ``app.services`` builds it, from default settings."""
    from app.answers.clauses import ClauseScorer
    from app.chat import ChatService
    from app.settings import Settings
    from models.runtime import GenerationOptions

    settings = Settings()
    return ChatService(retriever_for, runtime, system_prompt=settings.llm.system_prompt,
                       options=GenerationOptions(max_tokens=settings.llm.max_tokens,
                                                 temperature=settings.llm.temperature),
                       top_k=settings.rag.top_k, min_relevance=settings.rag.min_relevance,
                       phrase=runtime is not None, scorer=ClauseScorer.shipped())


def covered(queries: dict[str, str], qrels: Qrels, stored: set[str]) -> dict[str, str]:
    """The questions whose evidence filings are all stored."""
    return {query: text for query, text in queries.items()
            if all(key.split("#")[0] in stored for key in qrels[query])}


def ask_all(chat: Any, queries: dict[str, str], qrels: Qrels,
            kinds: dict[str, str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    try:
        for number, (query, question) in enumerate(queries.items(), 1):
            started = time.perf_counter()
            answer = chat.ask(question, workspace=WORKSPACE)
            outcome = score(query, kinds.get(query, "?"), answer, qrels[query],
                            time.perf_counter() - started)
            outcomes.append(outcome)
            mark = "CITED" if outcome.cited else "quote" if outcome.any_quote else \
                "filing" if outcome.filing else "-"
            print(f"  {number:>3} {mark:6} {outcome.outcome:9} {outcome.seconds:5.2f}s "
                  f"{query} shown={outcome.shown[:90]!r}", flush=True)
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM: the table still covers what was asked
        print(f"interrupted after {len(outcomes)} of {len(queries)} questions", flush=True)
    return outcomes


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def row(name: str, rows: Sequence[Outcome]) -> str:
    def part(flag: str) -> str:
        return f"{sum(getattr(r, flag) for r in rows) / len(rows):.2f}"

    mix = Counter(r.outcome for r in rows)
    seconds = [r.seconds for r in rows]
    return (f"| {name} | {len(rows)} | {part('cited')} | {part('any_quote')} | "
            f"{part('filing')} | " + " | ".join(str(mix.get(o, 0)) for o in OUTCOMES) +
            f" | {mix.get('weak', 0) / len(rows):.2f} | {statistics.median(seconds):.2f} | "
            f"{percentile(seconds, 0.95):.2f} |")


def table(outcomes: Sequence[Outcome], title: str) -> None:
    print(f"\n{title}")
    print("| questions | n | evidence page cited | in any quote shown | right filing cited | "
          + " | ".join(OUTCOMES) + " | notice leads | p50 s | p95 s |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(OUTCOMES) + "---:|---:|---:|")
    for kind in sorted({o.kind for o in outcomes}):
        print(row(kind, [o for o in outcomes if o.kind == kind]))
    print(row("**all**", outcomes))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="phrase with the embedded model")
    parser.add_argument("--limit", type=int, default=0, help="ask at most N questions")
    parser.add_argument("--no-ingest", action="store_true",
                        help="ask on the filings the cached index holds now")
    parser.add_argument("--financebench-docs", type=int, default=41,
                        help="the index of the N smallest filings (eval_retrieval's option)")
    parser.add_argument("--variant", choices=VARIANTS, default=DEFAULT_VARIANT,
                        help=f"the embedder (default {DEFAULT_VARIANT}, the shipped one)")
    args = parser.parse_args(argv)
    from app.egress import go_offline

    go_offline()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    embedder = embedder_for(args.variant)
    folder = CACHE / f"financebench-{args.variant}-{args.financebench_docs}"
    if args.no_ingest:
        workspace = cached_workspace(folder, WORKSPACE, embedder)
    else:
        started = time.perf_counter()
        workspace = financebench_workspace(embedder, args.variant, args.financebench_docs)
        print(f"index ready in {time.perf_counter() - started:.0f} s", flush=True)
    stored = {Path(record.paths[0]).stem for record in workspace.documents()}
    wanted = {path.stem for path in financebench_pdfs(args.financebench_docs)}
    queries, qrels = financebench_queries()
    queries = covered(queries, qrels, stored & wanted)
    if args.limit:
        queries = dict(list(queries.items())[:args.limit])
    kinds = {item["financebench_id"]: item.get("question_type") or "?" for item in
             map(json.loads, (DATA / "financebench" / "questions_with_pdf.jsonl").open())}
    print(f"{len(stored & wanted)} of {len(wanted)} filings in the index; asking "
          f"{len(queries)} questions", flush=True)
    runtime = load_runtime(args.model)
    retriever_for = lambda name: HybridRetriever(workspace, embedder)  # noqa: E731
    outcomes = ask_all(chat_service(retriever_for, runtime), queries, qrels, kinds)
    if not outcomes:
        return 1
    model = "with the embedded model" if args.model else "without the model"
    table(outcomes, f"FinanceBench through ChatService.ask · {len(stored & wanted)} filings · "
                    f"{embedder.name} · {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
