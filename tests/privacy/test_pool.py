"""The warm PII worker pool, through the real Presidio and spaCy in forked processes."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.egress import EgressBlocked
from app.privacy.analyzer import PiiAnalyzer, UnanalysableTexts
from app.privacy.pool import PiiWorkerError, keep_freed_memory, plan_units, worth_sharing
from core.errors import Cancelled
from tests.bench.bench_pii import contract_texts
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes are forked")

CUAD_PDFS = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"
LETTER = ("Dear Ms. Elena Petrova,\n\nyour claim was received on March 3, 2021. Please call "
          "Ravi Shankar on (617) 555-0134 or write to ravi.shankar@example.org. Your SSN "
          "536-90-4399 and card 4539 1488 0343 6467 are on file.\n\n")


def _letters(count: int) -> list[str]:
    return [LETTER.replace("2021", str(1990 + n % 30)) for n in range(count)]


@pytest.fixture(scope="module")
def pooled(analyzer: PiiAnalyzer) -> Iterator[PiiAnalyzer]:
    """The session's spaCy and recognizers in an analyzer with two warm workers."""
    shared = PiiAnalyzer(analyzer.engine, workers=2)
    shared.pool(2)
    yield shared
    shared.close()


def _worker_pids(analyzer: PiiAnalyzer) -> set[int]:
    return set(analyzer.pool(2).pids)


def test_workers_find_what_one_process_finds(pooled: PiiAnalyzer) -> None:
    texts = [*_letters(40), LETTER * 200]  # many short texts and one long one in windows
    assert worth_sharing(texts, 2, pooled.window_chars)
    assert not worth_sharing([LETTER * 200], 2, len(LETTER) * 200)
    assert any(unit.windows for unit in plan_units(texts, pooled.window_chars, 2))
    assert pooled.pool(2).analyze_many(texts) == pooled.analyze_here(texts)
    assert pooled.analyze_many(texts, workers=2) == pooled.analyze_many(texts, workers=1)


def test_progress_rises_to_the_end(pooled: PiiAnalyzer) -> None:
    seen: list[float] = []
    pooled.pool(2).analyze_many(_letters(200), progress=lambda f, _: seen.append(f))
    assert len(seen) > 2 and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_cancel_stops_the_batch_and_the_workers_stay_warm(pooled: PiiAnalyzer) -> None:
    pids = _worker_pids(pooled)
    asked: list[float] = []
    with pytest.raises(Cancelled):
        pooled.pool(2).analyze_many(_letters(400), progress=lambda f, _: asked.append(f),
                                    cancel=lambda: bool(asked))
    assert asked and asked[-1] < 0.5
    assert _worker_pids(pooled) == pids
    assert pooled.pool(2).analyze_many(_letters(20)) == pooled.analyze_here(_letters(20))


def test_a_bad_text_fails_alone_and_the_others_keep_their_findings(
        pooled: PiiAnalyzer) -> None:
    texts: list[Any] = [*_letters(30), b"bytes, not text", *_letters(30)]
    with pytest.raises(UnanalysableTexts) as failure:
        pooled.pool(2).analyze_many(texts)
    assert set(failure.value.failures) == {30}
    assert "text 31" in failure.value.message and "not text" in failure.value.message
    good = pooled.analyze_here(_letters(30))
    assert failure.value.results[:30] == good and failure.value.results[31:] == good
    assert failure.value.results[30] is None
    with pytest.raises(UnanalysableTexts) as here:  # one process reports it the same way
        pooled.analyze_here(texts)
    assert here.value.failures == failure.value.failures


def test_a_worker_that_dies_fails_the_batch_by_name_and_the_next_batch_works(
        pooled: PiiAnalyzer) -> None:
    victim = min(_worker_pids(pooled))

    def kill_once(fraction: float, _: str) -> None:
        if fraction > 0 and victim in _worker_pids_now:
            _worker_pids_now.discard(victim)
            os.kill(victim, signal.SIGKILL)

    _worker_pids_now = {victim}
    with pytest.raises(PiiWorkerError, match="stopped unexpectedly"):
        pooled.analyze_many(_letters(400), workers=2, progress=kill_once)
    assert pooled.analyze_many(_letters(30), workers=2) == pooled.analyze_here(_letters(30))
    assert victim not in _worker_pids(pooled)


def _native_getenv(name: str) -> str | None:
    getenv = ctypes.CDLL(None).getenv
    getenv.restype = ctypes.c_char_p
    found = getenv(name.encode())
    return found.decode() if found else None


def _offline_in_worker() -> tuple[str | None, str]:
    try:
        socket.create_connection(("93.184.216.34", 443), timeout=1)
    except EgressBlocked as blocked:
        return _native_getenv("ORT_DISABLE_TELEMETRY"), str(blocked)
    return _native_getenv("ORT_DISABLE_TELEMETRY"), "connected"


def test_workers_keep_the_telemetry_switch_and_the_egress_guard(pooled: PiiAnalyzer) -> None:
    executor = pooled.pool(2)._executor
    switch, outcome = executor.submit(_offline_in_worker).result(timeout=60)
    assert switch == "1"
    assert "blocked" in outcome


def test_a_redacted_export_of_a_real_contract_is_the_same_from_the_workers(
        pooled: PiiAnalyzer, tmp_path: Path) -> None:
    """Exports and strict ingest call ``analyze_many`` on a document's pages: a long one is
    shared with the workers, and the copy is the same as one process writes."""
    from app.privacy.export import export_redacted
    from app.privacy.policy import get_policy

    source = CUAD_PDFS / "AMERICANPHYSICIANSCAPITALINC_03_31_2003-EX-10.26-AGENCY AGREEMENT.PDF"
    from rag.loaders import load_document

    pages = [page.text for page in load_document(source).pages]
    assert worth_sharing(pages, 2, pooled.window_chars)  # so the workers do it
    alone = PiiAnalyzer(pooled.engine, workers=1)
    reports = [export_redacted(source, tmp_path / f"{name}.txt", analyzer, get_policy("strict"))
               for name, analyzer in (("pooled", pooled), ("alone", alone))]
    assert pooled.workers == 2 and reports[0].pages > 3 and reports[0].total > 0
    assert reports[0].counts == reports[1].counts
    assert (tmp_path / "pooled.txt").read_text() == (tmp_path / "alone.txt").read_text()


def test_long_texts_finished_as_their_windows_return_match_one_process(
        pooled: PiiAnalyzer) -> None:
    texts = contract_texts(3)[::-1] + _letters(5) + [contract_texts(4)[3][:50_000]]
    assert max(map(len, texts)) > 2 * pooled.window_chars
    assert pooled.analyze_many(texts) == pooled.analyze_here(texts)


def test_workers_keep_freed_memory_for_the_next_batch(pooled: PiiAnalyzer) -> None:
    assert pooled.pool(2)._executor.submit(keep_freed_memory).result(timeout=60)


def test_workers_that_do_not_start_leave_the_analysis_to_this_process(
        analyzer: PiiAnalyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.privacy.pool.WARM_UP_SECONDS", 0.0)  # no warm-up is back in time
    alone = PiiAnalyzer(analyzer.engine, workers=2)
    texts = [*_letters(40), LETTER * 200]
    assert worth_sharing(texts, 2, alone.window_chars)
    assert alone.analyze_many(texts) == analyzer.analyze_here(texts)
    assert alone.workers == 1 and alone._pool is None
