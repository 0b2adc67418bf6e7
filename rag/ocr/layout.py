"""Reading order from word boxes: words of narrow side blocks join the line beside them, and
dot leaders are no words.

Tesseract's automatic layout (page segmentation mode 3) makes a separate block of any column of
short items: the numbers and letters of a hanging list ("10.", "b)"), the page numbers of a
table of contents, a right-aligned amount column. Read block by block, all the markers come
before or after the text they belong to ("10. 11. 12. Term ... Renewal ..."). A block that is
narrow and holds only short lines is such a column; each of its lines is put into the line of
a wide block that it shares a row with (vertical overlap), in left-to-right order. Real text
columns (a two-column page, a sidebar of sentences) are wide or have long lines, and keep
Tesseract's order.

Dot leaders (a table of contents' "Definitions ........ 3") come out of Tesseract as "words"
such as "eee" or "tee" at confidences of 0-36, with boxes 4 px tall where the page's words are
18-23 px (CUAD, 300 dpi): flat and unsure, they are dropped. A real short word ("a", "-", ",")
is either taller or read with confidence. Measured in tests/bench/eval_ocr.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rag.ocr.scan import OcrWord

NARROW_SHARE = 0.25  # of the page's text width
SHORT_LINE_WORDS = 3  # a side column's lines hold at most this many words
MIN_ROW_OVERLAP = 0.5  # of the smaller line's height, to share a row
LEADER_HEIGHT_SHARE = 0.4  # of the page's median word height
LEADER_CONFIDENCE = 50.0

Line = tuple[int, int, int]


def reading_order(words: Sequence[OcrWord]) -> list[OcrWord]:
    """``words`` in Tesseract's order, with the lines of narrow side blocks merged into the
    lines of wide blocks beside them; merged words take the wide line's ``line`` key."""
    words = without_leaders(words)
    lines = _lines(words)
    side = _side_blocks(lines)
    if not side:
        return list(words)
    main = {key: members for key, members in lines.items() if key[0] not in side}
    order = list(lines)
    for key in [key for key in order if key[0] in side]:
        partner = _row_partner(lines[key], main)
        if partner is not None:
            main[partner] = main[partner] + [replace(w, line=partner) for w in lines[key]]
            order.remove(key)
    return [word for key in order
            for word in sorted(main.get(key, lines[key]), key=lambda w: w.box[0])]


def without_leaders(words: Sequence[OcrWord]) -> list[OcrWord]:
    """``words`` but the flat, unsure ones: dots of a leader read as letters."""
    heights = sorted(word.box[3] - word.box[1] for word in words)
    if not heights:
        return []
    flat = LEADER_HEIGHT_SHARE * heights[len(heights) // 2]
    return [word for word in words
            if word.box[3] - word.box[1] >= flat or word.confidence >= LEADER_CONFIDENCE]


def _lines(words: Sequence[OcrWord]) -> dict[Line, list[OcrWord]]:
    lines: dict[Line, list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return lines


def _side_blocks(lines: dict[Line, list[OcrWord]]) -> set[int]:
    blocks: dict[int, list[list[OcrWord]]] = {}
    for key, members in lines.items():
        blocks.setdefault(key[0], []).append(members)
    if len(blocks) < 2:
        return set()
    left = min(w.box[0] for members in lines.values() for w in members)
    right = max(w.box[2] for members in lines.values() for w in members)
    limit = NARROW_SHARE * max(right - left, 1)
    return {block for block, block_lines in blocks.items()
            if _width(block_lines) < limit
            and all(len(members) <= SHORT_LINE_WORDS for members in block_lines)}


def _width(block_lines: list[list[OcrWord]]) -> int:
    words = [w for members in block_lines for w in members]
    return max(w.box[2] for w in words) - min(w.box[0] for w in words)


def _row_partner(members: list[OcrWord], main: dict[Line, list[OcrWord]]) -> Line | None:
    """The wide line sharing the most height with ``members``, if it shares enough."""
    top, bottom = _span(members)
    best, best_overlap = None, 0.0
    for key, others in main.items():
        other_top, other_bottom = _span(others)
        overlap = min(bottom, other_bottom) - max(top, other_top)
        needed = MIN_ROW_OVERLAP * min(bottom - top, other_bottom - other_top)
        if overlap > max(needed, best_overlap):
            best, best_overlap = key, overlap
    return best


def _span(members: list[OcrWord]) -> tuple[int, int]:
    return min(w.box[1] for w in members), max(w.box[3] for w in members)
