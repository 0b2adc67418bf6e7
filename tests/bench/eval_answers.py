"""Answer quality on CUAD: is the labelled fact stated, cited and verified, and nothing unsupported?

    python -m tests.bench.eval_answers [--scope single library] [--split dev held-out]
        [--limit N] [--no-model] [--before REV] [--adapter LORA.gguf]

Questions come from the lawyers' normalised answers in CUAD's ``master_clauses.csv`` (see
``tests.bench.answer_labels``), asked with one contract per workspace ("the agreement") and in
one workspace holding all 61 contracts (the question names the agreement by title and parties).
Contracts are split by a hash of their file name into dev and held-out halves. Per question
type it prints: right (the first thing shown, the checked short answer or else the best quote,
states the labelled fact), right with a verified citation (and, in the library, from the right
contract), right in any quote shown, stated-but-unsupported (a figure or name in a short answer
shown as grounded that is not in the text it cites, re-read from the page), and p50/p95 seconds
per answer. ``--before REV`` runs the ChatService of commit REV (loaded from git) instead, on
the same questions. Workspaces are kept under .cache/eval/answers, so a re-run only asks.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from app.answers.grounding import unsupported
from rag.chunking import Chunk
from rag.documents import LoadedDocument, Page
from rag.embedder import Embedder, load_embedder
from rag.ingest import ingest
from rag.library import Library, Workspace
from rag.retrieval import HybridRetriever
from rag.store import DocumentRecord
from rag.store import chunk_id as make_chunk_id
from tests.bench.answer_labels import CUAD, FIELDS, Question, questions, states

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "eval" / "answers"
LIBRARY_WORKSPACE = "cuad-all"
MOVED_MODULES = {"models.jobs": "core.jobs", "models.errors": "core.errors"}


@dataclass
class Outcome:
    question: Question
    scope: str
    right: bool
    right_verified: bool
    right_any_quote: bool
    unsupported: bool
    grounded: bool
    seconds: float
    shown: str


def single_workspace(contract: str) -> str:
    return f"cuad-{zlib.crc32(contract.encode()):08x}"


def prepare(library: Library, embedder: Embedder, contracts: Sequence[str],
            scopes: Sequence[str]) -> None:
    """The library workspace through the real ingest; each one-contract workspace is a copy of
    that contract's pages, passages and vectors (embedding it again would give the same)."""
    started = time.perf_counter()
    pdfs = CUAD / "full_contract_pdf"
    everything = library.workspace(LIBRARY_WORKSPACE)
    ingest([pdfs / name for name in contracts], workspace=everything, embedder=embedder)
    for record in everything.documents() if "single" in scopes else ():
        single = library.workspace(single_workspace(Path(record.paths[0]).name))
        if not single.documents():
            copy_document(everything, single, record)
    print(f"workspaces ready in {time.perf_counter() - started:.0f} s", flush=True)


def copy_document(source: Workspace, target: Workspace, record: DocumentRecord) -> None:
    pages = tuple(Page(number, source.page_text(record.doc_id, number) or "")
                  for number in range(1, record.pages + 1))
    ids = [make_chunk_id(record.doc_id, ordinal) for ordinal in range(record.chunks)]
    stored, vectors = source.chunks(ids), source.vectors(ids)
    chunks = [Chunk(stored[chunk].page, stored[chunk].start, stored[chunk].end,
                    stored[chunk].text, ordinal) for ordinal, chunk in enumerate(ids)]
    document = LoadedDocument(Path(record.paths[0]), record.kind, pages, record.title)
    target.add(record.doc_id, document, chunks, np.stack([vectors[chunk] for chunk in ids]),
               path=record.paths[0], size=record.bytes,
               embedder=source.embedder_name or "unknown")


def contract_texts(library: Library, contracts: Sequence[str]) -> dict[str, tuple[str, str]]:
    """File name -> (doc id, full text) from the library workspace's stored pages."""
    workspace = library.workspace(LIBRARY_WORKSPACE)
    texts = {}
    for record in workspace.documents():
        name = Path(record.paths[0]).name
        pages = [workspace.store.page_text(record.doc_id, page) or ""
                 for page in range(1, record.pages + 1)]
        texts[name] = (record.doc_id, "\n".join(pages))
    return {name: texts[name] for name in contracts if name in texts}


