"""One writer per workspace, across threads and processes.

Two ingests of one folder at once (two windows, a window and the command line) each check
whether a document is stored, then store it: without a lock both would, twice, and each would
record it. The lock is ``flock`` on a file beside the workspace's manifest, taken for the short
store step only (reading and embedding run outside it), re-entrant in the thread holding it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: one process per data folder (the app's single instance)
    fcntl = None  # type: ignore[assignment]


class WriteLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._handle: IO[bytes] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._handle = self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._handle is not None:
                    self._handle.close()  # releases the flock
                    self._handle = None

    def _acquire(self) -> IO[bytes]:
        handle = open(self._path, "a+b")  # noqa: SIM115 (closed when released)
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            except BaseException:
                handle.close()
                raise
        return handle
