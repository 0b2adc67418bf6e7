"""Conversation history per workspace, kept as JSON under the data directory's ``history``.

A conversation is a list of :class:`Exchange`, each with the citations the answer carried, so
links still open the right page after a restart. A file that cannot be read is never
overwritten: it is set aside (``NAME.corrupt-TIMESTAMP.json``) and the caller is told, so the
user can recover it. Writes reach the disk (fsync) before they replace the old file.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from app.answers.check import cited_numbers
from app.markdown_text import plain
from core.disk import DiskFull, is_disk_full
from core.errors import InputError
from models.prompts import Turn
from rag.names import NameSeal

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CitationRef:
    number: int
    source: str
    path: str
    doc_id: str
    page: int
    start: int
    end: int
    text: str
    verified: bool
    detail: str = ""
    cited: bool = True  # False: a source the answer was given but did not cite


@dataclass(frozen=True)
class QuoteRef:
    """A sentence quoted as evidence, cited as source ``number`` (see app.chat.Answer)."""

    number: int
    text: str
    fact: str = ""  # the part that states what was asked ("ninety (90) days")
    # where the sentence is in its passage's page, as CitationRef.start/end: two quotes of one
    # passage share its [n], and each opens the page with its own sentence marked (-1: unknown,
    # a conversation kept before this was recorded)
    start: int = -1
    end: int = -1

    def citation(self, ref: CitationRef) -> CitationRef:
        """``ref`` (this quote's source) with this sentence as the passage to mark."""
        if self.start < 0 or (self.start, self.end) == (ref.start, ref.end):
            return ref
        return replace(ref, start=self.start, end=self.end, text=self.text)


@dataclass
class Exchange:
    question: str
    answer: str = ""
    citations: list[CitationRef] = field(default_factory=list)
    stopped: bool = False
    quotes: list[QuoteRef] = field(default_factory=list)
    grounded: bool | None = None  # None: no evidence check (an older answer, or none found)
    outcome: str = ""  # app.answers.answer.OUTCOMES ("declined": an honest no); "": older

    def citation(self, number: int) -> CitationRef | None:
        return next((ref for ref in self.citations if ref.number == number), None)

    def turn(self) -> Turn:
        """The exchange as context for a follow-up: the question, the answer and the documents
        its answer cites (an honest no's closest passages and weak evidence cite none)."""
        if self.outcome != "answered" or self.stopped:
            return Turn(self.question, self.answer)
        numbers = set(cited_numbers(self.answer))
        cited = [ref.doc_id for ref in self.citations
                 if ref.cited and (not numbers or ref.number in numbers)]
        return Turn(self.question, self.answer, tuple(dict.fromkeys(cited)))


def quote_refs(quotes: Any) -> list[QuoteRef]:
    """The evidence of an app.chat.Answer (its ``quotes``), as kept in the history."""
    return [QuoteRef(quote.number, quote.text, quote.evidence.fact, quote.evidence.start,
                     quote.evidence.end) for quote in quotes]


def evidence_refs(quotes: Any) -> list[CitationRef]:
    """One CitationRef per quoted source: its page, and the first quoted sentence of it as the
    passage to highlight, with the result of the check on the page."""
    refs: dict[int, CitationRef] = {}
    for quote in quotes:
        hit, evidence = quote.hit, quote.evidence
        refs.setdefault(quote.number, CitationRef(
            quote.number, hit.source_name, hit.path, hit.doc_id, hit.page, evidence.start,
            evidence.end, evidence.text, quote.verified, quote.detail))
    return [refs[number] for number in sorted(refs)]


def citation_refs(answer: Any) -> list[CitationRef]:
    """One CitationRef per source an app.chat.Answer was given, numbered as in the prompt;
    those the answer cites carry the result of the check against the page."""
    if getattr(answer, "quotes", ()):
        return evidence_refs(answer.quotes)
    checked = {citation.number: citation for citation in answer.citations}
    refs = []
    for number, hit in enumerate(answer.sources, 1):
        citation = checked.get(number)
        verified = citation.verified if citation else False
        detail = citation.detail if citation else "given to the model, not cited"
        refs.append(CitationRef(number, hit.source_name, hit.path, hit.doc_id, hit.page,
                                hit.start, hit.end, hit.text, verified, detail,
                                citation is not None))
    return refs


@dataclass(frozen=True)
class Conversation:
    exchanges: list[Exchange]
    notice: str = ""  # set when the stored conversation could not be read and was set aside


class HistoryStore:
    def __init__(self, folder: Path, *,
                 redactor_for: Callable[[str], Callable[[str], str] | None] = lambda name: None,
                 names: NameSeal | None = None,
                 seal_names_for: Callable[[str], bool] = lambda name: False) -> None:
        """``redactor_for(workspace)``: how questions and answers are stored under the
        workspace's privacy policy (None: as they are). ``names`` seals the sources' names
        and paths of the workspaces ``seal_names_for`` names (strict ones), and opens them."""
        self.folder = folder
        self._redactor_for = redactor_for
        self._names, self._seal_names_for = names, seal_names_for

    def file_for(self, workspace: str) -> Path:
        return self.folder / f"{_UNSAFE.sub('_', workspace)}.json"

    def load(self, workspace: str) -> Conversation:
        path = self.file_for(workspace)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Conversation([])
        except (OSError, UnicodeDecodeError) as error:
            return self._set_aside(workspace, path, error)
        try:
            raw = json.loads(text)
            exchanges = [_exchange(item) for item in raw.get("exchanges", [])]
            names = self._names
            return Conversation(exchanges if names is None else _with_names(exchanges, names.open))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return self._set_aside(workspace, path, error)

    def _set_aside(self, workspace: str, path: Path, error: Exception) -> Conversation:
        kept = path.with_name(f"{path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.json")
        try:
            os.replace(path, kept)
        except OSError as move_error:
            log.error("conversation file %s is unreadable (%s) and could not be set aside: %s",
                      path, error, move_error)
            raise InputError(f"The conversation of {workspace!r} cannot be read ({path}); "
                             "it was left as it is.") from None
        log.warning("conversation file %s is unreadable (%s); kept as %s", path, error, kept)
        return Conversation([], f"The earlier conversation of {workspace!r} could not be read "
                                f"and was kept as {kept}. A new conversation starts here.")

    def save(self, workspace: str, exchanges: list[Exchange]) -> None:
        redactor = self._redactor_for(workspace)
        if redactor is not None:
            exchanges = [replace(item, question=redactor(item.question),
                                 answer=redactor(item.answer)) for item in exchanges]
        if self._names is not None and self._seal_names_for(workspace):
            exchanges = _with_names(exchanges, self._names.seal)
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"workspace": workspace,
                           "exchanges": [asdict(item) for item in exchanges]}, indent=1)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.file_for(workspace))
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if is_disk_full(error):  # the conversation before stays as it was
                raise DiskFull(self.folder, 2 * len(text), "The conversation was not saved") \
                    from None
            raise
        _sync_folder(self.folder)

    def rename(self, old: str, new: str) -> None:
        """The conversation follows its workspace; a workspace renamed onto an existing one
        keeps both conversations, the existing one first."""
        source = self.file_for(old)
        if source == self.file_for(new) or not source.exists():
            return
        moved = self.load(old).exchanges
        self.save(new, self.load(new).exchanges + moved)
        source.unlink(missing_ok=True)

    def delete(self, workspace: str) -> None:
        self.file_for(workspace).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _with_names(exchanges: list[Exchange], change: Callable[[str], str]) -> list[Exchange]:
    """The exchanges with each source's name and path passed through ``change``."""
    return [replace(item, citations=[replace(ref, source=change(ref.source), path=change(ref.path))
                                     for ref in item.citations]) for item in exchanges]


