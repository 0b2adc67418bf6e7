"""Plain text and Markdown, whatever their encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

from rag.documents import LoadedDocument, Page, normalise_text
from rag.errors import NoTextFound

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text and the encoding that produced it: a BOM wins, then strict UTF-8, then a guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guessed = _guess_encoding(data)
    for encoding in ((guessed,) if guessed else ()) + FALLBACK_ENCODINGS[1:]:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"  # pragma: no cover - latin-1 decodes everything


def _guess_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None else None


def load_text(path: Path, data: bytes, password: str | None = None) -> LoadedDocument:
    text, encoding = decode_bytes(data)
    text = normalise_text(text)
    if not text:
        raise NoTextFound(f"{path.name}: the file holds no text.")
    notes = () if encoding.startswith("utf") else (f"decoded as {encoding}",)
    return LoadedDocument(path, "text", (Page(1, text),), title=path.stem, notes=notes)
