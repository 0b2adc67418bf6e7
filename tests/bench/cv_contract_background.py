"""Experiment: background negatives from development contracts' own passages, by grouped CV.

Run: ``python -m tests.bench.cv_contract_background [--folds 4] [--cached]``.

The shipped clause classifier was trained against other clauses only. Here, for each fold of
the development contracts, a classifier is trained on the 449 CUAD contracts' labels as shipped
*plus* background negatives: the passages of the development contracts of the *other* folds
that overlap no lawyer label of the field in their contract (overlap as the evaluation matches).
On the fold's contracts it is scored (a) as a rescorer of the rule candidates (shipped setting)
and (b) as a proposer for fields the rules leave empty: the field's most probable passage
(every passage, or only the field's rule candidates) when its probability reaches a threshold
chosen inside the training folds (nested CV). Baseline: the shipped classifier on the same
candidates. The held-back part is never read here.

Result (30 Nov 2026, int8, 44 development contracts, 4 folds; rescoring as shipped, weight 1.0,
centre 0.3): the thresholds chosen inside the training folds were "never propose" in every fold,
for both sources, with either classifier; the proposals the CV classifiers would make are far
less precise than the fields (0.86): at 0.99 over every passage 3 right, 6 wrong, 20 extra
(shipped: 4/8/26); over the rule candidates at 0.95 5/4/12 (shipped 3/6/17). As a rescorer
the background classifier found one field more (term) with one wrong and two extra fewer:
recall 0.871 -> 0.874, field precision 0.859 -> 0.867, quote precision 0.753 -> 0.761 (a
background weight of 3 did no better). Not adopted: one field of 342 is within noise, and
training on development text would make every later development tuning in-sample.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.contracts.classifier import CLASSIFIER_PATH, ClauseClassifier, shipped_classifier
from app.contracts.fields import spec_of
from app.contracts.finder import Match, chosen, field_candidates, section_starts
from app.contracts.semantic import (
    CLASSIFIER_SETTING,
    UNIT_CHARS,
    ClassifierChances,
    ClassifierComplement,
)
from app.contracts.service import load_contract
from rag.embedder import Embedder, load_embedder
from tests.bench.eval_contracts import (
    DEVELOPMENT,
    labels_of,
    outcome,
    overlaps,
    part_of,
    read_rows,
    source_of,
)
from tests.bench.train_contract_classifier import examples_of, targets, training_rows

CACHE = Path(tempfile.gettempdir()) / "enclave-cv-background.pickle"
NEVER = 1.01  # a threshold no probability reaches: no proposals
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, NEVER)
SOURCES = ("all", "candidates")


@dataclass
class DevContract:
    number: int
    sections: dict[str, int]
    candidates: dict[str, list[Match]]
    texts: list[str]  # every passage and candidate window, first UNIT_CHARS characters
    vectors: np.ndarray
    labels: dict[str, list[str]]
    passage_texts: list[str]  # the plain passages (no windows), as background


@dataclass
class Corpus:
    fields: list[str]
    columns: dict[str, tuple[str, ...]]
    train_vectors: np.ndarray
    train_labels: dict[str, np.ndarray]
    C: dict[str, float]
    dev: list[DevContract]


def read_corpus(cached: bool) -> Corpus:
    """The 449 contracts' labelled texts and the development contracts, embedded (int8)."""
    if cached and CACHE.is_file():
        return pickle.loads(CACHE.read_bytes())  # noqa: S301  # our own file, just written
    embedder, fields = load_embedder("int8"), shipped_classifier().fields
    meta = json.loads(CLASSIFIER_PATH.read_text(encoding="utf-8"))["fields"]
    examples = examples_of(training_rows())
    columns = {key: spec_of(key).cuad_columns for key in fields}
    rows = [row for row in read_rows() if part_of(row["Filename"]) == DEVELOPMENT]
    corpus = Corpus(fields, columns, embedder.embed([e.text[:UNIT_CHARS] for e in examples]),
                    {key: targets(examples, columns[key]) for key in fields},
                    {key: float(meta[key]["C"]) for key in fields},
                    [read_dev(number, row, embedder, columns) for number, row in enumerate(rows)])
    CACHE.write_bytes(pickle.dumps(corpus))
    return corpus


