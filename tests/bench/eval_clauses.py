"""CUAD clause questions over all 41 categories, asked through the app's answer path.

    python -m tests.bench.eval_clauses [--scope single library] [--split held-back dev]
        [--contracts N] [--limit N] [--model] [--scorer-only]

For each of the 61 contracts and each CUAD category a lawyer's question
(:mod:`tests.bench.clause_questions`, one of 2+ wordings per category, fixed by a hash) is asked
through ``ChatService.ask`` (the app's path, whatever the pipeline does), with one contract per
workspace ("the agreement") and with all 61 in one workspace (the question names the agreement
by title and parties). Workspaces, ingest and caching are those of ``tests.bench.eval_answers``.
Contracts are split as ``tests.bench.eval_contracts`` splits them (held back when
sha256(file name) % 3 == 0); the tables print each split apart.

Where the lawyers marked the clause ("present"):
- quoted:  a quote shown, from the contract asked about, lies in or covers a lawyer's span
           (overlap as in eval_contracts: 5 shared words, or a short span inside);
- direct:  the first thing shown is a direct answer (not the could-not-phrase notice, not a
           "no"/not-found) and a quote it cites ([n]; the first quote when it cites none)
           overlaps a lawyer's span and is from the right contract.
Where they did not ("absent"):
- false:   the answer asserts the clause (a direct answer that is not a "no");
- no:      an honest no (the answer says no such clause was found / "No").
The answer's ``outcome`` (answered / declined / weak / not_found / stopped) decides these when
the pipeline gives one; otherwise its text is read.
Over all questions: notice = the could-not-phrase (or "no sentence states this") notice leads
the answer; p50 seconds per answer (without the model unless ``--model``).

``--scorer-only`` measures the clause scorer alone on the stored passage vectors: per contract
and kind, whether a labelled passage passes (present) and whether any passage passes (absent).
It also prints how the scorer recognises the wordings (right kind, or None for none).
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.answers.clauses import CLAUSE_KINDS, ClauseScorer
from rag.embedder import Embedder, load_embedder
from rag.library import Library
from rag.retrieval import HybridRetriever
from rag.store import chunk_id as make_chunk_id
from tests.bench.answer_labels import agreement_name
from tests.bench.clause_corpus import spans, squashed
from tests.bench.clause_questions import ISSUE_TEN, wording
from tests.bench.eval_answers import (
    CACHE,
    LIBRARY_WORKSPACE,
    load_runtime,
    prepare,
    single_workspace,
)
from tests.bench.eval_contracts import CUAD, DEVELOPMENT, HELD_BACK, overlaps, part_of, read_rows

NOTICE = re.compile(r"could not phrase|found no sentence that states|^stopped before", re.I)
NO = re.compile(r"^\W*(?:no\b|not found\b)|\bno (?:\w+[ -]){0,4}(?:clause|provision|term|"
                r"right|license|licence|obligation|restriction)s? (?:\w+ ){0,3}(?:was|were|is|"
                r"are) found|\b(?:does|do) not (?:\w+ )?(?:contain|have|include|say|state|"
                r"provide|mention)\b|\bnothing (?:in|about)\b", re.I)
_CITED = re.compile(r"\[(\d{1,3})(?:\s*,\s*\d{1,3})*\]")


@dataclass(frozen=True)
class Asked:
    contract: str  # PDF file name
    kind: str
    split: str
    present: bool
    spans: tuple[str, ...]
    question: str
    named: str


@dataclass
class Outcome:
    asked: Asked
    scope: str
    quoted: bool
    direct: bool
    direct_right: bool
    no: bool
    notice: bool
    seconds: float
    shown: str


def pdf_names() -> dict[str, str]:
    return {Path(p.name).stem.lower(): p.name for p in (CUAD / "full_contract_pdf").iterdir()}


def all_asked(parts: Sequence[str], per_part: int) -> list[Asked]:
    names, asked = pdf_names(), []
    counts: dict[str, int] = defaultdict(int)
    for row in read_rows():
        part = part_of(row["Filename"])
        if part not in parts or (per_part and counts[part] >= per_part):
            continue
        counts[part] += 1
        contract = names[Path(row["Filename"]).stem.lower()]
        doc = agreement_name(row)
        for kind in CLAUSE_KINDS:
            labels = tuple(spans(row[kind.category]))
            text = wording(kind.key, contract)
            asked.append(Asked(contract, kind.key, part, bool(labels), labels,
                               text.format(doc="the agreement"), _capital(text.format(doc=doc))))
    return asked


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def on_span(text: str, labels: Sequence[str]) -> bool:
    flat = squashed(text)
    return any(overlaps(flat, span) or overlaps(span, flat) for span in labels)


def score(asked: Asked, scope: str, answer: Any, doc_id: str) -> Outcome:
    text = str(answer.text or "")
    quotes = list(getattr(answer, "quotes", ()))
    outcome = getattr(answer, "outcome", None)  # the pipeline's own account, when it gives one
    if outcome is not None:
        notice = outcome == "weak"
        no = outcome in ("declined", "not_found") or (outcome == "answered" and
                                                      bool(NO.match(text[:300])))
    else:
        notice = bool(NOTICE.search(text[:200]))
        no = not notice and (not getattr(answer, "found", True) or bool(NO.search(text[:300])))
    direct = bool(text) and not notice and not no and outcome in (None, "answered")
    right_doc = [q for q in quotes if q.hit.doc_id == doc_id]
    quoted = any(on_span(q.text, asked.spans) for q in right_doc)
    numbers = {int(n) for n in _CITED.findall(text)}
    cited = [q for q in quotes if q.number in numbers] or quotes[:1]
    direct_right = direct and any(q.hit.doc_id == doc_id and on_span(q.text, asked.spans)
                                  for q in cited)
    return Outcome(asked, scope, quoted, direct, direct_right, no, notice, 0.0, text)


def ask_all(chat: Any, items: Sequence[tuple[Asked, str]], docs: dict[str, str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    try:
        for number, (asked, scope) in enumerate(items, 1):
            workspace = LIBRARY_WORKSPACE if scope == "library" else \
                single_workspace(asked.contract)
            started = time.perf_counter()
            answer = chat.ask(asked.named if scope == "library" else asked.question,
                              workspace=workspace)
            outcome = score(asked, scope, answer, docs[asked.contract])
            outcome.seconds = time.perf_counter() - started
            outcomes.append(outcome)
            _print_one(number, outcome)
    except KeyboardInterrupt:  # the tables still cover what was asked
        print(f"interrupted after {len(outcomes)} of {len(items)} questions", flush=True)
    return outcomes


def _print_one(number: int, o: Outcome) -> None:
    mark = ("DIRECT" if o.direct_right else "quoted" if o.quoted else "-") if o.asked.present \
        else ("FALSE" if o.direct else "no" if o.no else "-")
    print(f"  {number:>4} {mark:6} {o.seconds:5.2f}s {o.scope:7} {o.asked.split:9} "
          f"{'present' if o.asked.present else 'absent':7} {o.asked.kind:34} "
          f"shown={o.shown[:80]!r}", flush=True)


def share(rows: Sequence[Outcome], flag: str) -> str:
    return f"{sum(getattr(r, flag) for r in rows) / len(rows):.2f}" if rows else "-"


def table(outcomes: Sequence[Outcome], title: str) -> None:
    present = [o for o in outcomes if o.asked.present]
    absent = [o for o in outcomes if not o.asked.present]
    seconds = sorted(o.seconds for o in outcomes)
    print(f"\n{title}: {len(outcomes)} questions ({len(present)} present, {len(absent)} absent)")
    print(f"  present: clause quoted {share(present, 'quoted')}, direct answer with the right "
          f"clause {share(present, 'direct_right')}, said no {share(present, 'no')}")
    print(f"  absent:  false claims {share(absent, 'direct')}, honest no {share(absent, 'no')}")
    print(f"  notice leads {share(present, 'notice')} of present questions, "
          f"{share(outcomes, 'notice')} of all; p50 {statistics.median(seconds):.2f} s"
          if seconds else "")
    ten = [o for o in outcomes if o.asked.kind in ISSUE_TEN]
    ten_present = [o for o in ten if o.asked.present]
    ten_absent = [o for o in ten if not o.asked.present]
    print(f"  the issue's ten kinds: quoted {share(ten_present, 'quoted')}, direct "
          f"{share(ten_present, 'direct_right')} ({len(ten_present)}); false claims "
          f"{share(ten_absent, 'direct')}, honest no {share(ten_absent, 'no')} "
          f"({len(ten_absent)}); notice {share(ten, 'notice')}")


def kind_table(outcomes: Sequence[Outcome]) -> None:
    print(f"\n{'kind':36}{'present':>8}{'quoted':>8}{'direct':>8}{'absent':>8}{'false':>7}"
          f"{'no':>6}")
    for kind in CLAUSE_KINDS:
        rows = [o for o in outcomes if o.asked.kind == kind.key]
        present = [o for o in rows if o.asked.present]
        absent = [o for o in rows if not o.asked.present]
        print(f"{kind.key:36}{len(present):>8}{share(present, 'quoted'):>8}"
              f"{share(present, 'direct_right'):>8}{len(absent):>8}{share(absent, 'direct'):>7}"
              f"{share(absent, 'no'):>6}")


# --- the scorer alone ------------------------------------------------------------------

def scorer_only(library: Library, embedder: Embedder, asked: Sequence[Asked],
                scorer: ClauseScorer) -> None:
    workspace = library.workspace(LIBRARY_WORKSPACE)
    passages: dict[str, tuple[list[str], np.ndarray]] = {}
    for record in workspace.documents():
        ids = [make_chunk_id(record.doc_id, n) for n in range(record.chunks)]
        stored, by_id = workspace.chunks(ids), workspace.vectors(ids)
        passages[Path(record.paths[0]).name] = ([stored[i].text for i in ids],
                                                np.stack([by_id[i] for i in ids]))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for item in asked:
        texts, vectors = passages[item.contract]
        passing = scorer.probabilities(item.kind, texts, vectors) >= scorer.threshold(item.kind)
        row = counts[(item.split, "present" if item.present else "absent")]
        row[0] += 1
        if item.present:
            labelled = [on_span(text, item.spans) for text in texts]
            row[1] += bool(np.any(passing & np.array(labelled, dtype=bool)))
            row[2] += int(any(labelled))
        else:
            row[1] += bool(passing.any())
    for (split, state), (n, hits, matched, _) in sorted(counts.items()):
        what = "a labelled passage passes" if state == "present" else "some passage passes"
        extra = f" ({matched} with a passage on the span)" if state == "present" else ""
        print(f"scorer alone · {split} · {state}: {what} in {hits}/{n} = {hits / n:.3f}{extra}")
    recognition(scorer, embedder, asked)


def recognition(scorer: ClauseScorer, embedder: Embedder, asked: Sequence[Asked]) -> None:
    from tests.bench.clause_questions import WORDINGS

    texts = [(kind, text.format(doc="the agreement")) for kind, options in WORDINGS.items()
             for text in options]
    vectors = embedder.embed([text for _, text in texts])
    right = [scorer.recognise(text, vector)
             for (_, text), vector in zip(texts, vectors, strict=True)]
    good = sum(kind is not None and kind.key == key
               for (key, _), kind in zip(texts, right, strict=True))
    print(f"recognised the right kind for {good}/{len(texts)} evaluation wordings")
    for (key, text), kind in zip(texts, right, strict=True):
        if kind is None or kind.key != key:
            print(f"    {key:34} {text!r} -> {kind.key if kind else None}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", nargs="+", default=["single", "library"],
                        choices=["single", "library"])
    parser.add_argument("--split", nargs="+", default=[HELD_BACK, DEVELOPMENT],
                        choices=[HELD_BACK, DEVELOPMENT])
    parser.add_argument("--contracts", type=int, default=0,
                        help="at most N contracts per split (in label-file order)")
    parser.add_argument("--limit", type=int, default=0, help="ask at most N questions")
    parser.add_argument("--model", action="store_true", help="phrase with the embedded model")
    parser.add_argument("--scorer-only", action="store_true")
    parser.add_argument("--scorer", type=Path, help="a clause scorer file to measure instead "
                        "of the shipped one")
    args = parser.parse_args(argv)
    scorer = ClauseScorer.load(args.scorer) if args.scorer else ClauseScorer.shipped()
    from app.egress import go_offline

    go_offline()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    contracts = sorted(path.name for path in (CUAD / "full_contract_pdf").iterdir())
    embedder = load_embedder()
    library = Library(CACHE / f"index-{embedder.name}")
    prepare(library, embedder, contracts, args.scope)
    asked = all_asked(args.split, args.contracts)
    if args.scorer_only:
        scorer_only(library, embedder, asked, scorer)
        return 0
    docs = {Path(r.paths[0]).name: r.doc_id
            for r in library.workspace(LIBRARY_WORKSPACE).documents()}
    items = [(a, scope) for scope in args.scope for a in asked]
    if args.limit:
        items = items[::max(1, len(items) // args.limit)][:args.limit]
    runtime = load_runtime(args.model)
    retriever_for = lambda name: HybridRetriever(library.workspace(name), embedder)  # noqa: E731
    from app.chat import ChatService

    chat = ChatService(retriever_for, runtime, phrase=runtime is not None,
                       scorer=scorer)  # as the app asks (app.services)
    outcomes = ask_all(chat, items, docs)
    model = "with the model" if args.model else "without the model"
    for split in args.split:
        for scope in args.scope:
            rows = [o for o in outcomes if o.asked.split == split and o.scope == scope]
            if rows:
                table(rows, f"clause questions · {split} · {scope} workspace · {model}")
    kind_table(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