def load_runtime(load_model: bool, adapter: Path | None = None) -> Any:
    if not load_model:
        return None
    from models.catalog import ModelCatalog
    from models.runtime import LlamaCppRuntime

    catalog = ModelCatalog(CACHE / "models")
    info = catalog.install_embedded()
    runtime = LlamaCppRuntime(context_cap=2048)
    runtime.load(catalog.path_of(info), prompt_style=info.prompt_style,
                 context_length=info.context_length, adapter=adapter)
    return runtime


def before_module(revision: str) -> ModuleType:
    """app/chat.py as it was at ``revision``, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{revision}:app/chat.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    for moved, now in MOVED_MODULES.items():  # modules renamed since then
        source = source.replace(f"from {moved} import", f"from {now} import")
    path = Path(tempfile.mkdtemp()) / "chat_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("chat_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def score_after(question: Question, scope: str, answer: Any, doc_id: str) -> Outcome:
    quotes = list(answer.quotes)
    first = answer.text if answer.grounded else (quotes[0].text if quotes else "")
    right = bool(answer.found and states(question.field, question.label, first))
    backing = [q for q in quotes if q.number in _cited(answer)] if answer.grounded \
        else quotes[:1]
    verified = any(q.verified and q.hit.doc_id == doc_id
                   and (answer.grounded or states(question.field, question.label, q.text))
                   for q in backing)
    any_quote = any(states(question.field, question.label, q.text) for q in quotes)
    bad = answer.grounded and bool(unsupported(answer.draft, " ".join(
        _page_sentence(q) for q in backing)))
    return Outcome(question, scope, right, right and verified, any_quote, bad, answer.grounded,
                   0.0, first)


def _cited(answer: Any) -> set[int]:
    from app.chat import cited_numbers

    return set(cited_numbers(answer.text))


def _page_sentence(quote: Any) -> str:
    """The cited sentence as it stands on the page today (empty when it is not there)."""
    return quote.evidence.text if quote.verified else ""


def score_before(question: Question, scope: str, answer: Any, doc_id: str) -> Outcome:
    text = answer.text if answer.found else ""
    right = bool(text and states(question.field, question.label, text))
    cited = [c for c in answer.citations if c.verified and c.hit is not None]
    verified = any(c.hit.doc_id == doc_id and states(question.field, question.label, c.hit.text)
                   for c in cited)
    evidence = " ".join(c.hit.text for c in cited)
    bad = bool(text) and bool(unsupported(text, evidence))
    return Outcome(question, scope, right, right and verified, right, bad, False, 0.0, text)


def ask_all(chat: Any, asked: Sequence[tuple[Question, str]], docs: dict[str, tuple[str, str]],
            score: Callable[..., Outcome]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    try:
        _ask_each(chat, asked, docs, score, outcomes)
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM: the tables still cover what was asked
        print(f"interrupted after {len(outcomes)} of {len(asked)} questions", flush=True)
    return outcomes


def _ask_each(chat: Any, asked: Sequence[tuple[Question, str]],
              docs: dict[str, tuple[str, str]], score: Callable[..., Outcome],
              outcomes: list[Outcome]) -> None:
    for number, (question, scope) in enumerate(asked, 1):
        workspace = LIBRARY_WORKSPACE if scope == "library" else \
            single_workspace(question.contract)
        text = question.named if scope == "library" else question.question
        started = time.perf_counter()
        answer = chat.ask(text, workspace=workspace)
        outcome = score(question, scope, answer, docs[question.contract][0])
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
        mark = "RIGHT" if outcome.right_verified else ("right" if outcome.right else "wrong")
        flags = ("G" if outcome.grounded else "-") + ("U" if outcome.unsupported else "-")
        print(f"  {number:>3} {mark:5} {flags} {outcome.seconds:5.1f}s {scope:7} "
              f"{question.split:8} {question.field:16} label={question.label[:30]!r} "
              f"shown={outcome.shown[:90]!r}", flush=True)


def table(outcomes: Sequence[Outcome], title: str) -> None:
    print(f"\n{title}")
    print(f"{'type':18}{'n':>4}{'right':>8}{'right+cite':>12}{'any quote':>11}{'grounded':>10}"
          f"{'unsupp.':>9}{'p50 s':>8}{'p95 s':>8}")
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.question.field].append(outcome)
    for field in [*FIELDS, "ALL"]:
        rows = list(outcomes) if field == "ALL" else groups.get(field, [])
        if rows:
            print(_row(field, rows))


def _row(name: str, rows: Sequence[Outcome]) -> str:
    def share(flag: str) -> str:
        return f"{100 * sum(getattr(row, flag) for row in rows) / len(rows):.0f}%"

    seconds = sorted(row.seconds for row in rows)
    p95 = seconds[min(len(seconds) - 1, int(round(0.95 * (len(seconds) - 1))))]
    return (f"{name:18}{len(rows):>4}{share('right'):>8}{share('right_verified'):>12}"
            f"{share('right_any_quote'):>11}{share('grounded'):>10}"
            f"{sum(row.unsupported for row in rows):>9}{statistics.median(seconds):>8.2f}"
            f"{p95:>8.2f}")


def select(all_questions: list[Question], scopes: Sequence[str], splits: Sequence[str],
           limit: int) -> list[tuple[Question, str]]:
    chosen = [(q, scope) for scope in scopes for q in all_questions
              if q.split in splits and not (scope == "library" and q.field == "parties")]
    if limit and len(chosen) > limit:
        per_group: dict[tuple[str, str], list[tuple[Question, str]]] = defaultdict(list)
        for item in chosen:
            per_group[(item[0].field, item[1])].append(item)
        chosen, round_ = [], 0
        while len(chosen) < limit:
            layer = [group[round_] for group in per_group.values() if len(group) > round_]
            if not layer:
                break
            chosen += layer[:limit - len(chosen)]
            round_ += 1
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", nargs="+", default=["single", "library"],
                        choices=["single", "library"])
    parser.add_argument("--split", nargs="+", default=["dev", "held-out"],
                        choices=["dev", "held-out"])
    parser.add_argument("--limit", type=int, default=0, help="ask at most N, spread over types")
    parser.add_argument("--no-model", action="store_true", help="evidence only, no phrasing")
    parser.add_argument("--before", metavar="REV", help="measure the ChatService of REV")
    parser.add_argument("--adapter", type=Path, help="a LoRA adapter GGUF on the model")
    args = parser.parse_args(argv)
    from app.egress import go_offline

    go_offline()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    contracts = sorted(path.name for path in (CUAD / "full_contract_pdf").iterdir())
    embedder = load_embedder()  # the shipped one; its index apart from other embedders'
    library = Library(CACHE / f"index-{embedder.name}")
    prepare(library, embedder, contracts, args.scope)
    docs = contract_texts(library, contracts)
    found, left_out = questions(lambda name: docs[name][1] if name in docs else "")
    print(f"{len(found)} answerable questions ({left_out} labels not stated in the text left out)")
    asked = select(found, args.scope, args.split, args.limit)
    runtime = load_runtime(not args.no_model, args.adapter)
    retriever_for: Callable[[str], HybridRetriever] = \
        lambda name: HybridRetriever(library.workspace(name), embedder)  # noqa: E731
    if args.before:
        from models.runtime import GenerationOptions

        chat: Any = before_module(args.before).ChatService(
            retriever_for, runtime, system_prompt=_default_system_prompt(),
            options=GenerationOptions())
        outcomes = ask_all(chat, asked, docs, score_before)
    else:
        from app.answers.clauses import ClauseScorer
        from app.chat import ChatService

        chat = ChatService(retriever_for, runtime, phrase=runtime is not None,
                           scorer=ClauseScorer.shipped())  # as the app asks
        outcomes = ask_all(chat, asked, docs, score_after)
    label = f"BEFORE ({args.before})" if args.before else "AFTER"
    for split in args.split:
        for scope in args.scope:
            rows = [o for o in outcomes if o.question.split == split and o.scope == scope]
            if rows:
                table(rows, f"{label} · {split} · {scope} workspace")
    return 0


def _default_system_prompt() -> str:
    from app.settings import Settings

    return Settings().llm.system_prompt


if __name__ == "__main__":
    sys.exit(main())
