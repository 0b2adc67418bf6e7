"""``enclave gui``: the desktop window (also what plain ``enclave`` opens)."""

from __future__ import annotations

import argparse
from typing import Any

from app.services import Services


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("gui", help="open the desktop window (the default)")
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace, services: Services) -> int:
    from ui.app import run_app

    return run_app(services)
