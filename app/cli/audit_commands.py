"""``enclave audit verify [--key FILE] [--checkpoint FILE]``, ``enclave audit checkpoint``
and ``enclave audit export --since DATE``."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.audit import AuditLog, Checkpoint
from app.audit_verify import documents_held
from app.services import Services
from core.errors import InputError


def register(subcommands: Any) -> None:
    audit = subcommands.add_parser("audit", help="check or export the audit trail")
    actions = audit.add_subparsers(title="actions", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check that no record was altered, removed or "
                                               "moved; names the first bad record")
    verify.add_argument("--key", type=Path, default=None,
                        help="the verification key file (the administrator's copy); checks "
                             "every sealed record")
    verify.add_argument("--checkpoint", type=Path, default=None,
                        help="a checkpoint written earlier by 'enclave audit checkpoint': the "
                             "trail must still extend it")
    verify.set_defaults(handler=run_verify)
    checkpoint = actions.add_parser(
        "checkpoint", help="write the trail's length and last hash, sealed, for the "
                           "administrator to keep")
    checkpoint.add_argument("--out", type=Path, required=True, help="the file to write")
    checkpoint.set_defaults(handler=run_checkpoint)
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
    if args.key is not None and not args.key.is_file():
        raise InputError(f"{args.key}: no such verification key file.")
    point = Checkpoint.read(args.checkpoint) if args.checkpoint else None
    result = _log(services).verify(documents_held=documents_held(services.paths.index_dir),
                                   key=args.key, checkpoint=point)
    print(result.message())
    return 0 if result.ok else 1


def run_checkpoint(args: argparse.Namespace, services: Services) -> int:
    point = _log(services).checkpoint()
    args.out.write_text(json.dumps({**point.body(), "mac": point.mac,
                                    "trail": str(services.paths.audit_file)}, indent=1),
                        encoding="utf-8")
    print(f"Checkpoint of {point.records} record(s) written to {args.out}; keep it away from "
          "this machine (enclave audit verify --checkpoint FILE checks the trail extends it).")
    return 0


def run_export(args: argparse.Namespace, services: Services) -> int:
    if args.out.is_dir():
        raise InputError(f"{args.out} is a folder; give a file name such as audit.csv.")
    count = _log(services).export_csv(args.out, args.since)
    print(f"{count} record(s) written to {args.out}")
    return 0
