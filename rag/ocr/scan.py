"""What OCR found on one page image: words with boxes and confidences, and the page text built
from them. Plain data (no imaging library), so the store and the loaders can share it.

Boxes are in pixels of the page image OCR read, at ``dpi``; ``start`` is each word's offset in
the page text, so a cited character span maps back to boxes on the image (highlighting,
redaction).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

# Mean word confidence (Tesseract's 0-100 scale) under which a page is a "low-quality scan":
# on clean 300 dpi pages the mean is 90-96; noisy faxes fall to the 60s before text degrades.
LOW_CONFIDENCE = 60.0
# Under this the words are noise (a photo, coloured boxes, a script other than English): the
# page keeps no text rather than index garbage. Measured on the shared scans: 11-31 for those.
UNREADABLE_CONFIDENCE = 35.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u00a0\s]+")

Box = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: Box
    confidence: float
    start: int = 0  # offset of the word in the page text
    line: tuple[int, int, int] = (0, 0, 0)  # block, paragraph, line: the reading order

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class PageScan:
    width: int
    height: int
    dpi: int
    words: tuple[OcrWord, ...] = field(default_factory=tuple)
    engine: str = ""
    note: str = ""  # why OCR could not read the page, when the engine could tell

    @property
    def text(self) -> str:
        return page_text(self.words)

    @property
    def confidence(self) -> float:
        """Mean word confidence weighted by word length; 0 when nothing was read."""
        total = sum(len(word.text) for word in self.words)
        if not total:
            return 0.0
        return sum(word.confidence * len(word.text) for word in self.words) / total

    @property
    def low_quality(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def readable(self) -> bool:
        return bool(self.words) and self.confidence >= UNREADABLE_CONFIDENCE

    @property
    def usable_text(self) -> str:
        """The text to index: empty when the page is unreadable."""
        return self.text if self.readable else ""

    def boxes_for(self, start: int, end: int) -> list[Box]:
        """Boxes of the words overlapping the character span [start, end) of the page text."""
        return [word.box for word in self.words if word.start < end and word.end > start]

    def without_words(self) -> PageScan:
        """The page's measurements only: for stores that must not keep the words themselves."""
        return replace(self, words=())

    def to_json(self) -> str:
        words = [[w.text, *w.box, w.confidence, w.start, *w.line] for w in self.words]
        return json.dumps({"width": self.width, "height": self.height, "dpi": self.dpi,
                           "engine": self.engine, "note": self.note, "words": words},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PageScan:
        data = json.loads(text)
        words = tuple(OcrWord(row[0], (row[1], row[2], row[3], row[4]), row[5], row[6],
                              (row[7], row[8], row[9])) for row in data["words"])
        return cls(data["width"], data["height"], data["dpi"], words, data.get("engine", ""),
                   data.get("note", ""))


def clean_word(text: str) -> str:
    """A word as the page text holds it: no spaces or control characters inside."""
    return _CONTROL.sub("", text)


def layout_words(words: Iterable[OcrWord]) -> tuple[OcrWord, ...]:
    """The words in reading order with their offsets in :func:`page_text`'s text set."""
    placed: list[OcrWord] = []
    position, previous = 0, None
    for word in words:
        if not word.text:
            continue
        if previous is not None:
            position += len(_separator(previous, word.line))
        placed.append(replace(word, start=position))
        position += len(word.text)
        previous = word.line
    return tuple(placed)


def page_text(words: Sequence[OcrWord]) -> str:
    """Words joined by spaces, lines by a newline, paragraphs by a blank line. The text is
    already in :func:`rag.documents.normalise_text` form, so offsets survive normalising."""
    parts: list[str] = []
    previous = None
    for word in words:
        if previous is not None:
            parts.append(_separator(previous, word.line))
        parts.append(word.text)
        previous = word.line
    return "".join(parts)


def _separator(previous: tuple[int, int, int], line: tuple[int, int, int]) -> str:
    if previous[:2] != line[:2]:
        return "\n\n"
    return " " if previous == line else "\n"


def unreadable_note(scans: dict[int, PageScan]) -> str:
    """Why OCR gave no text, page by page: no words at all, or words too unsure to keep, with
    what the engine could tell of the page (a blank image, a script other than Latin...)."""
    blank = {number: scan for number, scan in sorted(scans.items()) if not scan.words}
    unsure = {number: scan for number, scan in sorted(scans.items())
              if scan.words and not scan.readable}
    parts = []
    if blank:
        parts.append(f"no text at all on page(s) {_listed([str(n) for n in blank])}"
                     + _why(blank.values(), ""))
    if unsure:
        pages = [f"{number} ({scan.confidence:.0f}%)" for number, scan in unsure.items()]
        parts.append(f"only unreliable text on page(s) {_listed(pages)} (mean confidence)"
                     + _why(unsure.values(), "a picture, a damaged scan or a language other "
                                             "than English"))
    return "; ".join(parts)


def _why(scans: Iterable[PageScan], otherwise: str) -> str:
    notes = sorted({scan.note for scan in scans if scan.note})
    reason = "; ".join(notes) or otherwise
    return f": {reason}" if reason else ""


def _listed(items: list[str]) -> str:
    return ", ".join(items[:10]) + ("..." if len(items) > 10 else "")
