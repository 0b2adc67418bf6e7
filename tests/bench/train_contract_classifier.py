"""Train the clause classifier shipped in ``app/contracts/data/clause_classifier.json``.

Run: ``python -m tests.bench.train_contract_classifier [--variant int8] [--check] [--out PATH]``.

Training data: the lawyers' clause labels of CUAD (``labels/master_clauses.csv``, 510
contracts), *without* the 61 contracts scored by ``tests.bench.eval_contracts`` (development
and held-back alike, matched by file name against ``master_clauses_selected61.csv`` and the
shared PDF folder). For each field with CUAD columns, positives are the clause texts labelled in
its columns; negatives are the clause texts labelled in every other column of the same
contracts (41 clause types: licence grants, revenue sharing, audit, ...), except those that
overlap a positive of the field in the same contract (one clause can carry two labels).

Each text is embedded as the app embeds a passage (its first ``UNIT_CHARS`` characters, by the
app's MiniLM; int8 by default, as the app), and one logistic regression per field
(scikit-learn, balanced classes) is fitted; its regularisation is chosen per field from a small
grid by average precision under 5-fold cross-validation grouped by contract. Only the weights
ship; at run time the app computes ``sigmoid(vector . weights + bias)`` with numpy
(:mod:`app.contracts.classifier`). The output is deterministic: rows in file order, weights
rounded to 5 decimals; ``--check`` rebuilds and compares with the shipped file instead of
writing it.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.contracts.classifier import CLASSIFIER_PATH, FORMAT_VERSION, ClauseClassifier
from app.contracts.fields import FIELDS
from app.contracts.semantic import UNIT_CHARS
from rag.embedder import MODEL_NAME, load_embedder
from tests.bench.eval_contracts import CUAD, LABELS, overlaps

ALL_LABELS = CUAD / "labels" / "master_clauses.csv"
GRID_C = (0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
DECIMALS = 5
# Columns that name things rather than hold clauses: not negatives for clause fields.
NOT_CLAUSES = ("Filename", "Document Name", "Parties", "Agreement Date")


@dataclass(frozen=True)
class Example:
    contract: int
    column: str
    text: str


def held_out_names() -> set[str]:
    """Every one of the 61 shared contracts, by file name and by lower-case stem."""
    csv.field_size_limit(1 << 30)
    with open(LABELS, newline="", encoding="utf-8") as stream:
        names = {row["Filename"] for row in csv.DictReader(stream)}
    names |= {path.name for path in (CUAD / "full_contract_pdf").iterdir()}
    return names | {Path(name).stem.lower() for name in names}


def training_rows() -> list[dict[str, str]]:
    """CUAD's labelled contracts other than the 61 shared ones."""
    excluded = held_out_names()
    with open(ALL_LABELS, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return [row for row in rows if row["Filename"] not in excluded
            and Path(row["Filename"]).stem.lower() not in excluded]


def cell(value: str) -> list[str]:
    try:
        items = ast.literal_eval(value) if value.strip() else []
    except (ValueError, SyntaxError):
        items = [value]
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


def examples_of(rows: Sequence[dict[str, str]]) -> list[Example]:
    columns = [name for name in rows[0] if not name.endswith("Answer") and
               not name.endswith("- Answer") and name not in NOT_CLAUSES]
    return [Example(number, column, text) for number, row in enumerate(rows)
            for column in columns for text in cell(row[column])]


def targets(examples: Sequence[Example], columns: Sequence[str]) -> np.ndarray:
    """1 for the field's clauses, 0 for other clauses, -1 (left out) for another column's
    label that overlaps one of the field's in the same contract."""
    positives: dict[int, list[str]] = {}
    for example in examples:
        if example.column in columns:
            positives.setdefault(example.contract, []).append(example.text)
    labels = np.zeros(len(examples), dtype=np.int8)
    for number, example in enumerate(examples):
        if example.column in columns:
            labels[number] = 1
        elif any(overlaps(example.text, text) or overlaps(text, example.text)
                 for text in positives.get(example.contract, ())):
            labels[number] = -1
    return labels


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


def train(variant: str) -> dict[str, object]:
    rows = training_rows()
    examples = examples_of(rows)
    embedder = load_embedder(variant)
    vectors = embedder.embed([example.text[:UNIT_CHARS] for example in examples])
    groups = np.array([example.contract for example in examples])
    fields: dict[str, dict[str, object]] = {}
    for spec in FIELDS:
        if not spec.cuad_columns or spec.key in ("parties", "agreement_date"):
            continue
        labels = targets(examples, spec.cuad_columns)
        weights, bias, c, precision = fit_field(vectors, labels, groups)
        fields[spec.key] = {"weights": [round(float(w), DECIMALS) for w in weights],
                            "bias": round(bias, DECIMALS), "C": c,
                            "cv_average_precision": round(precision, 4),
                            "positives": int((labels == 1).sum()),
                            "negatives": int((labels == 0).sum())}
        print(f"{spec.key:28} C={c:<5} CV average precision {precision:.3f} "
              f"({fields[spec.key]['positives']} positives, "
              f"{fields[spec.key]['negatives']} negatives)")
    return {"format": FORMAT_VERSION, "embedder": f"{MODEL_NAME}-{variant}",
            "unit_chars": UNIT_CHARS, "training_contracts": len(rows),
            "training_texts": len(examples), "fields": fields}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="int8", choices=("int8", "fp32"))
    parser.add_argument("--out", type=Path, default=CLASSIFIER_PATH)
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the shipped file, writing nothing")
    args = parser.parse_args(argv)
    model = train(args.variant)
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