def _exchange(item: dict[str, Any]) -> Exchange:
    refs = [CitationRef(**ref) for ref in item.get("citations", [])]
    quotes = [QuoteRef(**quote) for quote in item.get("quotes", [])]
    return Exchange(item["question"], item.get("answer", ""), refs, item.get("stopped", False),
                    quotes, item.get("grounded"), str(item.get("outcome", "")))


def to_markdown(workspace: str, exchanges: list[Exchange]) -> str:
    lines = [f"# Conversation — {workspace}", ""]
    for exchange in exchanges:
        lines += [f"**You:** {exchange.question}", "", f"**Enclave:** {exchange.answer}", ""]
        if exchange.stopped:
            lines += ["*(stopped)*", ""]
        # a quote read as the window shows it: one line, the source's Markdown markup hidden
        lines += [f"> “{plain(quote.text)}” [{quote.number}]" for quote in exchange.quotes]
        lines += [""] if exchange.quotes else []
        for ref in exchange.citations:
            mark = ("verified" if ref.verified else "not verified") if ref.cited \
                else "not cited"
            lines.append(f"- [{ref.number}] {ref.source}, page {ref.page} ({mark}): "
                         f"“{' '.join(plain(ref.text).split())[:200]}”")
        lines += ["", "---", ""]
    return "\n".join(lines)
