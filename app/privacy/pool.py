"""Warm worker processes for the PII analysis of many texts (ingest, review of many files,
redacted exports): the second core.

The workers are forked from the process that built the analyzer, after the spaCy model is
loaded, so each starts in milliseconds sharing the model's memory, and they stay up between
batches. A fork copies the environment (``ORT_DISABLE_TELEMETRY`` and the other offline
switches) and the interpreter's audit hooks (the egress guard), so the workers are as offline
as the app. Each worker computes on one core (one BLAS thread) and ignores Ctrl-C: the parent
decides when to stop.

Work is cut into units (about a quarter of a worker's share) of whole short documents (a
worker finishes them: defined terms, addresses, names spread) and single windows of long
documents (the parent finishes those documents). The parent reports progress as units come
back and polls ``cancel`` ten times a second; on cancel it raises a flag every worker checks
between windows, drops the queued units and waits for the running ones to stop, so the workers
stay warm for the next batch.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import signal
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.privacy.findings import Finding
from app.privacy.windows import (
    UnanalysableTexts,
    Window,
    clean_for_analysis,
    describe_failure,
    split_text,
)
from core.errors import Cancelled, EnclaveError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress

log = logging.getLogger(__name__)

MIN_SHARED_CHARS = 10_000  # less is done sooner in this process than handed over
UNITS_PER_WORKER = 4  # even shares, progress and quick cancel, yet NER batches near full
MIN_UNIT_CHARS, MAX_UNIT_CHARS = 8_000, 60_000
WARM_UP_TEXT = ("Warm-up: Ann Lee (SSN 536-90-4399) of 12 Main Street, Springfield, "
                "called +1 212 555 0134 on March 3, 2021 about card 4539 1488 0343 6467.")
POLL_SECONDS = 0.1
# A worker forked while another thread of the parent held a lock (Chroma's Rust runtime keeps
# dozens of threads) can block forever on it: a warm-up not back by then means no pool.
WARM_UP_SECONDS = 120.0


class PoolUnavailable(EnclaveError):
    """The worker processes did not start; the analysis runs in this process instead."""
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt options
STOP_SECONDS = 60.0

Outcome = list[Finding] | str  # findings, or why the text could not be analysed


class Analyzer(Protocol):
    """What the pool needs of :class:`app.privacy.analyzer.PiiAnalyzer`."""

    window_chars: int

    def analyze_here(self, texts: Sequence[str], *, progress: ProgressFn = ...,
                     cancel: CancelFn = ...) -> list[list[Finding]]: ...

    def analyze_windows(self, windows: Sequence[str], progress: ProgressFn = ...,
                        cancel: CancelFn = ...) -> list[list[Finding]]: ...

    def finish(self, text: str, findings: list[Finding]) -> list[Finding]: ...


class PiiWorkerError(EnclaveError):
    """A worker process died (out of memory, killed): the batch is lost, nothing stored."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worth_sharing(texts: Sequence[str], workers: int, window_chars: int) -> bool:
    """Whether ``texts`` make enough work for more than one process (a single text only
    when it has more than one window)."""
    sizes = [len(text) if isinstance(text, str) else 0 for text in texts]
    return workers > 1 and sum(sizes) >= MIN_SHARED_CHARS and (
        len(texts) > 1 or sizes[0] > window_chars)


@dataclass
class Unit:
    documents: list[tuple[int, str]] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    chars: int = 0


