"""The workspace marker file written by several openers at once (two ingests of one new
workspace): each writes whole, none fails, nothing is left beside it."""

from __future__ import annotations

import threading
from pathlib import Path

from rag.library import _write_marker


def test_openers_racing_on_one_new_marker_all_succeed(tmp_path: Path) -> None:
    failures: list[BaseException] = []

    def opener(barrier: threading.Barrier, path: Path, text: str) -> None:
        barrier.wait()
        try:
            _write_marker(path, text)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            failures.append(error)

    for round_number in range(100):
        path = tmp_path / f"ws-{round_number}" / "workspace.json"
        path.parent.mkdir()
        barrier = threading.Barrier(4)
        threads = [threading.Thread(target=opener, args=(barrier, path, f'{{"n": {n}}}'))
                   for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert path.read_text(encoding="utf-8").startswith('{"n": ')
        assert [p.name for p in path.parent.iterdir()] == ["workspace.json"]
    assert failures == []
