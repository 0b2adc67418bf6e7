"""Train the clause scorer shipped in ``app/answers/data/clause_scorer.json``.

Run: ``nice -n 10 python -m tests.bench.train_clause_scorer [--check] [--out PATH]``.

Data (:mod:`tests.bench.clause_corpus`): the passages of the 408 CUAD background contracts and
of the development part of the 61, as ingest cuts and embeds them (int8 MiniLM); vectors are
cached under ``.cache/clauses/``. For each of the 41 CUAD categories, positives are the
passages that overlap a lawyer's span of the category, negatives every other passage of the
same contracts. One logistic regression per kind (scikit-learn, for training only); its
regularisation is chosen from ``GRID_C`` by average precision over passages, out of fold under
``FOLDS``-fold cross-validation grouped by contract.

Features (``--features``): the passage's words and word pairs as tf-idf (``MAX_WORDS`` of them,
each in at least ``MIN_PASSAGES_PER_WORD`` passages; :mod:`app.answers.words` computes the
same at run time), optionally with its vector. Words win: on the 149 contracts of the first
scorer, found at the 2% false-claim rate went from the vectors' mean over kinds to well above
it for the kinds that matter most (governing law 0.63 -> 0.96, expiration 0.41 -> 0.78,
termination for convenience 0.02 -> 0.24). Word weights under ``PRUNE`` are not stored, which
keeps the file small.

Threshold (the verdict "this passage IS such a clause"), from the same out-of-fold
probabilities: on the contracts the lawyers did not mark with the kind, the best passage of at
most ``FALSE_CLAIMS`` of them may pass (a false "yes, there is such a clause"); at least
``PASSAGE_PRECISION`` of the passages that pass must overlap a lawyer's span; never below
``FLOOR``. Printed per kind:
the contracts with and without the clause, and at the threshold the share of contracts with the
clause whose labelled passage passes ("found") and the share without it where some passage
passes ("false").

Question recognition: the kinds' descriptions, names and example questions
(:mod:`app.answers.kinds`) and the example questions about no kind are embedded; the floor,
margin and name bonus are chosen on them by leave-one-out (each example question recognised
with its own vector left out). Nothing from the evaluation's questions is used.

Deterministic: contracts in name order, weights rounded to ``DECIMALS``; ``--check`` rebuilds
and compares with the shipped file instead of writing it.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from app.answers.clauses import (
    FORMAT_VERSION,
    NO_KIND,
    SCORER_PATH,
    ClauseScorer,
    closeness,
    decide,
    decode_sparse,
    encode_matrix,
    encode_sparse,
    question_words,
)
from app.answers.kinds import CLAUSE_KINDS, NOT_CLAUSE_QUESTIONS
from app.answers.words import TOKEN_PATTERN, WordFeatures
from rag.embedder import Embedder, load_embedder
from tests.bench.clause_corpus import Contract, cache_path, contracts, targets, vectors_of

GRID_C = (10.0,)
FEATURES = ("words", "words+vectors")
MAX_WORDS = 20_000
MIN_PASSAGES_PER_WORD = 5  # passages a word must appear in to be a feature
PRUNE = 0.1  # word weights smaller than this (in absolute value) are not stored
WORD_SHARES = (0.0, 0.01, 0.02, 0.05, 0.1)  # of the word weights, in recognising a question
FOLDS = 5
FALSE_CLAIMS = 0.02  # of the contracts without the clause, at most this share may pass
FLOOR = 0.05
MIN_ABSENT = 10  # contracts without the clause needed to set the false-claim threshold
PASSAGE_PRECISION = 0.25  # of the passages that pass, at least this share on a lawyer's span
DECIMALS = 5
UNIT = "passage: rag.chunking at 200 tokens, 40 overlapping (ingest's default)"


@dataclass
class Corpus:
    contracts: list[Contract]
    vectors: np.ndarray
    groups: np.ndarray  # contract number of each passage
    features: Any = None  # the training matrix (scipy sparse), set by :func:`featurise`
    vocabulary: list[str] | None = None
    idf: np.ndarray | None = None


def featurise(corpus: Corpus, features: str) -> None:
    """The passages' tf-idf words (and vectors) as the training matrix."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [text for contract in corpus.contracts for text in contract.passages or []]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=MIN_PASSAGES_PER_WORD,
                                 max_features=MAX_WORDS, sublinear_tf=True,
                                 token_pattern=TOKEN_PATTERN, dtype=np.float32)
    words = vectorizer.fit_transform(texts)
    corpus.vocabulary = vectorizer.get_feature_names_out().tolist()
    corpus.idf = vectorizer.idf_.astype(np.float32)
    corpus.features = (sparse.hstack([words, sparse.csr_matrix(corpus.vectors)]).tocsr()
                       if features == "words+vectors" else words.tocsr())


