"""The ``enclave`` command. Each subcommand family lives in its own module with a ``register``.

The process goes offline before anything else is imported. The desktop window's command
(``enclave gui``) is added by the installed entry point, ``ui.launcher:main``: the core never
imports the Qt layer, not even by name.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from app.egress import go_offline

log = logging.getLogger(__name__)


class CommandFamily(Protocol):
    """A module that adds its subcommands to the parser."""

    def register(self, subcommands: Any) -> None: ...


def build_parser(extra_commands: Sequence[CommandFamily] = ()) -> argparse.ArgumentParser:
    from app.cli import (
        audit_commands,
        contract_commands,
        library_commands,
        model_commands,
        privacy_commands,
        selftest_commands,
    )

    parser = argparse.ArgumentParser(
        prog="enclave", description="Enclave: a private document assistant that never goes online."
    )
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND")
    families: tuple[CommandFamily, ...] = (
        model_commands, library_commands, privacy_commands, contract_commands,
        selftest_commands, audit_commands, *extra_commands)
    for family in families:
        family.register(subcommands)
    parser.set_defaults(handler=_default_handler(subcommands))
    return parser


def _default_handler(subcommands: argparse._SubParsersAction) -> Any:
    """Plain ``enclave`` does what ``enclave gui`` does."""
    gui = subcommands.choices.get("gui")
    return gui.get_default("handler") if gui is not None else None


def main(argv: Sequence[str] | None = None, *,
         extra_commands: Sequence[CommandFamily] = ()) -> int:
    go_offline()
    refusal = _start_broker() or _enter_offline_namespace()
    if refusal:
        print(f"enclave: {refusal}", file=sys.stderr)
        return 3
    from app.cli.common import run_handler

    parser = build_parser(extra_commands)
    args = parser.parse_args(argv)
    if args.handler is None:
        parser.print_help()
        return 2
    return run_handler(args)


def _start_broker() -> str:
    """Before the namespace (the broker stays outside it): when the administrator allow-lists
    servers, start the egress broker, the only way to them. Returns why Enclave must not
    start, or ''."""
    from app.broker import PolicyError, start_broker_for_policy

    try:
        start_broker_for_policy()
    except PolicyError as error:
        return error.message
    return ""


def _enter_offline_namespace() -> str:
    """First thing, while the process has a single thread: let the kernel cut the network off.
    Returns why Enclave must not start, or ''."""
    from app.network_isolation import OfflineEnforcementRequired, enter_offline_namespace

    try:
        enter_offline_namespace()
    except OfflineEnforcementRequired as error:
        return error.message
    return ""


if __name__ == "__main__":
    sys.exit(main())