def read_dev(number: int, row: dict[str, str], embedder: Embedder,
             columns: dict[str, tuple[str, ...]]) -> DevContract:
    """A development contract's passages and candidate windows, embedded, with its labels."""
    contract = load_contract(source_of(row, False))
    candidates = field_candidates(contract)
    passage_texts = sorted({p.text[:UNIT_CHARS] for p in contract.passages})
    texts = sorted(set(passage_texts) | {m.passage.text[:UNIT_CHARS] for key in columns
                                         for m in candidates[key]})
    print(f"read development contract {number}: {len(texts)} texts", flush=True)
    return DevContract(number, section_starts(contract.passages), candidates, texts,
                       embedder.embed(texts), {key: labels_of(row, cols, key)
                                               for key, cols in columns.items()}, passage_texts)


def background(contract: DevContract, key: str) -> list[int]:
    """Rows of the contract's passages that overlap no label of the field."""
    row = {text: n for n, text in enumerate(contract.texts)}
    labels = contract.labels[key]
    return [row[text] for text in contract.passage_texts
            if not any(overlaps(text, label) or overlaps(label, text) for label in labels)]


def train(corpus: Corpus, dev: Sequence[DevContract], bg_weight: float) -> ClauseClassifier:
    from sklearn.linear_model import LogisticRegression

    weights, biases = [], []
    for key in corpus.fields:
        labels = corpus.train_labels[key]
        keep = labels >= 0
        x, y = [corpus.train_vectors[keep]], [labels[keep]]
        for contract in dev:
            rows = background(contract, key)
            x.append(contract.vectors[rows])
            y.append(np.zeros(len(rows), dtype=np.int8))
        xs, ys = np.vstack(x), np.concatenate(y)
        sample = np.ones(len(ys))
        sample[int(keep.sum()):] = bg_weight
        positives = ys.sum()
        # balanced as shipped: positives weigh as much as all negatives together
        sample[ys == 1] = sample[ys == 0].sum() / max(1, positives)
        model = LogisticRegression(C=corpus.C[key], max_iter=3000)
        model.fit(xs, ys, sample_weight=sample * len(ys) / sample.sum())
        weights.append(model.coef_[0])
        biases.append(model.intercept_[0])
    return ClauseClassifier(list(corpus.fields), np.array(weights, np.float32),
                            np.array(biases, np.float32))


@dataclass
class Scored:
    """One contract's probabilities under one classifier."""

    contract: DevContract
    chances: dict[str, np.ndarray]


def score_with(classifier: ClauseClassifier, contracts: Sequence[DevContract]) -> list[Scored]:
    return [Scored(c, classifier.probabilities(c.vectors)) for c in contracts]


COMBINER = ClassifierComplement(None, shipped_classifier())  # type: ignore[arg-type]


def outcomes(scored: Sequence[Scored], threshold: float, source: str,
             rescore: bool = True) -> Counter[str]:
    """Counts as tune_contract_classifier scores them; proposals for empty fields from
    ``source`` ('all' passages or the field's rule 'candidates') above ``threshold``."""
    counts: Counter[str] = Counter()
    for item in scored:
        c = item.contract
        chances = ClassifierChances(c.texts, item.chances)
        rescored = COMBINER.combine(c.candidates, chances, CLASSIFIER_SETTING) if rescore \
            else c.candidates
        for key, labels in c.labels.items():
            quotes = [m.passage.text for m in chosen(spec_of(key), rescored[key], c.sections)]
            proposed = False
            if not quotes and threshold < NEVER:
                quote = proposal(item, key, source, threshold)
                if quote is not None:
                    quotes, proposed = [quote], True
            what = outcome(quotes, labels)
            counts[what] += 1
            counts[f"{key} {what}"] += 1
            if proposed:
                counts[f"proposed {what}"] += 1
            counts["quotes"] += len(quotes)
            counts["on label"] += sum(1 for q in quotes if any(overlaps(q, x) for x in labels))
    return counts


def proposal(item: Scored, key: str, source: str, threshold: float) -> str | None:
    c = item.contract
    if source == "all":
        texts = c.passage_texts
    else:
        texts = sorted({m.passage.text[:UNIT_CHARS] for m in c.candidates[key]})
    if not texts:
        return None
    row = {text: n for n, text in enumerate(c.texts)}
    best = max(texts, key=lambda t: (item.chances[key][row[t]], t))
    return best if item.chances[key][row[best]] >= threshold else None


def precision(counts: Counter[str]) -> float:
    return counts["found"] / max(1, counts["found"] + counts["wrong"] + counts["extra"])


def quote_precision(counts: Counter[str]) -> float:
    return counts["on label"] / max(1, counts["quotes"])


