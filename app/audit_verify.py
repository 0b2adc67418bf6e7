"""Checking the audit trail (:meth:`app.audit.AuditLog.verify`): each record's place in the
chain and seal, then what the end of the trail must agree with (an unfinished write, the seal
state, the head file, the workspaces' documents, a checkpoint the administrator kept)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.audit_seal import SealFiles, VerificationKey, evolve, seal_mac
from core.errors import InputError

GENESIS = "0" * 64


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    first_bad: int | None = None  # 1-based line number
    reason: str = ""
    notes: tuple[str, ...] = ()

    def message(self) -> str:
        if self.ok:
            text = f"Audit trail intact: {self.records} record(s), chain verified."
        else:
            text = f"Audit trail broken at record {self.first_bad}: {self.reason}"
        return " ".join([text, *self.notes])


@dataclass(frozen=True)
class Checkpoint:
    """The trail's length and last hash at a moment, sealed: kept by the administrator, it
    proves later that the first ``records`` records are still those."""

    records: int
    last: str
    time: str = ""
    mac: str = ""

    def body(self) -> dict[str, Any]:
        return {"records": self.records, "last": self.last, "time": self.time}

    @classmethod
    def read(cls, path: Path) -> Checkpoint:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(raw["records"]), str(raw["last"]), str(raw.get("time", "")),
                       str(raw.get("mac", "")))
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{path} is not an audit checkpoint written by "
                             "enclave audit checkpoint.") from None


@dataclass(frozen=True)
class Tail:
    """The end of the trail as found: its whole records, and what an unfinished write left."""

    records: int
    last: str  # sha256 of the last whole line
    prev: str  # that record's link to the one before it
    size: int  # bytes up to the end of the last whole line
    torn: bytes = b""  # after it: a write that never finished
    sealed: bool = False  # the last whole record carries a seal
    entry: dict[str, Any] | None = field(default=None, compare=False)  # the last record

    def matches(self, mark: Mark | None) -> bool:
        return mark is not None and mark.records == self.records and mark.last == self.last

    def one_ahead_of(self, mark: Mark | None) -> bool:
        """The last record is whole but ``mark`` was not brought up to it (interrupted)."""
        if mark is None:
            return self.records == 1 and self.prev == GENESIS
        return mark.records == self.records - 1 and mark.last == self.prev


class Mark(Protocol):
    @property
    def records(self) -> int: ...

    @property
    def last(self) -> str: ...


@dataclass(frozen=True)
class Head:
    records: int
    last: str

class Walk:
    """Checks each record in turn: its place in the chain and, given the verification key,
    its seal."""

    def __init__(self, key: VerificationKey | None, checkpoint: Checkpoint | None) -> None:
        self.key, self.checkpoint = key, checkpoint
        self.prev = self.before_last = GENESIS
        self.count = self.checked = 0
        self.sealed = False
        self.recovered: list[int] = []
        self.at_checkpoint = ""
        self._next_key: bytes | None = None

    def step(self, line: str, number: int) -> str:
        problem = chain_problem(line, number, self.prev)
        if problem:
            return problem
        entry = json.loads(line)
        problem = self._seal_problem(entry, number)
        if problem:
            return problem
        if entry.get("action") == "audit_recovered":
            self.recovered.append(number)
        self.before_last, self.prev, self.count = self.prev, line_hash(line), number
        if self.checkpoint is not None and number == self.checkpoint.records:
            self.at_checkpoint = self.prev
        return ""

    def _seal_problem(self, entry: dict[str, Any], number: int) -> str:
        mac, starts = entry.pop("mac", None), entry.get("seal") == "start"
        if mac is None:
            return ("it carries no seal, though the records before it do (a record was "
                    "inserted or rewritten)") if self.sealed else ""
        if starts and self.sealed:
            return "the seal starts again here: the key state of the records before was removed"
        if not starts and not self.sealed:
            return "it is sealed, but no record before it starts the seal (records were removed)"
        self.sealed = True
        key = self.key.key if self.key and number == self.key.first else self._next_key
        if key is None:
            return ""
        self._next_key = evolve(key)
        if not hmac.compare_digest(str(mac), seal_mac(key, canonical(entry))):
            return "its seal does not match: the record was altered, or written by someone else"
        self.checked += 1
        return ""


class Ending:
    """What the end of the trail must agree with: an unfinished write, the seal state, the
    head file, the workspaces' documents and a checkpoint."""

    def __init__(self, walk: Walk, torn: bytes, head: Head | None, seal: SealFiles,
                 documents_held: int) -> None:
        self.walk, self.torn, self.head, self.seal = walk, torn, head, seal
        self.state, self.documents_held = seal.load(), documents_held
        self.tail = Tail(walk.count, walk.prev, walk.before_last, 0)
        self.notes: list[str] = []

    def verdict(self) -> Verification:
        problem = (self._torn() or self._sealing() or self._head() or self._emptied()
                   or self._checkpoint())
        notes = tuple(self.notes + self._summary())
        if problem:
            return Verification(False, self.walk.count, max(1, problem[0]), problem[1], notes)
        return Verification(True, self.walk.count, notes=notes)

    def _torn(self) -> tuple[int, str] | None:
        if not self.torn:
            return None
        mark = self.state if self.state is not None else self.head
        if self.tail.matches(mark) or self.tail.one_ahead_of(mark) or \
                (mark is None and self.tail.records == 0):
            self.notes.append(f"The last write was interrupted: {len(self.torn)} byte(s) of an "
                              f"unfinished record follow record {self.tail.records}; the next "
                              "start removes them and records that it did.")
            return None
        return (self.tail.records + 1, "the last record is cut off, where the trail's seal or "
                                       "head expects a whole one (records were cut or altered)")

    def _sealing(self) -> tuple[int, str] | None:
        state, count = self.state, self.tail.records
        if state is None:
            return (count, f"its seal state ({self.seal.state_path}) is missing or unreadable, "
                           "so the trail cannot be checked against it") if self.walk.sealed \
                else None
        if self.walk.key is not None and state.records + 1 >= self.walk.key.first and \
                self.walk.key.key_at(state.records + 1) != state.key:
            return (state.records, "the seal state was altered: its key is not the one the "
                                   "verification key gives after this record")
        if self.tail.matches(state):
            return None
        if self.tail.one_ahead_of(state):
            self.notes.append("The seal state was not brought up to the last record (an "
                              "interrupted write); the next start does.")
            return None
        return (min(count, state.records) + 1,
                f"the seal state says {state.records} record(s) were sealed, the last one "
                f"hashing to {state.last[:12]}…, and the trail holds {count}: records were "
                "removed from the end or replaced, or the trail was emptied")

    def _head(self) -> tuple[int, str] | None:
        count, head = self.tail.records, self.head
        if self.tail.matches(head) or (head is None and count == 0):
            return None
        if self.tail.one_ahead_of(head):
            self.notes.append("The head file was not brought up to the last record (an "
                              "interrupted write); the next start does.")
            return None
        if head is None:
            return count, "the head file is missing or unreadable"
        return (min(count + 1, head.records or 1),
                f"the head file expects {head.records} record(s); records were removed from "
                "the end or the last one changed")

    def _emptied(self) -> tuple[int, str] | None:
        if self.tail.records or not self.documents_held:
            return None
        return (1, f"the trail is missing or empty while the workspaces hold "
                   f"{self.documents_held} document(s): it was removed or emptied")

    def _checkpoint(self) -> tuple[int, str] | None:
        point, walk = self.walk.checkpoint, self.walk
        if point is None:
            return None
        if walk.count < point.records:
            return (walk.count + 1, f"the checkpoint of {point.time} saw {point.records} "
                                    f"record(s); the trail holds {walk.count}")
        if walk.at_checkpoint != point.last:
            return (point.records, f"it is not the record the checkpoint of {point.time} saw "
                                   "(the records up to it were replaced)")
        if walk.key is not None and point.mac and point.records + 1 >= walk.key.first and \
                not hmac.compare_digest(point.mac, seal_mac(walk.key.key_at(point.records + 1),
                                                            canonical(point.body()))):
            return point.records, "the checkpoint's seal does not match (it was altered)"
        self.notes.append(f"It extends the checkpoint of {point.time} ({point.records} "
                          "record(s)).")
        return None

    def _summary(self) -> list[str]:
        notes = []
        recovered = self.walk.recovered
        if recovered:
            notes.append(f"{len(recovered)} recovery record(s) after interrupted writes: "
                         f"record(s) {', '.join(map(str, recovered[:20]))}.")
        if self.walk.key is not None and self.walk.checked:
            notes.append(f"{self.walk.checked} seal(s) checked with the verification key.")
        elif self.walk.sealed:
            notes.append("Seals not checked one by one: the verification key is not here "
                         "(the administrator keeps it: enclave audit verify --key FILE).")
        return notes

def canonical(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def parse_record(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def chain_problem(line: str, number: int, prev: str) -> str:
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


def documents_held(index_dir: Path) -> int:
    """Documents stored in all workspaces, read without opening the index (an emptied audit
    trail beside them is a failure)."""
    total = 0
    for manifest in sorted(index_dir.glob("workspaces/*/library.sqlite")):
        try:
            with closing(sqlite3.connect(f"{manifest.as_uri()}?mode=ro", uri=True)) as db:
                row = db.execute("SELECT count(*) FROM documents WHERE state = 'done'")
                total += row.fetchone()[0]
        except sqlite3.Error:
            total += 1  # a manifest that cannot be read still says documents were stored
    return total
