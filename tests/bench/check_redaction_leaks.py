"""Redact every shared PDF and contract and check that no detected value is left in the copy.

Run: ``python -m tests.bench.check_redaction_leaks [--per-folder N] [--suffix .pdf]``.
Prints, per document, the findings and the number of detected values found again in the
redacted copy (0 expected). Unreadable inputs (encrypted, broken) are reported and skipped.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.bench.pii_common import SHARED_DATA


def documents(per_folder: int | None) -> list[Path]:
    folders = [SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf",
               SHARED_DATA / "contracts" / "cuad" / "full_contract_txt",
               SHARED_DATA / "pdfs" / "pypdf-samples"]
    found = []
    for folder in folders:
        files = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".pdf", ".txt")]
        found += files[:per_folder] if per_folder else files
    return found


def main(argv: Sequence[str] | None = None) -> int:
    from app.egress import go_offline

    go_offline()
    from app.privacy.analyzer import build_analyzer
    from app.privacy.anonymize import mentions_pattern, without_replacements
    from app.privacy.export import export_redacted
    from app.privacy.policy import get_policy
    from core.errors import EnclaveError
    from rag.loaders import load_document

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-folder", type=int, default=None,
                        help="the first N documents of each folder only")
    parser.add_argument("--suffix", default=".md", choices=(".md", ".txt", ".pdf"))
    args = parser.parse_args(argv)
    analyzer, policy, leaks_total = build_analyzer(), get_policy("standard"), 0
    with tempfile.TemporaryDirectory() as folder:
        for document in documents(args.per_folder):
            try:
                pages = load_document(document).pages
                report = export_redacted(document, Path(folder) / f"copy{args.suffix}",
                                         analyzer, policy)
            except EnclaveError as error:
                print(f"skipped  {document.name[:60]}: {error.message[:60]}")
                continue
            values = {page.text[f.start:f.end] for page, findings in
                      zip(pages, analyzer.analyze_many([p.text for p in pages]), strict=True)
                      for f in findings if f.entity_type not in policy.exempt_entities
                      and f.end - f.start >= 2}  # single characters are not searched for
            leaks = 0
            if values:
                exported = report.output.read_text(encoding="utf-8", errors="replace") \
                    if args.suffix != ".pdf" else _pdf_text(report.output)
                body = without_replacements(exported.rsplit("Redacted copy", 1)[0])
                leaks = len({m.group() for m in mentions_pattern(values).finditer(body)})
            leaks_total += leaks
            print(f"{leaks:>3} leaks {report.total:>5} removed  {document.name[:70]}")
    print(f"total leaks: {leaks_total}")
    return 1 if leaks_total else 0


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


if __name__ == "__main__":
    raise SystemExit(main())
