"""Where a span of one extraction of a page lies in another extraction of the same page.

The index reads a PDF with one library and the page view with another (QtPdf): the words are
the same, the spaces and line breaks are not. Spans are mapped over the non-space characters,
matched in order (light enough for the Qt thread: one page at a time).
"""

from __future__ import annotations

from bisect import bisect_left
from difflib import SequenceMatcher


def _letters(text: str) -> tuple[list[int], str]:
    positions = [index for index, char in enumerate(text) if not char.isspace()]
    return positions, "".join(text[index] for index in positions)


class TextMap:
    """Maps spans of ``source`` to spans of ``target`` (None where they do not align)."""

    def __init__(self, source: str, target: str) -> None:
        self._source, letters = _letters(source)
        self._target, target_letters = _letters(target)
        if letters == target_letters:
            self._pairs = {index: index for index in range(len(letters))}
            return
        matcher = SequenceMatcher(None, letters, target_letters, autojunk=False)
        self._pairs = {block.a + offset: block.b + offset
                       for block in matcher.get_matching_blocks()
                       for offset in range(block.size)}

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``source[start:end]`` in ``target``: from its first to its last matched letter;
        None when fewer than half of its letters match."""
        first, last = bisect_left(self._source, start), bisect_left(self._source, end)
        matched = [self._pairs[index] for index in range(first, last) if index in self._pairs]
        if not matched or len(matched) * 2 < last - first:
            return None
        return self._target[matched[0]], self._target[matched[-1]] + 1


def find_passage(page: str, passage: str) -> tuple[int, int] | None:
    """Where ``passage`` (a quote) lies in ``page``, whatever the spacing of either."""
    return TextMap(passage, page).span(0, len(passage)) if passage.strip() else None
