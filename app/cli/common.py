"""What every command shares: building services, and turning errors into plain messages."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from app.logs import configure_logging
from app.paths import DataPaths
from app.services import Services, build_services
from core.errors import Cancelled, EnclaveError

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, Services], int]


def run_handler(args: argparse.Namespace) -> int:
    handler: Handler = args.handler
    paths = DataPaths.default()
    services = None
    try:
        configure_logging(paths.ensure().logs_dir)
        services = build_services(paths)
        return handler(args, services)
    except Cancelled:
        print("\n[stopped]", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\n[stopped]", file=sys.stderr)
        return 130
    except EnclaveError as error:
        print(f"enclave: {error.message}", file=sys.stderr)
        return 2
    finally:
        if services is not None:
            services.close()


def print_progress_bar(fraction: float, message: str, *, width: int = 30) -> None:
    """A one-line progress bar on stderr (stdout stays clean for answers and JSON)."""
    filled = int(max(0.0, min(1.0, fraction)) * width)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {fraction * 100:5.1f}% {message[:60]:<60}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()
