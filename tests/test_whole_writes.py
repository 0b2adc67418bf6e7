"""Files replaced whole (the audit trail's head, its seal state, a workspace marker) written by
several writers at once, threads and processes: every write lands whole, none fails, a reader
never finds a part, nothing is left beside them. They once shared one temporary name
("<name>.tmp"): the second writer truncated the first's file or found it renamed away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.audit import AuditLog
from app.audit_seal import SealFiles, SealState
from core.disk import replace_whole

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 300
PAYLOAD = "x" * 20000  # long enough that a write and a rename overlap

WRITER = """
import sys, threading
from pathlib import Path
from tests.test_whole_writes import write_rounds
trail, keys, tag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
failures = []
threads = [threading.Thread(target=write_rounds, args=(trail, keys, f"{tag}-{n}", failures))
           for n in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(repr(failures[:3]) if failures else "ok")
"""


def write_rounds(trail: Path, keys: Path, tag: str, failures: list[str]) -> None:
    """``ROUNDS`` writes each of the head, the seal state and a plain file, as ``tag``."""
    audit, seal = AuditLog(trail, keys=keys), SealFiles(trail, keys)
    for count in range(ROUNDS):
        try:
            audit._write_head(count, f"{tag}:{PAYLOAD}")
            seal.save(SealState(count, f"{tag}:{PAYLOAD}", bytes(32)))
            replace_whole(trail.with_name("plain.json"), json.dumps([tag, PAYLOAD]))
        except OSError as error:
            failures.append(f"{tag}: {error!r}")
            return


def _read_whole(paths: list[Path], stop: threading.Event, torn: list[str]) -> None:
    while not stop.is_set():
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            try:
                json.loads(text)
            except ValueError:
                torn.append(f"{path.name}: {len(text)} characters")


def _in_threads(target: Callable[..., None], args: list[tuple[object, ...]]) -> None:
    threads = [threading.Thread(target=target, args=arguments) for arguments in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_the_audit_head_and_seal_written_by_racing_threads_and_processes_land_whole(
        tmp_path: Path) -> None:
    trail, keys = tmp_path / "data" / "audit.jsonl", tmp_path / "keys"
    trail.parent.mkdir()
    keys.mkdir()
    seal = SealFiles(trail, keys)
    watched = [trail.with_name(trail.name + ".head"), seal.state_path,
               trail.with_name("plain.json")]
    failures: list[str] = []
    torn: list[str] = []
    stop = threading.Event()
    reader = threading.Thread(target=_read_whole, args=(watched, stop, torn))
    reader.start()
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(trail), str(keys),
                                   f"process{n}"], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for n in range(2)]
    _in_threads(write_rounds, [(trail, keys, f"thread{n}", failures) for n in range(3)])
    outputs = [process.communicate(timeout=300) for process in processes]
    stop.set()
    reader.join()

    assert failures == []
    assert [out.strip() for out, _ in outputs] == ["ok", "ok"], [err[-2000:] for _, err in outputs]
    assert torn == []
    assert seal.load() is not None
    assert sorted(path.name for path in trail.parent.iterdir()) == \
        ["audit.jsonl.head", "plain.json"]
    assert [path.name for path in keys.iterdir()] == [seal.state_path.name]
    assert os.stat(seal.state_path).st_mode & 0o077 == 0  # still its owner's only