def read_corpus(embedder: Embedder, names: Sequence[str] | None,
                cached_only: bool) -> Corpus:
    """The allowed contracts (only ``names`` when given; only those already embedded with
    ``cached_only``), with their passage vectors."""
    found = contracts()
    if names is not None:
        wanted = set(names)
        found = [c for c in found if c.name in wanted]
    if cached_only:
        found = [c for c in found if cache_path(c, embedder.name).is_file()]
    blocks = []
    for number, contract in enumerate(found):
        blocks.append(vectors_of(contract, embedder))
        if number % 50 == 0:
            print(f"  read {number}/{len(found)} contracts", flush=True)
    groups = np.concatenate([np.full(len(b), n) for n, b in enumerate(blocks)])
    return Corpus(found, np.vstack(blocks), groups)


def labels_for(corpus: Corpus, category: str) -> np.ndarray:
    return np.concatenate([targets(contract, category) for contract in corpus.contracts])


def folds(groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """FOLDS folds by contract number (deterministic)."""
    fold_of = groups % FOLDS
    return [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(FOLDS)]


def logistic(c: float) -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, solver="liblinear", random_state=0)


def out_of_fold(x: Any, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    scores = np.zeros(len(y))
    for train, test in folds(groups):
        if y[train].sum() == 0:
            scores[test] = -30.0
            continue
        model = logistic(c).fit(x[train], y[train])  # type: ignore[attr-defined]
        scores[test] = model.decision_function(x[test])
    return 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))


