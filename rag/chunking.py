"""Splitting page text into overlapping chunks that respect paragraphs and sentences.

A chunk never crosses a page (citations are per page) and its text is exactly
``page.text[start:end]``, so a cited passage can be checked verbatim against the page.

Time and memory are linear in the page's length whatever its shape: sentences are counted in
batches of :data:`COUNT_BATCH` (a tokenizer's result for a whole 100 MB page of short lines
took gigabytes), and a "sentence" longer than :data:`MAX_SPAN_CHARS` (a text with no
punctuation or line breaks) is cut at spaces before it is counted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rag.documents import LoadedDocument, Page

# Counts the tokens of many texts at once (the embedder's tokenizer, or a fake in tests).
TokenCounter = Callable[[Sequence[str]], list[int]]

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[]?[A-Z0-9])|\n")
_WORD = re.compile(r"\S+")
COUNT_BATCH = 1024  # sentences counted at once
MAX_SPAN_CHARS = 20_000  # longer "sentences" are cut (at a space) into pieces of about half


@dataclass(frozen=True)
class Chunk:
    page: int
    start: int
    end: int
    text: str
    ordinal: int = 0


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    tokens: int
    opens_paragraph: bool


def count_words(texts: Sequence[str]) -> list[int]:
    """A crude counter (about 1.3 word pieces per word) for tests and fallbacks."""
    return [int(len(_WORD.findall(text)) * 1.3) + 1 for text in texts]


def chunk_document(
    document: LoadedDocument, *, max_tokens: int, overlap_tokens: int, count: TokenCounter
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for page in document.pages:
        for chunk in chunk_page(page, max_tokens=max_tokens, overlap_tokens=overlap_tokens,
                                count=count):
            chunks.append(Chunk(chunk.page, chunk.start, chunk.end, chunk.text, len(chunks)))
    return chunks


def chunk_page(page: Page, *, max_tokens: int, overlap_tokens: int,
               count: TokenCounter) -> Iterator[Chunk]:
    units = _units(page.text, max_tokens, count)
    first = 0
    while first < len(units):
        last = _pack(units, first, max_tokens)
        start, end = units[first].start, units[last].end
        yield Chunk(page.number, start, end, page.text[start:end])
        if last == len(units) - 1:
            return
        first = _overlap_start(units, first, last, overlap_tokens)


def _pack(units: list[_Unit], first: int, max_tokens: int) -> int:
    """Index of the last unit of a chunk starting at ``first``; prefers paragraph ends."""
    used, last = units[first].tokens, first
    while last + 1 < len(units) and used + units[last + 1].tokens <= max_tokens:
        following = units[last + 1]
        if following.opens_paragraph and used >= max_tokens * 0.75 and \
                not _paragraph_fits(units, last + 1, max_tokens - used):
            break
        last += 1
        used += following.tokens
    return last


def _paragraph_fits(units: list[_Unit], first: int, room: int) -> bool:
    used, index = units[first].tokens, first + 1
    while index < len(units) and not units[index].opens_paragraph and used <= room:
        used += units[index].tokens  # no slice of the rest: that copy made chunking quadratic
        index += 1
    return used <= room


def _overlap_start(units: list[_Unit], first: int, last: int, overlap_tokens: int) -> int:
    start, carried = last + 1, 0
    while start - 1 > first and carried + units[start - 1].tokens <= overlap_tokens:
        start -= 1
        carried += units[start].tokens
    return start


def _units(text: str, max_tokens: int, count: TokenCounter) -> list[_Unit]:
    spans = (piece for span in _sentence_spans(text) for piece in _bounded(text, *span))
    units: list[_Unit] = []
    while batch := list(itertools.islice(spans, COUNT_BATCH)):
        sizes = count([text[start:end] for start, end, _ in batch])
        for (start, end, opens), tokens in zip(batch, sizes, strict=True):
            if tokens <= max_tokens:
                units.append(_Unit(start, end, tokens, opens))
            else:
                units.extend(_split_long(text, start, end, tokens, max_tokens, opens))
    return units


def _bounded(text: str, start: int, end: int,
             opens: bool) -> Iterator[tuple[int, int, bool]]:
    """The span, or for one longer than MAX_SPAN_CHARS, pieces of it cut at spaces (or hard
    when there is none), so no text counted or split at once is unbounded."""
    while end - start > MAX_SPAN_CHARS:
        cut = text.rfind(" ", start + MAX_SPAN_CHARS // 2, start + MAX_SPAN_CHARS)
        cut = cut if cut > start else start + MAX_SPAN_CHARS // 2
        yield start, cut, opens
        start, opens = cut, False
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end, opens


def _sentence_spans(text: str) -> Iterator[tuple[int, int, bool]]:
    position = 0
    for paragraph in _PARAGRAPH.split(text):
        begin = text.index(paragraph, position) if paragraph else position
        position = begin + len(paragraph)
        opens = True
        cursor = begin
        for piece in _SENTENCE_END.split(paragraph):
            stripped = piece.strip()
            if not stripped:
                continue
            start = text.index(stripped, cursor)
            cursor = start + len(stripped)
            yield start, cursor, opens
            opens = False


def _split_long(text: str, start: int, end: int, tokens: int, max_tokens: int,
                opens: bool) -> Iterator[_Unit]:
    """A sentence longer than a chunk is cut at word boundaries into near-equal parts."""
    words = [(match.start() + start, match.end() + start)
             for match in _WORD.finditer(text[start:end])]
    parts = -(-tokens // max(1, int(max_tokens * 0.9)))
    per_part = -(-len(words) // parts)
    for index in range(0, len(words), per_part):
        group = words[index:index + per_part]
        share = max(1, tokens * len(group) // max(1, len(words)))
        yield _Unit(group[0][0], group[-1][1], min(share, max_tokens), opens and index == 0)
