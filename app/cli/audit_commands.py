"""``enclave audit verify`` and ``enclave audit export --since DATE``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.audit import AuditLog
from app.services import Services
from core.errors import InputError


def register(subcommands: Any) -> None:
    audit = subcommands.add_parser("audit", help="check or export the audit trail")
    actions = audit.add_subparsers(title="actions", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check that no record was altered, removed or "
                                               "moved; names the first bad record")
    verify.set_defaults(handler=run_verify)
    export = actions.add_parser("export", help="write the records as CSV")
    export.add_argument("--since", type=parse_since, default=None,
                        help="first day to include, YYYY-MM-DD (UTC); default: everything")
    export.add_argument("--out", type=Path, default=Path("enclave-audit.csv"),
                        help="the CSV file to write (default: enclave-audit.csv)")
    export.set_defaults(handler=run_export)


def parse_since(text: str) -> datetime:
    try:
        day = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01") from None
    return day if day.tzinfo else day.replace(tzinfo=UTC)


def _log(services: Services) -> AuditLog:
    return AuditLog(services.paths.audit_file)


def run_verify(args: argparse.Namespace, services: Services) -> int:
    result = _log(services).verify()
    print(result.message())
    return 0 if result.ok else 1


def run_export(args: argparse.Namespace, services: Services) -> int:
    if args.out.is_dir():
        raise InputError(f"{args.out} is a folder; give a file name such as audit.csv.")
    count = _log(services).export_csv(args.out, args.since)
    print(f"{count} record(s) written to {args.out}")
    return 0