def plan_units(texts: Sequence[str], window_chars: int, workers: int) -> list[Unit]:
    """Short documents grouped whole, long ones window by window, in units of about an
    eighth of a worker's share."""
    total = sum(len(text) if isinstance(text, str) else 1 for text in texts)
    target = min(max(total // (workers * UNITS_PER_WORKER), MIN_UNIT_CHARS), MAX_UNIT_CHARS)
    units: list[Unit] = [Unit()]
    for index, text in enumerate(texts):
        if not isinstance(text, str) or len(text) <= window_chars:
            _add(units, target, documents=[(index, text)])
        else:
            for offset, window in split_text(clean_for_analysis(text), window_chars):
                _add(units, target, windows=[(index, offset, window)])
    return [unit for unit in units if unit.chars]


def _add(units: list[Unit], target: int, *, documents: list[tuple[int, str]] | None = None,
         windows: list[Window] | None = None) -> None:
    size = sum(len(t) if isinstance(t, str) else 1 for _, t in documents or ()) + \
        sum(len(w) for _, _, w in windows or ())
    if units[-1].chars and units[-1].chars + size > target:
        units.append(Unit())
    units[-1].documents += documents or []
    units[-1].windows += windows or []
    units[-1].chars += max(size, 1)


class PiiWorkerPool:
    """``workers`` warm processes analysing for ``analyzer`` (build one per analyzer)."""

    def __init__(self, analyzer: Analyzer, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.workers, self._analyzer = workers, analyzer
        self._stop_flag = context.Event()
        self._broken = False
        self._executor = ProcessPoolExecutor(workers, mp_context=context,
                                             initializer=_adopt,
                                             initargs=(analyzer, self._stop_flag))
        # Fork every worker now, before the caller's threads get busy, and let each run the
        # whole analysis once (first-use costs: pages of the model copied, caches filled).
        done, late = wait([self._executor.submit(_warm_up) for _ in range(workers)],
                          timeout=WARM_UP_SECONDS)
        if late or any(future.exception() is not None for future in done):
            self._kill()
            raise PoolUnavailable(f"{len(late)} of {workers} PII worker processes did not "
                                  f"start within {WARM_UP_SECONDS:.0f} s")

    @property
    def alive(self) -> bool:
        return not self._broken

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (for measurements)."""
        return list(getattr(self._executor, "_processes", None) or ())

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _kill(self) -> None:
        self._broken = True
        for process in list((getattr(self._executor, "_processes", None) or {}).values()):
            process.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def analyze_many(self, texts: Sequence[str], *, progress: ProgressFn = no_progress,
                     cancel: CancelFn = never_cancel) -> list[list[Finding]]:
        """What :meth:`PiiAnalyzer.analyze_here` returns, computed by the workers."""
        units = plan_units(texts, self._analyzer.window_chars, self.workers)
        outcomes: dict[int, Outcome] = {}
        long_texts = _LongTexts(texts, units)
        # Largest units first, so that the last ones, which may leave a core idle, are small.
        futures = {self._executor.submit(_run_unit, unit): unit
                   for unit in sorted(units, key=lambda unit: -unit.chars)}
        try:
            self._collect(futures, outcomes, long_texts, progress, cancel)
        except BaseException:
            self._stop(list(futures))
            raise
        return _results(outcomes, len(texts))

    def _collect(self, futures: dict[Future[Any], Unit], outcomes: dict[int, Outcome],
                 long_texts: _LongTexts, progress: ProgressFn, cancel: CancelFn) -> None:
        total, done_chars = sum(unit.chars for unit in futures.values()), 0
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            check_cancelled(cancel)
            for future in done:
                documents, window_outcomes = self._result(future)
                outcomes.update(documents)
                # A long text is finished here as soon as its last window is back, while
                # the workers go on with the others (not all at the end, one core busy).
                for index in _merge_windows(futures[future], window_outcomes, outcomes,
                                            long_texts):
                    outcomes[index] = _finish(self._analyzer, long_texts.texts[index],
                                              long_texts.findings.pop(index))
                done_chars += futures[future].chars
                progress(done_chars / total, "Looking for personal data")

    def _result(self, future: Future[Any]) -> Any:
        try:
            return future.result()
        except BrokenProcessPool as error:
            self._broken = True
            raise PiiWorkerError(
                "A process looking for personal data stopped unexpectedly (out of memory?); "
                "nothing was stored. Try again, or set privacy.workers to 1.") from error

    def _stop(self, futures: list[Future[Any]]) -> None:
        """Queued units dropped, running ones told to stop; waits until they have."""
        self._stop_flag.set()
        try:
            for future in futures:
                future.cancel()
            wait(futures, timeout=STOP_SECONDS)
        finally:
            self._stop_flag.clear()


class _LongTexts:
    """The findings of long texts' windows as they come back, and how many are still out."""

    def __init__(self, texts: Sequence[str], units: list[Unit]) -> None:
        self.texts = texts
        self.findings: dict[int, list[Finding]] = {}
        self.missing: dict[int, int] = {}
        for unit in units:
            for index, _, _ in unit.windows:
                self.missing[index] = self.missing.get(index, 0) + 1


def _merge_windows(unit: Unit, window_outcomes: list[Outcome], outcomes: dict[int, Outcome],
                   long_texts: _LongTexts) -> list[int]:
    """Adds the windows' findings; returns the texts now complete and not failed."""
    complete = []
    for (index, offset, _), outcome in zip(unit.windows, window_outcomes, strict=True):
        if isinstance(outcome, str):
            outcomes[index] = outcome
        else:
            long_texts.findings.setdefault(index, []).extend(
                f.shifted(offset) for f in outcome)
        long_texts.missing[index] -= 1
        if not long_texts.missing[index]:
            if index not in outcomes:
                complete.append(index)
            else:
                long_texts.findings.pop(index, None)
    return complete


def _finish(analyzer: Analyzer, text: str, findings: list[Finding]) -> Outcome:
    try:
        return analyzer.finish(text, findings)
    except Exception as error:
        log.exception("Finishing the PII findings of a long text failed")
        return describe_failure(error)


def _results(outcomes: dict[int, Outcome], count: int) -> list[list[Finding]]:
    failures = {i: o for i, o in outcomes.items() if isinstance(o, str)}
    results = [o if not isinstance(o, str) else None for o in map(outcomes.get, range(count))]
    if failures:
        raise UnanalysableTexts(results, failures)
    return [found if found is not None else [] for found in results]


# ----- in the worker processes
_ANALYZER: Analyzer | None = None
_STOP: Any = None


def _adopt(analyzer: Analyzer, stop_flag: Any) -> None:
    """Worker start: the analyzer inherited by the fork, one BLAS thread, no Ctrl-C."""
    global _ANALYZER, _STOP
    from threadpoolctl import threadpool_limits

    _ANALYZER, _STOP = analyzer, stop_flag
    threadpool_limits(1, user_api="blas")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()


def keep_freed_memory() -> bool:
    """glibc's allocator told to keep freed memory for reuse (arrays under 64 MB from the heap,
    up to 256 MB of free heap kept) instead of handing it back and faulting fresh zeroed pages
    in for the next batch: 20% less NER time on contracts, the same peak memory (measured).
    Only in the workers, which do nothing else; False where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return all(libc.mallopt(option, value) == 1 for option, value in (
            (_M_MMAP_THRESHOLD, 64 << 20), (_M_TRIM_THRESHOLD, 256 << 20),
            (_M_TOP_PAD, 64 << 20)))
    except (OSError, AttributeError):
        return False


def _warm_up() -> bool:
    assert _ANALYZER is not None
    return bool(_ANALYZER.analyze_here([WARM_UP_TEXT]))


def _run_unit(unit: Unit) -> tuple[dict[int, Outcome], list[Outcome]]:
    assert _ANALYZER is not None
    stopped = _STOP.is_set
    return _documents(_ANALYZER, unit.documents, stopped), \
        _windows(_ANALYZER, unit.windows, stopped)


def _documents(analyzer: Analyzer, documents: list[tuple[int, str]],
               stopped: CancelFn) -> dict[int, Outcome]:
    if not documents:
        return {}
    indices = [index for index, _ in documents]
    try:
        found = analyzer.analyze_here([text for _, text in documents], cancel=stopped)
    except UnanalysableTexts as error:
        return {index: error.failures.get(n) or error.results[n] or []
                for n, index in enumerate(indices)}
    return dict(zip(indices, found, strict=True))


def _windows(analyzer: Analyzer, windows: list[Window], stopped: CancelFn) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for _, _, window in windows:
        try:
            outcomes += analyzer.analyze_windows([window], cancel=stopped)
        except (Cancelled, MemoryError):
            raise
        except Exception as error:
            log.exception("PII analysis of a window failed")
            outcomes.append(describe_failure(error))
    return outcomes
