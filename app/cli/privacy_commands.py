"""``enclave scan FILE`` and ``enclave redact FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import print_progress_bar
from app.services import Services
from core.display import one_line


def register(subcommands: Any) -> None:
    scan = subcommands.add_parser("scan", help="list the personal data found in a document")
    scan.add_argument("file", type=Path)
    scan.add_argument("--show", action="store_true", help="also print the values found")
    scan.add_argument("--password", default=None, help="password of a protected PDF")
    scan.set_defaults(handler=run_scan)

    redact = subcommands.add_parser("redact", help="write a redacted copy of a document")
    redact.add_argument("file", type=Path)
    redact.add_argument("--out", type=Path, default=None,
                        help="the copy to write (.txt, .md or .pdf; default FILE.redacted.*)")
    redact.add_argument("--policy", default=None,
                        help="privacy policy: standard, strict, masked, hashed (default: the "
                             "workspace's)")
    redact.add_argument("--password", default=None, help="password of a protected PDF")
    redact.set_defaults(handler=run_redact)


def run_scan(args: argparse.Namespace, services: Services) -> int:
    from rag.loaders import load_document

    pages = load_document(args.file, args.password).pages
    analyzer = services.pii_analyzer()
    findings = analyzer.analyze_many([page.text for page in pages], progress=print_progress_bar)
    print(f"{'TYPE':24} {'PAGE':>5} {'OFFSET':>8} {'SCORE':>6}" + ("  VALUE" if args.show else ""))
    total = 0
    for page, page_findings in zip(pages, findings, strict=True):
        for finding in page_findings:
            total += 1
            value = " ".join(page.text[finding.start:finding.end].split())
            print(f"{finding.entity_type:24} {page.number:>5} {finding.start:>8} "
                  f"{finding.score:>6.2f}" + (f"  {value}" if args.show else ""))
    print(f"{total} findings in {len(pages)} pages of {one_line(args.file.name)}.")
    return 0


def run_redact(args: argparse.Namespace, services: Services) -> int:
    from app.privacy.export import default_output, export_redacted, summary_lines
    from app.privacy.policy import get_policy

    policy = get_policy(args.policy) if args.policy else services.privacy_policy()
    output = args.out or default_output(args.file)
    report = export_redacted(args.file, output, services.pii_analyzer(), policy,
                             password=args.password, progress=print_progress_bar)
    print("\n".join(summary_lines(report, policy)))
    print(f"Written: {one_line(report.output)}")
    return 0
