"""Choose the semantic complement's WEIGHT and CENTRE on the development part of the CUAD split.

Run: ``python -m tests.bench.tune_contract_semantic [--limit N] [--folds K]``.

For each development contract the rule candidates of every scored field are found and embedded
once (:mod:`app.contracts.semantic`); then, for each (weight, centre) of a small grid, the
candidates are rescored and the finder's own choice (:func:`app.contracts.finder.chosen`) gives
the quotes, scored as ``tests.bench.eval_contracts`` scores them. The setting kept finds the
most fields (recall) among those whose field precision is no lower than the rules' alone on the
same contracts (ties: the higher precision); K-fold cross-validation over contracts within the
development part estimates how that choice does on contracts it was not chosen on.
Weight 0 is the rules alone. The held-back part is never read here.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.contracts.fields import FIELDS, spec_of
from app.contracts.finder import Match, chosen, field_candidates, section_starts
from app.contracts.semantic import DescriptionVectors, pool_of
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

GRID = [(weight, centre / 100) for weight in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
        for centre in range(20, 66, 5)]


@dataclass
class Contract:
    """One contract's pooled candidates per field, with their similarity to the field."""

    number: int
    sections: dict[str, int]
    pools: dict[str, list[tuple[Match, float]]]
    labels: dict[str, list[str]]


def read_contract(number: int, row: dict[str, str], embedder: Embedder,
                  descriptions: DescriptionVectors) -> Contract:
    contract = load_contract(source_of(row, False))
    candidates = field_candidates(contract)
    scored = [spec for spec in FIELDS if spec.cuad_columns]
    pools = {spec.key: pool_of(spec, candidates[spec.key]) for spec in scored}
    texts = [match.passage.text[:600] for pool in pools.values() for match in pool]
    similarity = descriptions.similarities(embedder.embed(texts)) if texts else {}
    first, kept = 0, {}
    for key, pool in pools.items():
        kept[key] = [(match, float(similarity[key][first + offset]))
                     for offset, match in enumerate(pool)]
        first += len(pool)
    return Contract(number, section_starts(contract.passages), kept,
                    {spec.key: labels_of(row, spec.cuad_columns, spec.key) for spec in scored})


def score(contracts: Sequence[Contract], weight: float, centre: float) -> Counter[str]:
    """Outcome counts (and quotes on label) with the candidates rescored."""
    counts: Counter[str] = Counter()
    for contract in contracts:
        for key, pool in contract.pools.items():
            rescored = [replace(match, score=match.score + weight * (similarity - centre))
                        for match, similarity in pool]
            quotes = [m.passage.text for m in chosen(spec_of(key), rescored, contract.sections)]
            labels = contract.labels[key]
            counts[outcome(quotes, labels)] += 1
            counts["quotes"] += len(quotes)
            counts["on label"] += sum(1 for q in quotes if any(overlaps(q, x) for x in labels))
    return counts


def precision(counts: Counter[str]) -> float:
    return counts["found"] / max(1, counts["found"] + counts["wrong"] + counts["extra"])


def best_setting(contracts: Sequence[Contract]) -> tuple[float, float]:
    """Most found fields at no loss of field precision against the rules alone."""
    floor = precision(score(contracts, 0.0, 0.5))
    results = {setting: score(contracts, *setting) for setting in GRID}
    allowed = [setting for setting in GRID if precision(results[setting]) >= floor]
    return max(allowed, key=lambda setting: (results[setting]["found"],
                                             precision(results[setting]), -setting[0]))


def summary(counts: Counter[str]) -> str:
    labelled = counts["found"] + counts["missed"] + counts["wrong"]
    answered = counts["found"] + counts["wrong"] + counts["extra"]
    return (f"recall {counts['found'] / max(1, labelled):.3f} precision "
            f"{counts['found'] / max(1, answered):.3f} quote precision "
            f"{counts['on label'] / max(1, counts['quotes']):.3f} "
            f"(found {counts['found']}, missed {counts['missed']}, wrong {counts['wrong']}, "
            f"extra {counts['extra']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--folds", type=int, default=4)
    args = parser.parse_args(argv)
    embedder = load_embedder()
    descriptions = DescriptionVectors(embedder)
    rows = [row for row in read_rows() if part_of(row["Filename"]) == DEVELOPMENT]
    contracts = [read_contract(number, row, embedder, descriptions)
                 for number, row in enumerate(rows[: args.limit] if args.limit else rows)]
    print("rules alone (simulated, no date fallbacks):", summary(score(contracts, 0.0, 0.5)))
    setting = best_setting(contracts)
    print(f"chosen on all of dev: weight {setting[0]}, centre {setting[1]}:",
          summary(score(contracts, *setting)))
    held: Counter[str] = Counter()
    for fold in range(args.folds):
        rest = [c for c in contracts if c.number % args.folds != fold]
        fold_setting = best_setting(rest)
        held.update(score([c for c in contracts if c.number % args.folds == fold],
                          *fold_setting))
        print(f"  fold {fold}: chosen {fold_setting}")
    print(f"{args.folds}-fold cross-validated:", summary(held))
    return 0


if __name__ == "__main__":
    sys.exit(main())
