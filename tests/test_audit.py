"""The audit trail: a hash chain that names the first altered, removed or moved record; safe
appends from threads and processes; CSV export; no free text in any record."""

from __future__ import annotations

import csv
import json
import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.audit import AuditLog, AuditValueError, sha256_text
from app.cli import main


def _log_with(path: Path, count: int) -> AuditLog:
    log = AuditLog(path)
    for number in range(count):
        log.record("ingest", workspace="legal", doc_id=f"{number:064x}", pages=number)
    return log


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_intact_trail_verifies(tmp_path: Path) -> None:
    log = _log_with(tmp_path / "audit.jsonl", 5)
    result = log.verify()
    assert result.ok and result.records == 5
    first = log.records()[0]
    assert first["user"] and first["action"] == "ingest" and first["seq"] == 1


def test_an_altered_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _log_with(path, 5)
    lines = _lines(path)
    lines[2] = lines[2].replace('"pages": 2', '"pages": 7')
    path.write_text("".join(lines), encoding="utf-8")
    result = log.verify()  # its seal names the altered record itself
    assert not result.ok and result.first_bad == 3 and "seal does not match" in result.reason
    assert "record 3" in result.message()
    log.seal.verification_path.unlink()  # without the verification key: the next one's link
    assert log.verify().first_bad == 4


def test_a_deleted_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _log_with(path, 5)
    lines = _lines(path)
    del lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    assert log.verify().first_bad == 2


def test_reordered_records_are_named(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _log_with(path, 5)
    lines = _lines(path)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    assert log.verify().first_bad == 2


def test_records_cut_off_the_end_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _log_with(path, 5)
    path.write_text("".join(_lines(path)[:3]), encoding="utf-8")
    result = log.verify()
    assert not result.ok and "removed from the end" in result.reason


def test_the_chain_continues_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_with(path, 2)
    AuditLog(path).record("purge", workspace="legal", doc_ids=[])
    assert AuditLog(path).verify().ok


def _append_many(path: str, count: int) -> None:
    log = AuditLog(Path(path))
    for number in range(count):
        log.record("question", workspace="w", sha256=sha256_text(str(number)))


def test_appends_from_threads_and_processes_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers: list[threading.Thread | multiprocessing.process.BaseProcess] = [
        *(threading.Thread(target=_append_many, args=(str(path), 20)) for _ in range(3)),
        *(context.Process(target=_append_many, args=(str(path), 20)) for _ in range(2))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    result = AuditLog(path).verify()
    assert result.ok, result.message()
    assert result.records == 100


def test_free_text_is_stored_as_its_hash(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    question = "What is Ann Lee's SSN 536-90-4399?"
    log.record("question", text=question)
    raw = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert "Ann Lee" not in raw and "536-90-4399" not in raw
    assert log.records()[0]["details"]["text"] == f"sha256:{sha256_text(question)}"
    with pytest.raises(AuditValueError):
        log.record("question", blob=object())


def test_export_since_a_date_writes_csv(tmp_path: Path) -> None:
    moments = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)])
    log = AuditLog(tmp_path / "audit.jsonl", clock=lambda: next(moments))
    log.record("ingest", workspace="a")
    log.record("purge", workspace="a")
    out = tmp_path / "audit.csv"
    assert log.export_csv(out, datetime(2026, 2, 1, tzinfo=UTC)) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["action"] for row in rows] == ["purge"]
    assert json.loads(rows[0]["details"]) == {"workspace": "a"}


def test_cli_verify_names_the_bad_record_and_export_writes_csv(
        enclave_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = enclave_home / "audit.jsonl"
    _log_with(path, 3)
    assert main(["audit", "verify"]) == 0
    assert "3 record(s)" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert main(["audit", "export", "--since", since, "--out", str(out)]) == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3
    lines = _lines(path)
    path.write_text(lines[0] + lines[2], encoding="utf-8")
    assert main(["audit", "verify"]) == 1
    assert "record 2" in capsys.readouterr().out


def test_cli_refuses_a_date_it_cannot_read(enclave_home: Path) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "export", "--since", "last tuesday"])
