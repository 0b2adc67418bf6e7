"""What a loader produces: the text of each page, with enough to trace any passage back."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.ocr.scan import PageScan

# Only runs that change: a single plain space matched one by one made a list of millions of
# pieces (12x a large text's size in memory, the most of loading time).
_SPACES = re.compile(r"[ \t\f\v\u00a0]{2,}|[\t\f\v\u00a0]")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as a reader would cite it
    text: str
    scan: PageScan | None = None  # set when the text was read from the page image by OCR


@dataclass(frozen=True)
class LoadedDocument:
    path: Path
    kind: str  # "pdf", "docx", "text", "html", "email"
    pages: tuple[Page, ...]
    title: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def page(self, number: int) -> Page:
        for page in self.pages:
            if page.number == number:
                return page
        raise KeyError(number)


def normalise_text(text: str) -> str:
    """One canonical form for extracted text, so re-extraction gives identical offsets."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(block):
            digest.update(chunk)
    return digest.hexdigest()
