"""The audit trail (HIPAA 164.312(b) audit controls): who did what, and when.

An append-only JSON-lines file in the data folder. Each record names the OS user, the time
(UTC), the action and a few details, and carries ``prev``, the sha256 of the previous record's
line, so a deleted, altered or reordered record breaks the chain; :meth:`AuditLog.verify` finds
the first break. A side file holds the count and hash of the last record, so cutting records
off the end is detected too. Each record is also sealed (:mod:`app.audit_seal`): an HMAC
under a key that changes after every record, kept outside the data folder, so the chain cannot
be recomputed by someone who can write the data folder, and an emptied or deleted trail is
found.

A record is whole or absent: one write of the whole line, fsync'ed, then the seal state and
the head; a write that fails (a full disk) is cut back off. What a crash can still leave (an
unfinished last line, a head or seal state one record behind) is recognised as such, not as
tampering, and the next start repairs it with an ``audit_recovered`` record; anything else that
does not fit still fails :meth:`AuditLog.verify`.

The trail never holds personal data or document text: a question is recorded as its sha256,
documents by their content hash, settings by the names of the fields that changed. Detail
values are numbers, booleans, short tokens (ids, hashes, type and workspace names: at most 80
characters, no line breaks) or lists of those; any other string is stored as its sha256, so a
caller cannot log a sentence by mistake, and other types are refused (:class:`AuditValueError`).

Appends are safe across threads (a lock) and processes (``flock`` on the file).
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import regex

from app.audit_seal import SealFiles, SealState, keys_folder, seal_mac
from app.audit_verify import (
    GENESIS,
    Checkpoint,
    Ending,
    Head,
    Mark,
    Tail,
    Verification,
    Walk,
    canonical,
    line_hash,
    parse_record,
)
from core.disk import disk_full_message, is_disk_full, replace_whole, written_whole
from core.errors import EnclaveError

try:
    import fcntl
except ImportError:  # Windows: one process per data folder (the app's single instance)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
_TOKEN = regex.compile(r"^(?:[\w.:/@+#=<>()&-]|(?<=\S) (?=\S)){0,80}$")  # ids, names, hashes
CSV_FIELDS = ("seq", "time", "user", "action", "details", "prev")


class AuditWriteError(EnclaveError):
    """The trail cannot be written (a full disk, a folder that cannot be written): the action
    it would have recorded is not done."""


class AuditValueError(ValueError):
    """A detail value that could carry personal data or document text."""


class AuditTrail(Protocol):
    """What the services need of an audit trail: one call per action."""

    def record(self, action: str, **details: Any) -> None: ...


class NoAudit:
    """Records nothing: the default of parts built outside the app (unit tests, benchmarks);
    the composition root always passes the real :class:`AuditLog`."""

    def record(self, action: str, **details: Any) -> None:
        return None


NO_AUDIT = NoAudit()


def sha256_text(text: str) -> str:
    """The hash recorded instead of a text (a question, an answer)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a stripped environment
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


