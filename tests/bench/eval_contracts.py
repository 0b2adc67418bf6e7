"""Contract summary quality on the 61 CUAD contracts labelled by lawyers, and pages per second.

Run: ``python -m tests.bench.eval_contracts [--limit N] [--txt] [--show FIELD] [--model]``.
``--model`` lets the embedded Gemma 3 270M reword the statements (the quotes, and so the
scores, do not change; it measures the time per contract with the model and how many
rewordings pass the grounding check).

Each contract's PDF goes through :func:`app.contracts.summarize_contract`, the product path.
For each field and contract, against the lawyers' clause texts of the mapped CUAD columns:

- found:   we cite a quote and it overlaps a label of the field;
- missed:  the field has a label and we say "not found";
- wrong:   the field has a label and our quote overlaps none of them;
- extra:   the lawyers left the field empty and we cite a quote (a false alarm; may also be a
           clause CUAD's annotators did not mark);
- absent:  no label and we say "not found" (a correct "not found").
Recall = found / labelled; precision = found / (found + wrong + extra).

Overlap: the quote and a label, as lowercase word tokens, share a run of 5 tokens, or a short
label (under 5 tokens or 40 characters, such as a date) appears whole in the quote (compared
with spaces removed, as CUAD's text has split words such as "20t h"). For Parties, each labelled
name of 2 or more tokens is a label. Payment terms, indemnification and confidentiality have no
CUAD column and are reported as unscored.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.contracts import summarize_contract
from app.contracts.fields import FIELDS
from app.contracts.summary import ContractSummary

CUAD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "contracts" / "cuad"
LABELS = CUAD / "labels" / "master_clauses_selected61.csv"
NGRAM = 5
SHORT_LABEL = 40  # characters
_TOKEN = re.compile(r"[a-z0-9]+")

# Our field -> the CUAD columns whose labels it is scored against (documented mapping).
CUAD_MAPPING: dict[str, tuple[str, ...]] = {spec.key: spec.cuad_columns for spec in FIELDS}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def overlaps(quote: str, label: str) -> bool:
    quote_tokens, label_tokens = tokens(quote), tokens(label)
    if not label_tokens or not quote_tokens:
        return False
    if len(label_tokens) < NGRAM or len(label) < SHORT_LABEL:  # "20t h" in a label is "20th"
        return "".join(label_tokens) in "".join(quote_tokens)
    grams = {tuple(label_tokens[i:i + NGRAM]) for i in range(len(label_tokens) - NGRAM + 1)}
    return any(tuple(quote_tokens[i:i + NGRAM]) in grams
               for i in range(len(quote_tokens) - NGRAM + 1))


def labels_of(row: dict[str, str], columns: Sequence[str], field: str) -> list[str]:
    found: list[str] = []
    for column in columns:
        try:
            values = ast.literal_eval(row[column]) if row[column].strip() else []
        except (ValueError, SyntaxError):
            values = [row[column]]
        found += [str(value) for value in values if str(value).strip()]
    if field == "parties":
        named = [value for value in found if len(tokens(value)) >= 2]
        return named or found
    return found


def read_rows() -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with open(LABELS, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def source_of(row: dict[str, str], use_txt: bool) -> Path:
    name = row["Filename"]
    if use_txt:
        return CUAD / "full_contract_txt" / (Path(name).stem + ".txt")
    pdfs = CUAD / "full_contract_pdf"
    exact = pdfs / name
    if exact.exists():
        return exact
    stem = Path(name).stem.lower()
    return next(path for path in pdfs.iterdir() if path.stem.lower() == stem)


def outcome(summary: ContractSummary, field: str, labels: list[str]) -> str:
    result = summary.field(field)
    if not result.found or result.citation is None:
        return "missed" if labels else "absent"
    if not labels:
        return "extra"
    if any(overlaps(result.citation.quote, label) for label in labels):
        return "found"
    return "wrong"


def evaluate(rows: list[dict[str, str]], use_txt: bool, show: str | None,
             phraser: Any = None) -> int:
    table: dict[str, Counter[str]] = {spec.key: Counter() for spec in FIELDS}
    pages, seconds, unverified, failures = 0, 0.0, 0, 0
    for row in rows:
        path = source_of(row, use_txt)
        started = time.perf_counter()
        try:
            summary = summarize_contract(path, allow_non_contract=True, phraser=phraser)
        except Exception as error:  # report and go on: one bad file must not hide the rest
            print(f"FAILED {path.name}: {error}", file=sys.stderr)
            failures += 1
            continue
        seconds += time.perf_counter() - started
        pages += summary.page_count
        unverified += sum(1 for r in summary.fields if r.found and not r.verified)
        for spec in FIELDS:
            labels = labels_of(row, spec.cuad_columns, spec.key) if spec.cuad_columns else []
            result = outcome(summary, spec.key, labels) if spec.cuad_columns else (
                "found*" if summary.field(spec.key).found else "absent*")
            table[spec.key][result] += 1
            if show == spec.key and result in ("wrong", "missed", "extra"):
                _show(path, summary, spec.key, labels, result)
    _print_table(table, len(rows) - failures)
    print(f"\n{len(rows) - failures} contracts, {pages} pages in {seconds:.1f} s: "
          f"{pages / max(seconds, 1e-9):.1f} pages/s, {seconds / max(1, len(rows)):.2f} s per "
          f"contract; {unverified} unverified statements; {failures} failures")
    return 0 if failures == 0 else 1


def _show(path: Path, summary: ContractSummary, field: str, labels: list[str], what: str) -> None:
    citation = summary.field(field).citation
    print(f"--- {what}: {path.name[:60]}")
    print("  ours:", citation.quote[:300] if citation else "-")
    for label in labels[:3]:
        print("  label:", label[:300])


def _print_table(table: dict[str, Counter[str]], contracts: int) -> None:
    print(f"{'field':28} {'CUAD columns':36} {'labelled':>8} {'found':>6} {'missed':>6} "
          f"{'wrong':>6} {'extra':>6} {'absent':>6} {'recall':>7} {'precision':>9}")
    for spec in FIELDS:
        counts = table[spec.key]
        columns = ", ".join(spec.cuad_columns) or "(none: unscored)"
        if not spec.cuad_columns:
            print(f"{spec.key:28} {columns:36} {'-':>8} cited in {counts['found*']} "
                  f"of {contracts} contracts")
            continue
        labelled = counts["found"] + counts["missed"] + counts["wrong"]
        answered = counts["found"] + counts["wrong"] + counts["extra"]
        print(f"{spec.key:28} {columns:36} {labelled:>8} {counts['found']:>6} "
              f"{counts['missed']:>6} {counts['wrong']:>6} {counts['extra']:>6} "
              f"{counts['absent']:>6} {_ratio(counts['found'], labelled):>7} "
              f"{_ratio(counts['found'], answered):>9}")


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--txt", action="store_true", help="read the .txt copies, not the PDFs")
    parser.add_argument("--show", default=None, help="print misses and wrong quotes of a field")
    parser.add_argument("--model", action="store_true",
                        help="reword statements with the embedded model (slow)")
    args = parser.parse_args(argv)
    rows = read_rows()
    with tempfile.TemporaryDirectory() as folder:
        phraser = _model_phraser(Path(folder)) if args.model else None
        status = evaluate(rows[: args.limit] if args.limit else rows, args.txt, args.show,
                          phraser)
        if phraser is not None:
            print(f"model rewordings kept: {phraser.kept} of {phraser.asked}")
        return status


class _CountingPhraser:
    def __init__(self, inner: Any) -> None:
        self.inner, self.asked, self.kept = inner, 0, 0

    def phrase(self, label: str, statement: str, quote: str) -> str:
        from app.contracts.grounding import figure_problems

        self.asked += 1
        wording = self.inner.phrase(label, statement, quote)
        self.kept += int(wording != statement and not figure_problems(wording, quote))
        return wording


def _model_phraser(folder: Path) -> _CountingPhraser:
    from app.contracts.phrasing import ModelPhraser
    from models.catalog import ModelCatalog
    from models.runtime import LlamaCppRuntime

    catalog = ModelCatalog(folder)
    runtime = LlamaCppRuntime(context_cap=2048)
    runtime.load(catalog.path_of(catalog.install_embedded()), prompt_style="completion")
    return _CountingPhraser(ModelPhraser(runtime))


if __name__ == "__main__":
    sys.exit(main())
