"""ReadAhead: work on the next items in one background thread while the caller uses the last.

Ingest reads and parses the next files (pure Python, holding the GIL) while the caller embeds
and stores the current one (onnxruntime and SQLite release the GIL), so both cores stay busy.
At most ``depth`` finished items wait for the caller, which bounds the memory they hold.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_POLL_SECONDS = 0.1


class ReadAhead(Generic[Item, Result]):
    """Yields ``work(number, item)`` for each item, in order; an exception raised by ``work``
    is raised to the caller where its item's result would be, and ends the work. Leaving the
    ``with`` block stops the thread after the item it is working on (nothing is abandoned
    half-way: the thread is joined)."""

    def __init__(self, items: Sequence[Item], work: Callable[[int, Item], Result], *,
                 depth: int = 2) -> None:
        self._items, self._work = items, work
        self._ready: queue.Queue[tuple[Result | None, BaseException | None]] = \
            queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="read-ahead", daemon=True)

    def __enter__(self) -> ReadAhead[Item, Result]:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[Result]:
        for _ in self._items:
            result, error = self._ready.get()
            if error is not None:
                raise error
            yield result  # type: ignore[misc]  # None only alongside an error

    def _run(self) -> None:
        for number, item in enumerate(self._items):
            if self._stop.is_set():
                return
            try:
                outcome: tuple[Result | None, BaseException | None] = \
                    (self._work(number, item), None)
            except BaseException as error:  # handed to the caller, who decides
                outcome = (None, error)
            if not self._hand_over(outcome) or outcome[1] is not None:
                return

    def _hand_over(self, outcome: tuple[Result | None, BaseException | None]) -> bool:
        """Wait for room in the queue unless the caller has left; True when handed over."""
        while not self._stop.is_set():
            try:
                self._ready.put(outcome, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False
