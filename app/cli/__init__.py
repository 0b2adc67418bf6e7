"""The ``enclave`` command. Each subcommand family lives in its own module with a ``register``.

The process goes offline before anything else is imported.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from app.egress import go_offline

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    from app.cli import model_commands

    parser = argparse.ArgumentParser(
        prog="enclave", description="Enclave: a private document assistant that never goes online."
    )
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (model_commands, *_plugged_command_modules()):
        module.register(subcommands)
    parser.set_defaults(handler=_default_handler(subcommands))
    return parser


def _default_handler(subcommands: argparse._SubParsersAction) -> Any:
    """Plain ``enclave`` does what ``enclave gui`` does."""
    gui = subcommands.choices.get("gui")
    return gui.get_default("handler") if gui is not None else None


# Command families that register themselves by name. The desktop window is one of them, so the
# core never imports the Qt layer: it only runs it when the user asks for the window.
PLUGGED_COMMAND_MODULES = (
    "ui.gui_command",
    "app.cli.library_commands",
    "app.cli.privacy_commands",
    "app.cli.contract_commands",
    "app.cli.selftest_commands",
    "app.cli.audit_commands",
)


def _plugged_command_modules() -> list[Any]:
    import importlib

    modules = []
    for name in PLUGGED_COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


def main(argv: Sequence[str] | None = None) -> int:
    go_offline()
    refusal = _enter_offline_namespace()
    if refusal:
        print(f"enclave: {refusal}", file=sys.stderr)
        return 3
    from app.cli.common import run_handler

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.handler is None:
        parser.print_help()
        return 2
    return run_handler(args)


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
