"""ReadAhead: the next items are worked on in a second thread, in order, never too far ahead,
and errors and early exits reach the caller with no thread left running."""

from __future__ import annotations

import threading
import time

import pytest

from rag.read_ahead import ReadAhead


def test_results_come_back_in_order_from_another_thread() -> None:
    threads: set[str] = set()

    def work(number: int, item: str) -> str:
        threads.add(threading.current_thread().name)
        time.sleep(0.002 * (number % 3))
        return f"{number}:{item.upper()}"

    with ReadAhead(list("abcdef"), work) as results:
        assert list(results) == ["0:A", "1:B", "2:C", "3:D", "4:E", "5:F"]
    assert threads == {"read-ahead"}


def test_work_runs_ahead_of_the_caller_but_no_further_than_its_depth() -> None:
    started: list[int] = []

    def work(number: int, item: int) -> int:
        started.append(number)
        return item

    with ReadAhead(list(range(10)), work, depth=2) as results:
        iterator = iter(results)
        assert next(iterator) == 0
        time.sleep(0.3)  # the thread fills the queue, then waits for the caller
        # one taken, two waiting in the queue, one finished and waiting for room
        assert started == [0, 1, 2, 3]


def test_an_error_is_raised_where_its_item_was_and_ends_the_work() -> None:
    started: list[int] = []

    def work(number: int, item: int) -> int:
        started.append(number)
        if number == 2:
            raise ValueError("bad item")
        return item

    got: list[int] = []
    with pytest.raises(ValueError, match="bad item"), ReadAhead(list(range(6)), work) as results:
        got.extend(results)
    assert got == [0, 1]
    assert started == [0, 1, 2]


def test_leaving_early_stops_and_joins_the_thread() -> None:
    release = threading.Event()

    def work(number: int, item: int) -> int:
        release.wait(5)
        return item

    reader = ReadAhead(list(range(50)), work, depth=1)
    with reader as results:
        iterator = iter(results)
        release.set()
        assert next(iterator) == 0
    assert not reader._thread.is_alive()


def test_an_empty_list_yields_nothing() -> None:
    nothing: list[int] = []
    with ReadAhead(nothing, lambda number, item: item) as results:
        assert list(results) == []
