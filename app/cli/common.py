"""What every command shares: building services, and turning errors into plain messages."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from app.logs import configure_logging
from app.paths import DataPaths
from app.services import Services, build_services
from core.disk import MB, disk_full_message, full_disk_explains
from core.display import one_line
from core.errors import Cancelled, EnclaveError
from core.jobs import CancelFn

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
        print(f"enclave: {one_line(error.message)}", file=sys.stderr)
        return 2
    except Exception as error:
        if not full_disk_explains(error, paths.root):
            raise
        log.error("stopped: the disk is full", exc_info=error)
        print(f"enclave: {one_line(disk_full_message(paths.root, MB))}", file=sys.stderr)
        return 1
    finally:
        if services is not None:
            services.close()


@contextlib.contextmanager
def interrupt_cancels() -> Iterator[CancelFn]:
    """Ctrl+C as a flag the loop inside checks, raised as :class:`Cancelled` once it is out.

    A KeyboardInterrupt that lands while Python runs a finaliser or a ctypes callback inside
    llama.cpp is printed and dropped, and the answer ran on to its token limit; a flag cannot
    be dropped. Main thread only (where Python runs signal handlers).
    """
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda _signal, _frame: interrupted.set())
    try:
        yield interrupted.is_set
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted.is_set():
        raise Cancelled()


def print_progress_bar(fraction: float, message: str, *, width: int = 30) -> None:
    """A one-line progress bar on stderr (stdout stays clean for answers and JSON)."""
    filled = int(max(0.0, min(1.0, fraction)) * width)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {fraction * 100:5.1f}% {one_line(message)[:60]:<60}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()
