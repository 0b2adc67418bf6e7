"""Markdown read as a person reads it: markup hidden (``## ``, ``**``, ``*``, ``__``, ``> ``),
lines that the source file wraps inside a paragraph joined, headings known.

:func:`layout` keeps every character's offset (the review pane highlights personal data and a
cited passage by offsets into the stored text); :func:`plain` gives the text to show or export
(quotes in the chat, a redacted PDF of a Markdown file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+", re.MULTILINE)
_QUOTE_MARK = re.compile(r"^>[ \t]?", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)")
_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|\||>|```|---|\*\*\*"
                          r"|(?:\*\*|__)[^*_\n]{1,40}(?::(?:\*\*|__)|(?:\*\*|__):))")
# The last: a line led by a bold label ("**Phone:** ...") is a form's field, on its own line
# (joined, a form read "Patient name: Eleanor J. Marsh Date of birth: 12/04/1958 Address: ...").
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class Layout:
    hidden: frozenset[int]  # offsets of markup characters
    joins: frozenset[int]  # offsets of line breaks inside a paragraph (shown as a space)
    headings: tuple[tuple[int, int], ...]  # (start, end) of each heading line's text


def layout(text: str) -> Layout:
    hidden: set[int] = set()
    headings = []
    for match in _HEADING.finditer(text):
        hidden.update(range(match.start(), match.end()))
        end = text.find("\n", match.end())
        headings.append((match.end(), len(text) if end < 0 else end))
    for match in _QUOTE_MARK.finditer(text):
        hidden.update(range(match.start(), match.end()))
    for match in _EMPHASIS.finditer(text):
        marker = len(match.group(1)) if match.group(1) else 1
        hidden.update(range(match.start(), match.start() + marker))
        hidden.update(range(match.end() - marker, match.end()))
    return Layout(frozenset(hidden), frozenset(_joins(text)), tuple(headings))


def _joins(text: str) -> list[int]:
    """Line breaks between two lines of one paragraph: neither blank, the next not starting a
    block (list item, heading, table row, quote, fence, rule, bold field label), this one not
    a heading or table row, and no hard break (two spaces) before it."""
    joins, position = [], 0
    lines = text.split("\n")
    for line, following in zip(lines, lines[1:], strict=False):
        position += len(line)
        if line.strip() and following.strip() and not line.endswith("  ") \
                and not _BLOCK_START.match(following) \
                and not line.lstrip().startswith(("#", "|", "```")):
            joins.append(position)
        position += 1
    return joins


def plain(text: str) -> str:
    """``text`` with its markup hidden and its paragraphs' lines joined."""
    shown = layout(text)
    return "".join(" " if index in shown.joins else char
                   for index, char in enumerate(text) if index not in shown.hidden)


def is_markdown(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES)
