"""The one place the window shows errors, and the hooks that keep any from passing silently."""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from core.display import one_line
from core.errors import Cancelled, EnclaveError

log = logging.getLogger(__name__)


def user_message(error: BaseException) -> str:
    if isinstance(error, EnclaveError):
        return one_line(error.message)
    return (f"Something went wrong ({type(error).__name__}). The details are in the log; "
            "your documents and settings are unchanged.")


def show_error(parent: QWidget | None, error: BaseException, *, title: str = "Enclave") -> None:
    if isinstance(error, Cancelled):
        return
    if not isinstance(error, EnclaveError):
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    QMessageBox.warning(parent, title, user_message(error))


class _UncaughtRelay(QObject):
    sig_uncaught = Signal(object)


_relay: _UncaughtRelay | None = None


def install_exception_hooks(parent: QWidget) -> None:
    """Route uncaught exceptions from any thread to one dialog on the Qt thread."""
    global _relay
    _relay = _UncaughtRelay(parent)
    _relay.sig_uncaught.connect(lambda error: show_error(parent, error))

    def excepthook(kind: type[BaseException], error: BaseException,
                   trace: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, error, trace))
        if _relay is not None:
            _relay.sig_uncaught.emit(error)

    def thread_excepthook(hook_args: threading.ExceptHookArgs) -> None:
        if hook_args.exc_value is not None:
            excepthook(hook_args.exc_type, hook_args.exc_value, hook_args.exc_traceback)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
