"""Choose how the clause classifier's probability joins the rule score, on the development part.

Run: ``python -m tests.bench.tune_contract_classifier [--variant int8] [--folds 4] [--limit N]``.

For each development contract the rule candidates of every field the classifier knows are found,
and the best of them (within the widest pool margin of the grid) embedded once and given each
field's probability by the shipped classifier (:mod:`app.contracts.classifier`); then, for each
setting of a small grid, a pooled candidate scores ``rule score + weight * (probability -
centre)``, as in the app (:class:`app.contracts.semantic.ClassifierComplement`), and the finder's
own choice gives the quotes, scored as ``tests.bench.eval_contracts`` scores them. The setting
kept finds the most fields among those whose field precision and quote precision are no lower
than the rules' alone on the same contracts (ties: higher quote precision, then the smaller
weight and margin); K-fold cross-validation over contracts within the development part
estimates how that choice does on contracts it was not chosen on. The rescoring shipped before,
by similarity to field descriptions, is scored beside it on the same candidates.
The held-back part is never read here.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.contracts.classifier import shipped_classifier
from app.contracts.fields import spec_of
from app.contracts.finder import Match, chosen, field_candidates, section_starts
from app.contracts.semantic import (
    ClassifierChances,
    ClassifierComplement,
    SemanticComplement,
    Setting,
)
from app.contracts.service import load_contract
from rag.embedder import load_embedder
from tests.bench.eval_contracts import (
    DEVELOPMENT,
    labels_of,
    outcome,
    overlaps,
    part_of,
    read_rows,
    source_of,
)

MARGINS = (3.0, 5.0, 8.0)
GRID = [Setting(weight, centre / 100, margin) for weight in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
        for centre in range(20, 91, 10) for margin in MARGINS
        if weight or (centre == 50 and margin == MARGINS[0])]
RULES_ALONE = Setting(0.0, 0.5)
COMBINER = ClassifierComplement(None, shipped_classifier())  # type: ignore[arg-type]  # no embedding
CACHE = Path(tempfile.gettempdir()) / "enclave-tune-contract-classifier-{variant}-{limit}.pickle"


@dataclass
class Contract:
    """One contract's rule candidates and classifier probabilities, with its labels."""

    number: int
    sections: dict[str, int]
    candidates: dict[str, list[Match]]
    chances: ClassifierChances
    labels: dict[str, list[str]]
    described: dict[str, list[Match]]  # the pools rescored by the description similarity


def read_contract(number: int, row: dict[str, str], complement: ClassifierComplement,
                  described: SemanticComplement) -> Contract:
    contract = load_contract(source_of(row, False))
    candidates = field_candidates(contract)
    chances = complement.read(candidates, margin=max(MARGINS))
    return Contract(number, section_starts(contract.passages), candidates, chances,
                    {spec.key: labels_of(row, spec.cuad_columns, spec.key)
                     for spec in complement.fields}, described.rescore(candidates))


def score(contracts: Sequence[Contract], setting: Setting | None) -> Counter[str]:
    """Outcome counts (and quotes on label) with the candidates rescored (None: by the
    description similarity instead, as shipped before the classifier)."""
    counts: Counter[str] = Counter()
    for contract in contracts:
        rescored = contract.described if setting is None else COMBINER.combine(
            contract.candidates, contract.chances, setting)
        for key, labels in contract.labels.items():
            quotes = [m.passage.text for m in chosen(spec_of(key), rescored[key],
                                                     contract.sections)]
            counts[outcome(quotes, labels)] += 1
            counts[f"{key} {outcome(quotes, labels)}"] += 1
            counts["quotes"] += len(quotes)
            counts["on label"] += sum(1 for q in quotes if any(overlaps(q, x) for x in labels))
    return counts


def precision(counts: Counter[str]) -> float:
    return counts["found"] / max(1, counts["found"] + counts["wrong"] + counts["extra"])


def quote_precision(counts: Counter[str]) -> float:
    return counts["on label"] / max(1, counts["quotes"])


def best_setting(contracts: Sequence[Contract]) -> Setting:
    """Most found fields at no loss of field or quote precision against the rules alone."""
    floor = score(contracts, RULES_ALONE)
    results = {setting: score(contracts, setting) for setting in GRID}
    allowed = [setting for setting in GRID
               if precision(results[setting]) >= precision(floor)
               and quote_precision(results[setting]) >= quote_precision(floor)]
    return max(allowed, key=lambda setting: (results[setting]["found"],
                                             quote_precision(results[setting]),
                                             -setting.weight, -setting.margin))


def summary(counts: Counter[str]) -> str:
    labelled = counts["found"] + counts["missed"] + counts["wrong"]
    return (f"recall {counts['found'] / max(1, labelled):.3f} precision "
            f"{precision(counts):.3f} quote precision {quote_precision(counts):.3f} "
            f"(found {counts['found']}, missed {counts['missed']}, wrong {counts['wrong']}, "
            f"extra {counts['extra']})")


def per_field(counts: Counter[str], keys: Sequence[str]) -> str:
    lines = []
    for key in keys:
        found = counts[f"{key} found"]
        labelled = found + counts[f"{key} missed"] + counts[f"{key} wrong"]
        lines.append(f"  {key:28} recall {found}/{labelled}")
    return "\n".join(lines)


def read_development(variant: str, limit: int, cached: bool) -> list[Contract]:
    """The development contracts read and embedded (``cached``: as a previous run left them)."""
    cache = Path(str(CACHE).format(variant=variant, limit=limit))
    if cached and cache.is_file():
        return pickle.loads(cache.read_bytes())  # noqa: S301  # our own file, just written
    embedder = load_embedder(variant)
    complement = ClassifierComplement(embedder, shipped_classifier())
    described = SemanticComplement(embedder)
    rows = [row for row in read_rows() if part_of(row["Filename"]) == DEVELOPMENT]
    contracts = [read_contract(number, row, complement, described)
                 for number, row in enumerate(rows[:limit] if limit else rows)]
    cache.write_bytes(pickle.dumps(contracts))
    return contracts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--variant", default="int8", choices=("int8", "fp32"))
    parser.add_argument("--cached", action="store_true",
                        help="reuse the contracts read by the previous run (same variant, limit)")
    args = parser.parse_args(argv)
    contracts = read_development(args.variant, args.limit, args.cached)
    rules = score(contracts, RULES_ALONE)
    print("rules alone (simulated, no date fallbacks):", summary(rules))
    print("description similarity (before):", summary(score(contracts, None)))
    setting = best_setting(contracts)
    chosen_counts = score(contracts, setting)
    print(f"chosen on all of dev: {setting}:", summary(chosen_counts))
    keys = list(contracts[0].labels) if contracts else []
    print("rules alone per field:\n" + per_field(rules, keys))
    print("chosen per field:\n" + per_field(chosen_counts, keys))
    held: Counter[str] = Counter()
    for fold in range(args.folds):
        rest = [c for c in contracts if c.number % args.folds != fold]
        fold_setting = best_setting(rest)
        held.update(score([c for c in contracts if c.number % args.folds == fold],
                          fold_setting))
        print(f"  fold {fold}: chosen {fold_setting}")
    print(f"{args.folds}-fold cross-validated:", summary(held))
    return 0


if __name__ == "__main__":
    sys.exit(main())
