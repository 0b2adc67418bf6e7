"""Progress and cancellation for slow work, shared by every Qt-free layer.

Slow functions take ``progress`` and ``cancel`` keyword arguments (Orange3's ``state`` idea):
``progress(fraction, message)`` with a fraction in [0, 1], and ``cancel()`` returning True once
the user has asked to stop. They raise :class:`Cancelled` at the next safe point.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.errors import Cancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


def no_progress(fraction: float, message: str) -> None:
    """Progress sink for callers that do not show progress."""


def never_cancel() -> bool:
    return False


def check_cancelled(cancel: CancelFn) -> None:
    if cancel():
        raise Cancelled()


class CancelToken:
    """A thread-safe flag that a UI or signal handler sets and a worker polls."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()
