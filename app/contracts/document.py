"""A contract as pages and passages: sentences or clause items, each with its page and offsets.

Page texts come from the document library's loaders (``rag.loaders``); Word files with tracked
changes are read here instead, with every change accepted (see :mod:`app.contracts.tracked`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rag.documents import LoadedDocument

# A new passage starts at a blank line, at a numbered clause or heading line, or after a sentence.
_BLOCK_BREAK = re.compile(
    r"\n\s*\n|\n(?=\s*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z(]|\([a-z0-9]{1,4}\)\s|"
    r"(?:ARTICLE|Article|SECTION|Section|EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex)\s))"
)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”')]))\s+(?=[\"“(]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|No|Nos|Sec|Secs|Art|St|Mr|Mrs|Ms|Dr|Jr|Sr|vs|v|U\.S|N\.A|"
    r"L\.P|L\.L\.C|P\.C|S\.A|B\.V|N\.V|e\.g|i\.e|etc|approx|para|Ph|[A-Z])\.)$"
)
_ANNEX_HEADING = re.compile(
    r"^\s*(?:EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex|APPENDIX|Appendix|ATTACHMENT)"
    r"\s+[A-Z0-9][\w.-]{0,5}\b"
)
_KEYWORD_LINE = re.compile(r"\s*(?:ARTICLE|Article|SECTION|Section)\s")
HEADING_LINE_CHARS = 60
MIN_PASSAGE_CHARS = 12
ANNEX_START_FRACTION = 0.3
ANNEX_HEADING_CHARS = 120


@dataclass(frozen=True)
class Passage:
    """A sentence or clause item of one page; ``start``/``end`` index into that page's text."""

    index: int
    page: int
    start: int
    end: int
    text: str  # whitespace collapsed to single spaces, for matching and display
    annex: str = ""  # "Exhibit A" when the passage lies in an exhibit or schedule


@dataclass(frozen=True)
class ContractText:
    path: Path
    kind: str
    title: str
    pages: tuple[tuple[int, str], ...]  # (page number, page text)
    passages: tuple[Passage, ...]
    notes: tuple[str, ...] = ()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_text(self, number: int) -> str:
        for page, text in self.pages:
            if page == number:
                return text
        raise KeyError(number)


def squash(text: str) -> str:
    return " ".join(text.split())


def from_loaded(document: LoadedDocument, notes: tuple[str, ...] = ()) -> ContractText:
    pages = tuple((page.number, page.text) for page in document.pages)
    return from_pages(document.path, document.kind, document.title, pages,
                      notes=tuple(document.notes) + notes)


def from_pages(path: Path, kind: str, title: str, pages: tuple[tuple[int, str], ...],
               notes: tuple[str, ...] = ()) -> ContractText:
    passages: list[Passage] = []
    for number, text in pages:
        for start, end in split_spans(text):
            body = squash(text[start:end])
            if len(body) >= MIN_PASSAGE_CHARS or _ANNEX_HEADING.match(body):
                passages.append(Passage(len(passages), number, start, end, body))
    return ContractText(Path(path), kind, title, pages, tuple(mark_annexes(passages)), notes)


def mark_annexes(passages: list[Passage]) -> list[Passage]:
    """Label passages that follow an exhibit or schedule heading in the later part of the text
    (headings in a table of contents near the start do not count)."""
    marked, annex = [], ""
    first_possible = int(len(passages) * ANNEX_START_FRACTION)
    for passage in passages:
        heading = _ANNEX_HEADING.match(passage.text)
        if heading and len(passage.text) <= ANNEX_HEADING_CHARS and \
                passage.index >= first_possible:
            annex = squash(heading.group(0)).title()
        marked.append(replace(passage, annex=annex) if annex else passage)
    return [passage for passage in marked if len(passage.text) >= MIN_PASSAGE_CHARS]


def split_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the passages of one page: blocks first, then sentences in a block."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _pieces(text, 0, len(text), _BLOCK_BREAK, _continues):
        spans += _sentences(text, block_start, block_end)
    return spans


def _continues(text: str, match: re.Match[str]) -> bool:
    """A line opening with "Section 12" or "ARTICLE 7" that carries on a sentence (a wrapped
    cross-reference: "... obligations under\nSECTION 12 (INDEMNIFICATION), ...") is no break;
    after a short heading line or a finished sentence it is."""
    if not _KEYWORD_LINE.match(text, match.end()):
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[line_start:match.start()].rstrip()
    return len(before) >= HEADING_LINE_CHARS and before[-1:].isalnum() or before[-1:] in (",", "(")


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str],
            skip: Callable[[str, re.Match[str]], bool] | None = None) -> list[tuple[int, int]]:
    pieces, cursor = [], start
    for match in pattern.finditer(text, start, end):
        if skip is not None and skip(text, match):
            continue
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    return [_trimmed(text, a, b) for a, b in pieces if text[a:b].strip()]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[cursor:match.start()].rstrip("\"”')")
        if _ABBREVIATION.search(before) or match.start() - cursor < 25:
            continue
        spans.append(_trimmed(text, cursor, match.start()))
        cursor = match.end()
    spans.append(_trimmed(text, cursor, end))
    return [(a, b) for a, b in spans if b > a]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