def per_contract(chances: np.ndarray, y: np.ndarray, groups: np.ndarray,
                 marked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best labelled-passage chance of each contract with the clause; best passage chance of
    each contract the lawyers did not mark. ``marked``: contracts with any span of the kind
    (those whose spans match no passage are in neither list)."""
    present, absent = [], []
    for contract in np.unique(groups):
        rows = groups == contract
        if y[rows].any():
            present.append(chances[rows][y[rows] == 1].max())
        elif not marked[contract]:
            absent.append(chances[rows].max())
    return np.array(present), np.array(absent)


def threshold_for(absent: np.ndarray, chances: np.ndarray, y: np.ndarray) -> float:
    """The verdict's threshold: at most FALSE_CLAIMS of the contracts without the clause have
    a passage that passes (when there are MIN_ABSENT such contracts to tell), at least
    PASSAGE_PRECISION of the passing passages are on a lawyer's span, and never below FLOOR."""
    return max(FLOOR, contract_threshold(absent), precision_threshold(chances, y))


def contract_threshold(absent: np.ndarray) -> float:
    if len(absent) < MIN_ABSENT:
        return 0.0
    allowed = int(math.floor(FALSE_CLAIMS * len(absent)))
    ranked = np.sort(absent)[::-1]
    return _above(float(ranked[allowed])) if allowed < len(ranked) else 0.0


def precision_threshold(chances: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(-chances, kind="stable")
    precision = np.cumsum(y[order]) / np.arange(1, len(order) + 1)
    good = np.flatnonzero(precision >= PASSAGE_PRECISION)
    if not len(good):
        return 1.0
    last = int(good[-1])
    return float(chances[order][last]) if last + 1 == len(order) else \
        _above(float(chances[order][last + 1]))


def _above(value: float) -> float:
    """The smallest 3-decimal number above ``value``."""
    return math.floor(value * 1000 + 1) / 1000


def fit_kind(corpus: Corpus, category: str) -> dict[str, object]:
    from sklearn.metrics import average_precision_score

    y = labels_for(corpus, category)
    marked = np.array([bool(c.labels.get(category)) for c in corpus.contracts])
    best_c, best_ap, best_chances = GRID_C[0], -1.0, np.zeros(len(y))
    for c in GRID_C:
        chances = out_of_fold(corpus.features, y, corpus.groups, c)
        ap = float(average_precision_score(y, chances)) if y.any() else 0.0
        if round(ap, 4) > round(best_ap, 4):
            best_c, best_ap, best_chances = c, ap, chances
    present, absent = per_contract(best_chances, y, corpus.groups, marked)
    threshold = threshold_for(absent, best_chances, y)
    model = logistic(best_c).fit(corpus.features, y)  # type: ignore[attr-defined]
    assert corpus.vocabulary is not None
    coefficients = np.asarray(model.coef_[0], dtype=np.float32)
    word_weights = coefficients[:len(corpus.vocabulary)].copy()
    word_weights[np.abs(word_weights) < PRUNE] = 0.0
    vector_weights = coefficients[len(corpus.vocabulary):]
    return {**({"weights": [round(float(w), DECIMALS) for w in vector_weights]}
               if len(vector_weights) else {}),
            "word_weights": encode_sparse(word_weights),
            "bias": round(float(model.intercept_[0]), DECIMALS), "threshold": threshold,
            "C": best_c, "cv_average_precision": round(best_ap, 4),
            "positive_passages": int(y.sum()), "passages": len(y),
            "contracts_with": len(present), "contracts_without": len(absent),
            "cv_found": round(float((present >= threshold).mean()) if len(present) else 0.0, 4),
            "cv_false": round(float((absent >= threshold).mean()) if len(absent) else 0.0, 4)}


# --- question recognition ---------------------------------------------------------------

@dataclass
class Examples:
    texts: list[str]
    owners: list[str]
    is_question: list[bool]  # example questions are left out one at a time and recognised


def examples() -> Examples:
    texts, owners, asks = [], [], []
    for kind in CLAUSE_KINDS:
        for text, question in ((kind.description, False), (f"{kind.name} clause", False),
                               *((ask, True) for ask in kind.asks)):
            texts.append(text)
            owners.append(kind.key)
            asks.append(question)
    for text in NOT_CLAUSE_QUESTIONS:
        texts.append(text)
        owners.append(NO_KIND)
        asks.append(True)
    return Examples(texts, owners, asks)


def recognise_left_out(vectors: np.ndarray, found: Examples, telling: np.ndarray,
                       setting: tuple[float, float, float, float]) -> float:
    """Share of example questions recognised right with their own vector left out.
    ``telling``: each example's word weight for each kind (columns in CLAUSE_KINDS order)."""
    floor, margin, bonus, share = setting
    owners = np.array(found.owners)
    keys = [kind.key for kind in CLAUSE_KINDS]
    right = 0
    questions = [n for n, flag in enumerate(found.is_question) if flag]
    for n in questions:
        cosines = vectors @ vectors[n]
        cosines[n] = -1.0
        weighed = {key: share * max(0.0, float(value)) for key, value in zip(
            keys, telling[n], strict=True)} if share else None
        scores = closeness(cosines, owners, question_words(found.texts[n]), bonus, weighed)
        right += decide(scores, floor, margin) == found.owners[n]
    return right / len(questions)


def recognition(embedder: Embedder, words: WordFeatures,
                word_weights: np.ndarray) -> dict[str, object]:
    """Floor, margin, name bonus and the share of the word weights, by leave-one-out."""
    found = examples()
    vectors = embedder.embed(found.texts)
    telling = words.dense(found.texts) @ word_weights.T
    grid = itertools.product((0.3, 0.35, 0.4, 0.45, 0.5), (-0.05, 0.0, 0.05, 0.1),
                             (0.0, 0.05, 0.1), WORD_SHARES)
    scored = {setting: recognise_left_out(vectors, found, telling, setting)
              for setting in grid}
    best = max(scored, key=lambda s: (round(scored[s], 4), s[0], s[1], -s[2], -s[3]))
    without_words = max(value for setting, value in scored.items() if not setting[3])
    print(f"recognition, leave-one-out on {sum(found.is_question)} example questions: "
          f"{scored[best]:.3f} right (floor {best[0]}, margin {best[1]}, name bonus {best[2]}, "
          f"word share {best[3]}; {without_words:.3f} without the words)")
    return {"min_similarity": best[0], "margin": best[1], "keyword_bonus": best[2],
            "word_share": best[3], "dimension": int(vectors.shape[1]),
            "leave_one_out_right": round(scored[best], 4), "owners": found.owners,
            "prototypes": encode_matrix(vectors)}


def train(variant: str, names: Sequence[str] | None = None, cached_only: bool = False,
          features: str = FEATURES[0], only: Sequence[str] = ()) -> dict[str, object]:
    embedder = load_embedder(variant)
    corpus = read_corpus(embedder, names, cached_only)
    featurise(corpus, features)
    assert corpus.vocabulary is not None and corpus.idf is not None
    print(f"{len(corpus.contracts)} contracts, {len(corpus.vectors)} passages, "
          f"{len(corpus.vocabulary)} words and pairs ({features})", flush=True)
    kinds: dict[str, dict[str, object]] = {}
    for kind in CLAUSE_KINDS:
        if only and kind.key not in only:
            continue
        kinds[kind.key] = fit = fit_kind(corpus, kind.category)
        print(f"{kind.key:36} C={fit['C']:<4} AP {fit['cv_average_precision']:.3f} "
              f"t={fit['threshold']:.3f} found {fit['cv_found']:.2f} of "
              f"{fit['contracts_with']} false {fit['cv_false']:.3f} of "
              f"{fit['contracts_without']} ({fit['positive_passages']} positive passages)",
              flush=True)
    parts = sorted({c.part for c in corpus.contracts})
    return {"format": FORMAT_VERSION, "embedder": embedder.name, "unit": UNIT,
            "training_contracts": {part: sum(c.part == part for c in corpus.contracts)
                                   for part in parts},
            "training_passages": len(corpus.vectors), "folds": FOLDS,
            "contracts": [c.name for c in corpus.contracts],
            "false_claims_target": FALSE_CLAIMS, "features": features,
            "words": {"vocabulary": corpus.vocabulary, "min_passages": MIN_PASSAGES_PER_WORD,
                      "pruned_below": PRUNE,
                      "idf": base64.b64encode(corpus.idf.astype("<f4").tobytes())
                      .decode("ascii")},
            "kinds": kinds,
            "recognise": recognition(embedder, WordFeatures(corpus.vocabulary, corpus.idf),
                                     np.stack([decode_sparse(
                                         cast(dict[str, str], kinds[key]["word_weights"]),
                                         len(corpus.vocabulary)) for key in kinds]))}


def summary(model: dict[str, object]) -> None:
    kinds = model["kinds"]
    assert isinstance(kinds, dict)
    found = [k["cv_found"] for k in kinds.values() if k["contracts_with"]]
    weights = [k["contracts_with"] for k in kinds.values() if k["contracts_with"]]
    false = [k["cv_false"] for k in kinds.values()]
    print(f"CV over kinds: found {np.mean(found):.3f} (mean of kinds), "
          f"{np.average(found, weights=weights):.3f} (per contract-kind); false claims "
          f"{np.mean(false):.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="int8", choices=("int8", "fp32"))
    parser.add_argument("--out", type=Path, default=SCORER_PATH)
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the shipped file, writing nothing")
    parser.add_argument("--cached-only", action="store_true",
                        help="train on the contracts already embedded under .cache/clauses")
    parser.add_argument("--features", choices=FEATURES, default=FEATURES[0])
    parser.add_argument("--only", nargs="*", default=(), help="these kinds only (no file)")
    parser.add_argument("--contracts-of", type=Path,
                        help="train on the contracts a scorer file was trained on")
    args = parser.parse_args(argv)
    names = None
    if args.check or args.contracts_of:  # the contracts the shipped file was trained on
        names = json.loads((args.contracts_of or args.out).read_text(encoding="utf-8"))[
            "contracts"]
    features = args.features
    if args.check:
        features = json.loads(args.out.read_text(encoding="utf-8")).get("features", features)
    model = train(args.variant, names, args.cached_only and not args.check, features, args.only)
    if args.only:
        return 0
    summary(model)
    if args.check:
        return compare(model, ClauseScorer.load(args.out))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def compare(model: dict[str, object], shipped: ClauseScorer) -> int:
    rebuilt = ClauseScorer.from_json(model)
    same = rebuilt.keys == shipped.keys and rebuilt.weights.shape == shipped.weights.shape \
        and np.allclose(rebuilt.weights, shipped.weights, atol=1e-3) \
        and rebuilt.words.vocabulary == shipped.words.vocabulary \
        and np.allclose(rebuilt.word_weights, shipped.word_weights, atol=1e-3) and np.allclose(
        rebuilt.bias, shipped.bias, atol=1e-3) and np.allclose(
        rebuilt.thresholds, shipped.thresholds, atol=1e-3)
    print("rebuilt weights match the shipped file" if same else "rebuilt weights DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
