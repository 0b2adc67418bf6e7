"""The audit trail (HIPAA 164.312(b) audit controls): who did what, and when.

An append-only JSON-lines file in the data folder. Each record names the OS user, the time
(UTC), the action and a few details, and carries ``prev``, the sha256 of the previous record's
line, so a deleted, altered or reordered record breaks the chain; :meth:`AuditLog.verify` finds
the first break. A side file holds the count and hash of the last record, so cutting records
off the end is detected too.

The trail never holds personal data or document text: a question is recorded as its sha256,
documents by their content hash, settings by the names of the fields that changed. Detail
values are numbers, booleans, short tokens (ids, hashes, type and workspace names: at most 80
characters, no line breaks) or lists of those; any other string is stored as its sha256, so a
caller cannot log a sentence by mistake, and other types are refused (:class:`AuditValueError`).

Appends are safe across threads (a lock) and processes (``flock`` on the file), and each line
is flushed and fsync'ed before ``record`` returns.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import regex

try:
    import fcntl
except ImportError:  # Windows: one process per data folder (the app's single instance)
    fcntl = None  # type: ignore[assignment]

GENESIS = "0" * 64
_TOKEN = regex.compile(r"^(?:[\w.:/@+#=<>()&-]|(?<=\S) (?=\S)){0,80}$")  # ids, names, hashes
CSV_FIELDS = ("seq", "time", "user", "action", "details", "prev")


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


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    first_bad: int | None = None  # 1-based line number
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"Audit trail intact: {self.records} record(s), chain verified."
        return f"Audit trail broken at record {self.first_bad}: {self.reason}"


class AuditLog:
    def __init__(self, path: Path, *, user: Callable[[], str] = current_user,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path, self._user, self._clock = path, user, clock
        self.head_path = path.with_name(path.name + ".head")
        self._lock = threading.Lock()

    # ----- writing
    def record(self, action: str, **details: Any) -> None:
        checked = {key: _safe(key, value) for key, value in details.items()}
        _safe("action", action)
        with self._lock, self._locked_file() as stream:
            seq, prev = self._last(stream)
            entry = {"seq": seq + 1, "time": self._clock().isoformat(timespec="milliseconds"),
                     "user": self._user(), "action": action, "details": checked, "prev": prev}
            line = json.dumps(entry, sort_keys=True, ensure_ascii=False)
            stream.seek(0, os.SEEK_END)
            stream.write((line + "\n").encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
            self._write_head(seq + 1, _line_hash(line))

    @contextmanager
    def _locked_file(self) -> Iterator[Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as stream:
            if fcntl is not None:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
            try:
                yield stream
            finally:
                if fcntl is not None:
                    fcntl.flock(stream.fileno(), fcntl.LOCK_UN)

    def _last(self, stream: Any) -> tuple[int, str]:
        """(seq, hash) of the last record: the chain continues from there."""
        size = stream.seek(0, os.SEEK_END)
        if size == 0:
            return 0, GENESIS
        stream.seek(max(0, size - 65536))
        line = stream.read().decode("utf-8", "replace").rstrip("\n").rsplit("\n", 1)[-1]
        try:
            return int(json.loads(line)["seq"]), _line_hash(line)
        except (ValueError, KeyError, TypeError):
            return sum(1 for _ in self._lines()), _line_hash(line)

    def _write_head(self, count: int, last_hash: str) -> None:
        temporary = self.head_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"records": count, "last": last_hash}), encoding="utf-8")
        os.replace(temporary, self.head_path)

    # ----- reading
    def _lines(self) -> Iterator[str]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                yield line.rstrip("\n")

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first."""
        found = []
        for line in self._lines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
        return found

    def verify(self) -> Verification:
        prev, count = GENESIS, 0
        for number, line in enumerate(self._lines(), start=1):
            problem = _chain_problem(line, number, prev)
            if problem:
                return Verification(False, count, number, problem)
            prev, count = _line_hash(line), number
        return self._check_head(count, prev)

    def _check_head(self, count: int, last_hash: str) -> Verification:
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if count == 0:
                return Verification(True, 0)
            return Verification(False, count, count, "the head file is missing")
        except ValueError:
            return Verification(False, count, count, "the head file is unreadable")
        if head.get("records") != count or head.get("last") != last_hash:
            return Verification(False, count, min(count + 1, int(head.get("records", 0)) or 1),
                                f"the head file expects {head.get('records')} record(s); "
                                f"records were removed from the end or the last one changed")
        return Verification(True, count)

    def export_csv(self, out: Path, since: datetime | None = None) -> int:
        """Records at or after ``since`` as CSV; returns how many were written."""
        rows = [r for r in self.records() if since is None or _time_of(r) >= since]
        temporary = out.with_name(out.name + ".tmp")
        with open(temporary, "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=CSV_FIELDS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "details": json.dumps(row.get("details", {}),
                                                              sort_keys=True)})
        os.replace(temporary, out)
        return len(rows)


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _chain_problem(line: str, number: int, prev: str) -> str:
    try:
        entry = json.loads(line)
    except ValueError:
        return "the line is not a JSON record (altered or damaged)"
    if not isinstance(entry, dict):
        return "the line is not a record"
    if entry.get("seq") != number:
        return (f"sequence number {entry.get('seq')} where {number} was expected "
                "(a record was deleted, inserted or moved)")
    if entry.get("prev") != prev:
        return "its link to the previous record does not match (the previous record was " \
               "altered, deleted or moved)"
    return ""


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
