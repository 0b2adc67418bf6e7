"""The ``enclave`` command as installed (``[project.scripts]``): the command line of
``app.cli`` plus ``enclave gui``, the desktop window, which plain ``enclave`` opens too.

It lives in ``ui`` because only ``ui`` may know that a window exists; ``app.cli`` receives this
module as one more command family. Nothing heavy is imported before ``app.cli.main`` has taken
the process offline.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services import Services


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("gui", help="open the desktop window (the default)")
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace, services: Services) -> int:
    from ui.app import run_app

    return run_app(services)


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli import main as run_command_line

    return run_command_line(argv, extra_commands=(sys.modules[__name__],))


if __name__ == "__main__":
    sys.exit(main())
