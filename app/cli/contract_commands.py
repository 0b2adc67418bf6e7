"""``enclave summarize FILE``: a cited summary of a contract, as Markdown or JSON (or DOCX/PDF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import print_progress_bar
from app.services import Services
from core.display import one_line
from core.errors import InputError

STDOUT_FORMATS = ("md", "json")


def register(subcommands: Any) -> None:
    summarize = subcommands.add_parser(
        "summarize", help="summarize a contract with cited clauses",
        description="Find the key terms of a contract (parties, dates, term, renewal, "
                    "termination, law, liability, ...) and quote each one with its page.")
    summarize.add_argument("file", type=Path, help="the contract (PDF, DOCX, TXT, HTML)")
    summarize.add_argument("--format", choices=("md", "json", "docx", "pdf"), default=None,
                           help="output format (default: from --out's suffix, else md)")
    summarize.add_argument("--out", type=Path, default=None,
                           help="write to this file instead of the screen")
    summarize.add_argument("--password", default=None, help="password of a protected PDF")
    summarize.add_argument("--phrasing", choices=("template", "model"), default="template",
                           help="template: fixed wording (default); model: let the local model "
                                "reword statements (checked, slower)")
    summarize.add_argument("--any-document", action="store_true",
                           help="summarize even if the file does not look like a contract")
    summarize.set_defaults(handler=run_summarize)


def run_summarize(args: argparse.Namespace, services: Services) -> int:
    from app.contracts import export_summary, summarize_contract, to_json, to_markdown
    from app.contracts.export import format_of

    fmt = format_of(args.out, args.format) if args.out else (args.format or "md")
    if args.out is None and fmt not in STDOUT_FORMATS:
        raise InputError(f"--format {fmt} writes a file: add --out FILE.{fmt}")
    phraser = services.contract_phraser(use_model=args.phrasing == "model")
    summary = summarize_contract(
        args.file, password=args.password, phraser=phraser,
        allow_non_contract=args.any_document, embedder=services.embedder(), audit=services.audit,
        progress=_progress())
    if args.out is None:
        sys.stdout.write(to_json(summary) + "\n" if fmt == "json" else to_markdown(summary))
        return 0
    export_summary(summary, args.out, fmt)
    print(f"Written: {one_line(args.out)}", file=sys.stderr)
    return 0


def _progress() -> Any:
    if not sys.stderr.isatty():
        return lambda fraction, message: None
    return print_progress_bar
