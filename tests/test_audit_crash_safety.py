"""A crash-safe, anchored audit trail (issues 29 and 30): a record is whole or absent; what an
interrupted write leaves is repaired with a recorded entry, never mistaken for tampering; a
full disk is one plain error; a trail rewritten, shortened, emptied or removed by someone who
can write the data folder is still found."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

from app import audit as audit_module
from app.audit import GENESIS, AuditLog, AuditWriteError, Checkpoint


def _trail(tmp_path: Path, count: int = 4) -> AuditLog:
    log = AuditLog(tmp_path / "data" / "audit.jsonl", keys=tmp_path / "keys")
    for number in range(count):
        log.record("ingest", workspace="legal", doc_id=f"{number:064x}", status="indexed")
    return log


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """os.write in the audit module writes ``allowed`` bytes, then the disk is full."""
    left, real_write = [allowed], os.write

    def write(handle: int, data: bytes | memoryview) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        count = real_write(handle, bytes(data[:left[0]]))
        left[0] -= count
        return count

    monkeypatch.setattr(audit_module.os, "write", write)


def test_a_torn_last_record_is_an_interrupted_write_and_the_next_start_records_it(
        tmp_path: Path) -> None:
    log = _trail(tmp_path)
    with open(log.path, "ab") as stream:  # what a crash in the middle of a write leaves
        stream.write(b'{"action": "ingest", "details": {"doc_id": "ab')
    result = log.verify()
    assert result.ok and "interrupted" in result.message()
    assert log.repair()
    result = log.verify()
    assert result.ok and result.records == 5, result.message()
    recovered = log.records()[-1]
    assert recovered["action"] == "audit_recovered"
    assert recovered["details"]["torn_bytes"] == 46
    assert "1 recovery record(s)" in result.message() and "record(s) 5" in result.message()
    assert not log.repair()  # once only


def test_a_full_disk_mid_record_leaves_no_part_of_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    log = _trail(tmp_path)
    before = log.path.read_bytes()
    _full_disk_after(monkeypatch, 60)
    with pytest.raises(AuditWriteError) as raised:
        log.record("purge", workspace="legal", doc_ids=[])
    message = raised.value.message
    assert str(log.path.parent) in message and "full" in message and "free at least" in message
    assert "\n" not in message
    assert log.path.read_bytes() == before
    monkeypatch.undo()
    log.record("purge", workspace="legal", doc_ids=[])
    assert log.verify().ok and log.verify().records == 5


def test_a_record_whose_seal_and_head_were_not_updated_is_caught_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _trail(tmp_path)

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(log.seal.state_path))

    monkeypatch.setattr(log.seal, "save", no_space)
    with pytest.raises(AuditWriteError, match="keys"):
        log.record("purge", workspace="legal", doc_ids=[])
    monkeypatch.undo()
    assert log.verify().ok and "not brought up" in log.verify().message()
    assert log.repair()
    result = log.verify()
    assert result.ok and result.records == 6 and "recovery" in result.message()
    assert log.records()[-1]["details"]["seal_behind"] is True


def test_a_cut_whole_record_is_tampering_not_a_torn_write(tmp_path: Path) -> None:
    log = _trail(tmp_path)
    data = log.path.read_bytes()
    log.path.write_bytes(data[:-30])  # the last record cut in the middle, by hand
    assert not log.repair()
    result = log.verify()
    assert not result.ok and result.first_bad == 4 and "cut off" in result.reason


def test_a_damaged_record_in_the_middle_still_fails(tmp_path: Path) -> None:
    log = _trail(tmp_path)
    lines = log.path.read_bytes().split(b"\n")
    lines[1] = lines[1][:40]
    log.path.write_bytes(b"\n".join(lines))
    assert not log.repair()
    result = log.verify()
    assert not result.ok and result.first_bad == 2


def _recompute_chain(log: AuditLog, lines: list[str]) -> None:
    """The attack of issue 30: records changed, links and head recomputed by hand."""
    prev, out = GENESIS, []
    for number, line in enumerate(lines, start=1):
        entry = json.loads(line)
        entry.update(seq=number, prev=prev)
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        out.append(text + "\n")
        prev = hashlib.sha256(text.encode()).hexdigest()
    log.path.write_text("".join(out), encoding="utf-8")
    log.head_path.write_text(json.dumps({"records": len(lines), "last": prev}))


def test_a_record_dropped_and_the_chain_recomputed_is_found(tmp_path: Path) -> None:
    log = _trail(tmp_path)
    _recompute_chain(log, log.path.read_text(encoding="utf-8").splitlines()[1:])
    result = log.verify()
    assert not result.ok and result.first_bad == 1, result.message()
    log.seal.verification_path.unlink()  # the administrator took the key away: still found
    assert not log.verify().ok


def test_the_seal_state_edited_to_match_a_shortened_trail_is_found(tmp_path: Path) -> None:
    log = _trail(tmp_path)
    lines = log.path.read_text(encoding="utf-8").splitlines()[:3]
    log.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    last = hashlib.sha256(lines[-1].encode()).hexdigest()
    log.head_path.write_text(json.dumps({"records": 3, "last": last}))
    state = json.loads(log.seal.state_path.read_text())
    log.seal.state_path.write_text(json.dumps({**state, "records": 3, "last": last}))
    result = log.verify()
    assert not result.ok and "seal state was altered" in result.reason


@pytest.mark.parametrize("removed", ["emptied", "deleted with its head"])
def test_a_removed_or_emptied_trail_is_a_failure_not_intact_0(tmp_path: Path,
                                                             removed: str) -> None:
    log = _trail(tmp_path)
    log.path.write_bytes(b"") if removed == "emptied" else log.path.unlink()
    if removed != "emptied":
        log.head_path.unlink()
    result = log.verify(documents_held=3)
    assert not result.ok and result.records == 0
    assert "4 record(s) were sealed" in result.reason
    log.seal.state_path.unlink()  # the seal state and head removed too: the documents tell
    log.head_path.unlink(missing_ok=True)
    result = log.verify(documents_held=3)
    assert not result.ok and "workspaces hold 3 document(s)" in result.reason


def test_a_checkpoint_kept_by_the_administrator_catches_a_rewrite(tmp_path: Path) -> None:
    log = _trail(tmp_path)
    point = log.checkpoint()
    saved = tmp_path / "checkpoint.json"
    saved.write_text(json.dumps({**point.body(), "mac": point.mac}))
    log.record("purge", workspace="legal", doc_ids=[])
    kept = Checkpoint.read(saved)
    assert log.verify(checkpoint=kept).ok
    assert "checkpoint" in log.verify(checkpoint=kept).message()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**point.body(), "records": 2, "mac": point.mac}))
    assert not log.verify(checkpoint=Checkpoint.read(forged)).ok
    log.path.write_text("".join(log.path.read_text().splitlines(keepends=True)[:2]))
    assert not log.verify(checkpoint=kept).ok


def test_the_keys_stay_outside_the_data_folder_readable_by_their_owner_only(
        tmp_path: Path) -> None:
    log = _trail(tmp_path, 1)
    assert not log.seal.state_path.is_relative_to(log.path.parent)
    for path in (log.seal.state_path, log.seal.verification_path):
        assert path.stat().st_mode & 0o077 == 0
    assert log.records()[0]["seal"] == "start"


def test_cli_deleted_trail_beside_stored_documents_fails_and_checkpoint_round_trips(
        enclave_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    note = tmp_path / "note.txt"
    note.write_text("The lease ends on 1 March 2027 and renews for one year.\n", "utf-8")
    assert main(["ingest", str(note), "-w", "leases"]) == 0
    assert main(["audit", "checkpoint", "--out", str(tmp_path / "point.json")]) == 0
    assert main(["audit", "verify", "--checkpoint", str(tmp_path / "point.json")]) == 0
    assert "extends the checkpoint" in capsys.readouterr().out
    (enclave_home / "audit.jsonl").unlink()  # the attack of issue 30: rm the trail and head
    (enclave_home / "audit.jsonl.head").unlink()
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "intact" not in out and "were sealed" in out, out


def test_a_full_disk_is_recognised_however_it_is_reported(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from core import disk

    assert disk.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert disk.is_disk_full(sqlite3.OperationalError("database or disk is full"))
    wrapped = RuntimeError("upsert failed")
    wrapped.__cause__ = OSError(errno.EDQUOT, "Disk quota exceeded")
    assert disk.is_disk_full(wrapped)
    io_error = sqlite3.OperationalError("disk I/O error")  # SQLite creating its WAL files
    compaction = RuntimeError("Error in compaction: Failed to apply logs")  # Chroma's words
    monkeypatch.setattr(disk, "free_bytes", lambda folder: 8192)
    assert disk.full_disk_explains(io_error, tmp_path)
    assert disk.full_disk_explains(compaction, tmp_path)
    message = disk.disk_full_message(tmp_path, 40 * disk.MB, "Ingest stopped")
    assert message == f"Ingest stopped: the disk holding {tmp_path} is full (8 KB free); " \
                      "free at least 40 MB there and try again."
    monkeypatch.setattr(disk, "free_bytes", lambda folder: 10 * 1024 * disk.MB)
    assert not disk.full_disk_explains(io_error, tmp_path)
    assert not disk.is_disk_full(ValueError("bad value"))
