"""Train the clause classifier shipped in ``app/contracts/data/clause_classifier.json``.

Run: ``nice -n 10 python -m tests.bench.train_contract_classifier [--check] [--out PATH]
[--background-only]``.

Training data: the allowed CUAD contracts only (``../shared/data/README.md``): the 408 texts of
``background_txt/`` and the development part of the 61, as the clause scorer reads them
(:mod:`tests.bench.clause_corpus`: passages cut and embedded as ingest does, int8 MiniLM,
cached under ``.cache/clauses/``). No label row of a contract whose text is not in the shared
data is read (the weights shipped before this were trained on such rows; they are gone).

As before, the classifier tells a field's clause from *other clauses*: for each field with a
CUAD column, positives are the passages holding one of the lawyers' spans of that column;
negatives are the passages holding a span of any other clause column of the same contracts (41
clause types: licence grants, revenue sharing, audit, ...) but none of the field's; passages
holding no span are left out. One logistic regression per field (scikit-learn, balanced
classes), its regularisation chosen per field from a small grid by average precision under
5-fold cross-validation grouped by contract. Only the weights ship; at run time the app computes
``sigmoid(vector . weights + bias)`` with numpy (:mod:`app.contracts.classifier`). The output
is deterministic (contracts in name order, weights rounded to 5 decimals); ``--check`` rebuilds
from the contracts the shipped file names and compares instead of writing it.
``--background-only`` leaves the development contracts out (to score them out of sample).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.contracts.classifier import CLASSIFIER_PATH, FORMAT_VERSION, ClauseClassifier
from app.contracts.fields import FIELDS
from rag.embedder import MODEL_NAME, load_embedder
from tests.bench.clause_corpus import (
    BACKGROUND_PART,
    DEVELOPMENT,
    Contract,
    cache_path,
    categories,
    contracts,
    targets,
    vectors_of,
)

GRID_C = (0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
DECIMALS = 5
# Columns that name things rather than hold clauses: not negatives for clause fields.
NOT_CLAUSES = ("Document Name", "Parties", "Agreement Date")


def field_targets(contracts: Sequence[Contract], column: str, others: Sequence[str]) -> np.ndarray:
    """1: the passage holds a span of ``column``; 0: it holds a span of another clause column
    and none of ``column``'s; -1 (left out): it holds no span."""
    parts = []
    for contract in contracts:
        mine = targets(contract, column)
        theirs = np.zeros_like(mine)
        for other in others:
            theirs |= targets(contract, other)
        parts.append(np.where(mine == 1, 1, np.where(theirs == 1, 0, -1)).astype(np.int8))
    return np.concatenate(parts)


def fit_field(vectors: np.ndarray, labels: np.ndarray,
              groups: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Weights, bias, chosen C and its cross-validated average precision."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import GroupKFold

    keep = labels >= 0
    x, y, g = vectors[keep], labels[keep], groups[keep]
    scores = {}
    for c in GRID_C:
        predicted = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=FOLDS).split(x, y, g):
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            predicted[test] = model.fit(x[train], y[train]).decision_function(x[test])
        scores[c] = float(average_precision_score(y, predicted))
    best = max(GRID_C, key=lambda c: (round(scores[c], 4), -c))
    model = LogisticRegression(C=best, class_weight="balanced", max_iter=2000).fit(x, y)
    return model.coef_[0], float(model.intercept_[0]), best, scores[best]


def train(variant: str, names: Sequence[str] | None = None,
          background_only: bool = False) -> dict[str, object]:
    embedder = load_embedder(variant)
    found = contracts((BACKGROUND_PART,) if background_only else (BACKGROUND_PART, DEVELOPMENT))
    if names is not None:
        wanted = set(names)
        found = [c for c in found if c.name in wanted]
    else:
        found = [c for c in found if cache_path(c, embedder.name).is_file()]
    blocks = [vectors_of(contract, embedder) for contract in found]
    vectors = np.vstack(blocks)
    groups = np.concatenate([np.full(len(b), n) for n, b in enumerate(blocks)])
    columns = [c for c in categories() if c not in NOT_CLAUSES]
    fields: dict[str, dict[str, object]] = {}
    for spec in FIELDS:
        if not spec.cuad_columns or spec.key in ("parties", "agreement_date"):
            continue
        (column,) = spec.cuad_columns
        labels = field_targets(found, column, [c for c in columns if c != column])
        weights, bias, c, precision = fit_field(vectors, labels, groups)
        fields[spec.key] = {"weights": [round(float(w), DECIMALS) for w in weights],
                            "bias": round(bias, DECIMALS), "C": c,
                            "cv_average_precision": round(precision, 4),
                            "positives": int((labels == 1).sum()),
                            "negatives": int((labels == 0).sum())}
        print(f"{spec.key:28} C={c:<5} CV average precision {precision:.3f} "
              f"({fields[spec.key]['positives']} positives, "
              f"{fields[spec.key]['negatives']} negatives)", flush=True)
    return {"format": FORMAT_VERSION, "embedder": f"{MODEL_NAME}-{variant}",
            "unit": "passage: rag.chunking at 200 tokens, 40 overlapping",
            "training_contracts": len(found), "training_passages": len(vectors),
            "contracts": [c.name for c in found], "fields": fields}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="int8", choices=("int8", "fp32"))
    parser.add_argument("--out", type=Path, default=CLASSIFIER_PATH)
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the shipped file, writing nothing")
    parser.add_argument("--background-only", action="store_true",
                        help="leave the development contracts out")
    args = parser.parse_args(argv)
    names = None
    if args.check:  # the contracts the shipped file was trained on
        names = json.loads(args.out.read_text(encoding="utf-8"))["contracts"]
    model = train(args.variant, names, args.background_only)
    if args.check:
        return compare(model, ClauseClassifier.load(args.out))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def compare(model: dict[str, object], shipped: ClauseClassifier) -> int:
    rebuilt = ClauseClassifier.from_json(model)
    same = rebuilt.fields == shipped.fields and np.allclose(
        rebuilt.weights, shipped.weights, atol=1e-3) and np.allclose(
        rebuilt.bias, shipped.bias, atol=1e-3)
    print("rebuilt weights match the shipped file" if same else "rebuilt weights DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