class AuditLog:
    def __init__(self, path: Path, *, keys: Path | None = None,
                 user: Callable[[], str] = current_user,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``keys``: the folder of the seal state and verification key (outside the data
        folder; :func:`app.audit_seal.keys_folder` by default)."""
        self.path, self._user, self._clock = path, user, clock
        self.head_path = path.with_name(path.name + ".head")
        self.seal = SealFiles(path, keys if keys is not None else keys_folder())
        self._lock = threading.Lock()

    # ----- writing
    def record(self, action: str, **details: Any) -> None:
        """Append one whole record, or raise :class:`AuditWriteError` and append nothing."""
        checked = {key: _safe(key, value) for key, value in details.items()}
        _safe("action", action)
        with self._lock, self._locked_file() as stream:
            tail, _ = self._repaired(stream)
            self._append(stream, tail, action, checked)

    def repair(self) -> bool:
        """What an interrupted write left (an unfinished last record, a head or seal state not
        brought up to the last record) is put right, with an ``audit_recovered`` record saying
        so. Returns whether there was anything to repair. Called at every start."""
        if not self.path.exists():
            return False
        with self._lock, self._locked_file() as stream:
            return self._repaired(stream)[1]

    def checkpoint(self) -> Checkpoint:
        """The trail as it is now, sealed with the current key (see :class:`Checkpoint`)."""
        with self._lock, self._locked_file() as stream:
            tail, _ = self._repaired(stream)
        state = self.seal.load()
        point = Checkpoint(tail.records, tail.last, self._clock().isoformat(timespec="seconds"))
        if state is None or state.records != tail.records:
            return point
        return replace(point, mac=seal_mac(state.key, canonical(point.body())))

    def _repaired(self, stream: Any) -> tuple[Tail, bool]:
        tail, head, state = _read_tail(stream), self._read_head(), self.seal.load()
        attesting: Mark | None = state if state is not None else head
        found: dict[str, Any] = {}
        if tail.torn:
            if not (tail.matches(attesting) or tail.one_ahead_of(attesting)
                    or (attesting is None and tail.records == 0)):
                return tail, False  # not what an interrupted write leaves: verify names it
            _truncate(stream, tail.size)
            found.update(torn_bytes=len(tail.torn),
                         torn_sha256=hashlib.sha256(tail.torn).hexdigest())
            tail = replace(tail, torn=b"")
        if tail.records and not tail.matches(head) and tail.one_ahead_of(head):
            found["head_behind"] = True
        if state is not None and tail.one_ahead_of(state) and _sealed_by(tail, state):
            self.seal.save(state.advanced(tail.last))
            found["seal_behind"] = True
        if not found:
            return tail, False
        log.warning("audit trail: repaired after an interrupted write (%s)", found)
        return self._append(stream, tail, "audit_recovered",
                            {"reason": "interrupted_write", **found}), True

    def _append(self, stream: Any, tail: Tail, action: str,
                details: Mapping[str, Any]) -> Tail:
        state = self.seal.load()
        entry: dict[str, Any] = {
            "seq": tail.records + 1, "time": self._clock().isoformat(timespec="milliseconds"),
            "user": self._user(), "action": action, "details": dict(details), "prev": tail.last}
        if state is None:
            state = self._start_seal(tail)
            entry["seal"] = "start"
        entry["mac"] = seal_mac(state.key, canonical(entry))
        data = (canonical(entry) + "\n").encode("utf-8")
        try:
            _write_all(stream.fileno(), data)
            os.fsync(stream.fileno())
        except OSError as error:
            _truncate(stream, tail.size, quietly=True)  # whole or absent
            raise self._failure(error, len(data)) from None
        written = Tail(tail.records + 1, line_hash(data[:-1].decode("utf-8")), tail.last,
                        tail.size + len(data), sealed=True)
        try:  # the record is whole: if these fail, the next start brings them up to it
            self.seal.save(state.advanced(written.last))
            self._write_head(written.records, written.last)
        except OSError as error:
            raise self._failure(error, 4096) from None
        return written

    def _start_seal(self, tail: Tail) -> SealState:
        try:
            return self.seal.start(tail.records + 1, tail.last)
        except OSError as error:
            raise self._failure(error, 4096) from None

    def _failure(self, error: OSError, needed: int) -> AuditWriteError:
        folder = Path(error.filename).parent if error.filename else self.path.parent
        what = "The audit trail cannot be written, so nothing was done"
        if is_disk_full(error):
            return AuditWriteError(disk_full_message(folder, needed, what))
        return AuditWriteError(f"{what}: {folder}: {error.strerror or error}.")

    @contextmanager
    def _locked_file(self) -> Iterator[Any]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stream = open(self.path, "a+b")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise self._failure(error, 4096) from None
        with stream:
            if fcntl is not None:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
            try:
                yield stream
            finally:
                if fcntl is not None:
                    fcntl.flock(stream.fileno(), fcntl.LOCK_UN)

    def _write_head(self, count: int, last_hash: str) -> None:
        replace_whole(self.head_path, json.dumps({"records": count, "last": last_hash}))

    def _read_head(self) -> Head | None:
        try:
            raw = json.loads(self.head_path.read_text(encoding="utf-8"))
            return Head(int(raw["records"]), str(raw["last"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # ----- reading
    def _scan(self) -> tuple[list[str], bytes]:
        """The whole lines, and the bytes of an unfinished last one."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], b""
        whole, newline, torn = data.rpartition(b"\n")
        return (whole.decode("utf-8", "replace").split("\n") if newline else []), torn

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first."""
        return [entry for entry in map(parse_record, self._scan()[0]) if entry is not None]

    def verify(self, *, documents_held: int = 0, key: Path | None = None,
               checkpoint: Checkpoint | None = None) -> Verification:
        """``documents_held``: documents the workspaces hold (an empty trail is then a
        failure); ``key``: the verification key file (the seal folder's by default);
        ``checkpoint``: one the administrator kept, which the trail must still extend."""
        lines, torn = self._scan()
        walk = Walk(self.seal.verification_key(key), checkpoint)
        for number, line in enumerate(lines, start=1):
            problem = walk.step(line, number)
            if problem:
                return Verification(False, number - 1, number, problem)
        return Ending(walk, torn, self._read_head(), self.seal, documents_held).verdict()

    def export_csv(self, out: Path, since: datetime | None = None) -> int:
        """Records at or after ``since`` as CSV; returns how many were written."""
        rows = [r for r in self.records() if since is None or _time_of(r) >= since]
        with written_whole(out, "The audit trail was not exported") as temporary, \
                open(temporary, "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=CSV_FIELDS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "details": json.dumps(row.get("details", {}),
                                                              sort_keys=True)})
        return len(rows)

def _read_tail(stream: Any) -> Tail:
    """The end of the file: its last whole line and anything after it (read from the end)."""
    size = stream.seek(0, os.SEEK_END)
    start = max(0, size - 65536)
    stream.seek(start)
    chunk = stream.read()
    if start and chunk.rfind(b"\n") < 0:
        start, _ = 0, stream.seek(0)
        chunk = stream.read()
    cut = chunk.rfind(b"\n")
    if cut < 0:
        return Tail(0, GENESIS, GENESIS, 0, chunk)
    line = chunk[chunk.rfind(b"\n", 0, cut) + 1:cut].decode("utf-8", "replace")
    entry = parse_record(line)
    seq = entry.get("seq") if entry else None
    if not isinstance(seq, int):
        stream.seek(0)
        seq = stream.read(start + cut + 1).count(b"\n")
    return Tail(seq, line_hash(line), str((entry or {}).get("prev", "")), start + cut + 1,
                 chunk[cut + 1:], bool(entry and "mac" in entry), entry)


def _sealed_by(tail: Tail, state: SealState) -> bool:
    """Whether the last record carries ``state``'s seal (so it is no forgery)."""
    entry = dict(tail.entry or {})
    mac = entry.pop("mac", None)
    return isinstance(mac, str) and hmac.compare_digest(mac, seal_mac(state.key,
                                                                      canonical(entry)))


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _truncate(stream: Any, size: int, *, quietly: bool = False) -> None:
    try:
        os.ftruncate(stream.fileno(), size)
        os.fsync(stream.fileno())
    except OSError:
        if not quietly:
            raise

def _time_of(record: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _safe(key: str, value: Any) -> Any:
    """The value if it cannot carry text; free text becomes its hash, so a wrong call can
    neither leak a sentence nor stop the action it records."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if _TOKEN.match(value) else f"sha256:{sha256_text(value)}"
    if isinstance(value, Sequence):
        return [_safe(key, item) for item in value]
    if isinstance(value, Mapping):
        return {str(_safe(key, name)): _safe(key, item) for name, item in value.items()}
    raise AuditValueError(f"audit detail {key!r} has an unsupported type "
                          f"{type(value).__name__}")
