"""The PII findings of the first N CUAD contracts, saved or compared with a saved run: what a
speed change does to the findings of long documents (which have no labels to score).

Run: ``python -m tests.bench.compare_pii_findings --save before.json`` (on the old code), then
``python -m tests.bench.compare_pii_findings --against before.json`` (on the new). Prints the
number of findings per type, and the findings added and removed with their text, so a reader
can judge whether a change is a loss. ``--workers 2`` runs the analysis in the worker pool.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.bench.bench_pii import contract_texts

Key = tuple[int, str, int, int]  # document, type, start, end


def findings_of(texts: list[str], workers: int) -> set[Key]:
    from app.privacy.analyzer import build_analyzer

    analyzer = build_analyzer(workers=workers)
    try:
        found = analyzer.analyze_many(texts)
    finally:
        analyzer.close()
    return {(index, f.entity_type, f.start, f.end)
            for index, findings in enumerate(found) for f in findings}


def report(texts: list[str], before: set[Key], after: set[Key], shown: int) -> None:
    counts_before = Counter(key[1] for key in before)
    counts_after = Counter(key[1] for key in after)
    print(f"{len(before):,} findings before, {len(after):,} after; "
          f"{len(after - before)} added, {len(before - after)} removed")
    for entity in sorted(counts_before | counts_after):
        print(f"  {entity:22} {counts_before[entity]:6} -> {counts_after[entity]:6}")
    for sign, keys in (("+", after - before), ("-", before - after)):
        for index, entity, start, end in sorted(keys)[:shown]:
            print(f"  {sign} doc {index} {entity:14} {texts[index][start:end]!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--show", type=int, default=40, help="added/removed findings printed")
    args = parser.parse_args(argv)
    texts = contract_texts(args.contracts)
    found = findings_of(texts, args.workers)
    if args.save:
        args.save.write_text(json.dumps(sorted(found)), encoding="utf-8")
        print(f"{len(found):,} findings of {len(texts)} contracts saved to {args.save}")
    if args.against:
        before = {tuple(key) for key in json.loads(args.against.read_text(encoding="utf-8"))}
        report(texts, before, found, args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
