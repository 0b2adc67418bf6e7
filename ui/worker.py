"""The one way to run slow work off the Qt thread.

    Job(fn, arg).on_item(show_token).on_success(done).on_failure(show_error).start(runner)

``fn`` is a plain core function; it receives ``progress``, ``cancel`` and ``emit`` keyword
arguments when it declares them. Everything it reports reaches the callbacks on the Qt thread as
queued signals, so callbacks may touch widgets. A runner cancels and waits for all of its jobs
on shutdown, so no thread outlives the window.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.jobs import CancelToken

log = logging.getLogger(__name__)


class _JobSignals(QObject):
    sig_progress = Signal(float, str)
    sig_item = Signal(object)
    sig_succeeded = Signal(object)
    sig_failed = Signal(object)


class Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _JobSignals()
        self.cancel_token = CancelToken()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._done = threading.Event()

    # ----- fluent wiring (call on the Qt thread before start)
    def on_success(self, slot: Callable[[Any], None]) -> Job:
        self.signals.sig_succeeded.connect(slot)
        return self

    def on_failure(self, slot: Callable[[BaseException], None]) -> Job:
        self.signals.sig_failed.connect(slot)
        return self

    def on_progress(self, slot: Callable[[float, str], None]) -> Job:
        self.signals.sig_progress.connect(slot)
        return self

    def on_item(self, slot: Callable[[Any], None]) -> Job:
        self.signals.sig_item.connect(slot)
        return self

    def start(self, runner: JobRunner) -> Job:
        runner.start(self)
        return self

    # ----- control
    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    # ----- worker thread
    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs, **self._hooks())
        except BaseException as error:  # reported to the UI, which shows the message
            if not isinstance(error, Exception):
                log.warning("job interrupted: %r", error)
            self.signals.sig_failed.emit(error)
        else:
            self.signals.sig_succeeded.emit(result)
        finally:
            self._done.set()

    def _hooks(self) -> dict[str, Any]:
        accepted = inspect.signature(self._fn).parameters
        hooks = {
            "progress": self.signals.sig_progress.emit,
            "cancel": self.cancel_token,
            "emit": self.signals.sig_item.emit,
        }
        return {name: hook for name, hook in hooks.items() if name in accepted}


class JobRunner(QObject):
    """Owns a thread pool and the jobs on it."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: list[Job] = []

    def start(self, job: Job) -> None:
        self._jobs = [existing for existing in self._jobs if not existing.is_done]
        self._jobs.append(job)
        self._pool.start(job)

    @property
    def active_jobs(self) -> list[Job]:
        return [job for job in self._jobs if not job.is_done]

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        for job in self._jobs:
            job.cancel()
        return self._pool.waitForDone(timeout_ms)
