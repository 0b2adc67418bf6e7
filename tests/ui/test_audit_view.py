"""The audit trail window: records listed newest first, the chain's state shown, CSV export;
the file is read on a worker thread."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from app.audit import AuditLog  # noqa: E402
from ui.audit_view import AuditView  # noqa: E402
from ui.worker import JobRunner  # noqa: E402


@pytest.fixture
def runner(qtbot: Any) -> Iterator[JobRunner]:
    runner = JobRunner()
    yield runner
    assert runner.shutdown()


def test_the_view_lists_records_newest_first_and_says_the_chain_is_intact(
        qtbot: Any, runner: JobRunner, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("ingest", workspace="legal", pages=3)
    AuditLog(path).record("purge", workspace="legal", doc_ids=[])
    view = AuditView(path, runner)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=10000)
    newest = view.table.item(0, 3)
    assert newest is not None and newest.text() == "purge"
    assert "intact" in view.status.text()


def test_the_view_names_a_broken_chain_and_exports_csv(
        qtbot: Any, runner: JobRunner, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    for number in range(3):
        AuditLog(path).record("question", workspace="w", sha256=f"{number:064x}")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + lines[2], encoding="utf-8")
    view = AuditView(path, runner)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: "broken at record 2" in view.status.text(), timeout=10000)
    out = tmp_path / "audit.csv"
    view.export_to(out)
    qtbot.waitUntil(lambda: "written" in view.status.text(), timeout=10000)
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 2