def summary(counts: Counter[str]) -> str:
    labelled = counts["found"] + counts["missed"] + counts["wrong"]
    return (f"recall {counts['found'] / max(1, labelled):.3f} precision {precision(counts):.3f}"
            f" quote precision {quote_precision(counts):.3f} (found {counts['found']}, missed "
            f"{counts['missed']}, wrong {counts['wrong']}, extra {counts['extra']}; proposals "
            f"right {counts['proposed found']}, wrong {counts['proposed wrong']}, extra "
            f"{counts['proposed extra']})")


def best_threshold(scored: Sequence[Scored], source: str) -> float:
    floor = outcomes(scored, NEVER, source)
    allowed = [t for t in THRESHOLDS
               if precision(r := outcomes(scored, t, source)) >= precision(floor)
               and quote_precision(r) >= quote_precision(floor)]
    return max(allowed, key=lambda t: (outcomes(scored, t, source)["found"], t))


def folds_of(contracts: Sequence[DevContract], folds: int, fold: int) -> tuple[list, list]:
    return ([c for c in contracts if c.number % folds != fold],
            [c for c in contracts if c.number % folds == fold])


def run(corpus: Corpus, folds: int, bg_weight: float) -> None:
    shipped = score_with(shipped_classifier(), corpus.dev)
    print("shipped classifier, rescoring only:", summary(outcomes(shipped, NEVER, "all")))
    pooled: list[Scored] = []
    totals: dict[str, Counter[str]] = {name: Counter() for name in ("rescore", *SOURCES)}
    with_shipped: dict[str, Counter[str]] = {source: Counter() for source in SOURCES}
    for fold in range(folds):
        rest, held = folds_of(corpus.dev, folds, fold)
        outer = score_with(train(corpus, rest, bg_weight), held)
        pooled += outer
        totals["rescore"].update(outcomes(outer, NEVER, "all"))
        inner = inner_scores(corpus, rest, folds, fold, bg_weight)
        shipped_rest = [s for s in shipped if s.contract.number % folds != fold]
        shipped_held = [s for s in shipped if s.contract.number % folds == fold]
        for source in SOURCES:
            threshold, shipped_threshold = (best_threshold(inner, source),
                                            best_threshold(shipped_rest, source))
            totals[source].update(outcomes(outer, threshold, source))
            with_shipped[source].update(outcomes(shipped_held, shipped_threshold, source))
            print(f"  fold {fold} {source}: threshold {threshold} (shipped classifier: "
                  f"{shipped_threshold}; {NEVER} = never propose)", flush=True)
    print(f"background weight {bg_weight}, {folds}-fold CV:")
    for name, counts in totals.items():
        print(f"  {name:10}", summary(counts))
    for name, counts in with_shipped.items():
        print(f"  shipped+proposals {name:10}", summary(counts))
    print_proposals(pooled, shipped)
    print_fields(corpus.fields, outcomes(shipped, NEVER, "all"), totals)


def inner_scores(corpus: Corpus, rest: Sequence[DevContract], folds: int, fold: int,
                 bg_weight: float) -> list[Scored]:
    """The training folds' contracts, each scored by a classifier whose background came from
    the other training folds (for choosing thresholds without the test fold)."""
    inner: list[Scored] = []
    for sub in range(folds):
        if sub != fold:
            inner += score_with(train(corpus, [c for c in rest if c.number % folds != sub],
                                      bg_weight), [c for c in rest if c.number % folds == sub])
    return inner


def print_proposals(pooled: Sequence[Scored], shipped: Sequence[Scored]) -> None:
    """Proposals right/wrong/extra at each threshold (CV probabilities and shipped)."""
    for source in SOURCES:
        for name, items in (("cv background", pooled), ("shipped", shipped)):
            line = []
            for threshold in THRESHOLDS[:-1]:
                counts = outcomes(items, threshold, source)
                line.append(f"{threshold}: {counts['proposed found']}/"
                            f"{counts['proposed wrong']}/{counts['proposed extra']}")
            print(f"  proposals {source:10} {name:13} right/wrong/extra", "  ".join(line))


def print_fields(keys: Sequence[str], base: Counter[str], totals: dict[str, Counter[str]]) -> None:
    for key in keys:
        print(f"    {key:28} found: shipped {base[key + ' found']}  " + "  ".join(
            f"cv-{name} {counts[key + ' found']}" for name, counts in totals.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--bg-weight", type=float, default=1.0)
    parser.add_argument("--cached", action="store_true")
    args = parser.parse_args(argv)
    corpus = read_corpus(args.cached)
    run(corpus, args.folds, args.bg_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
