"""One entry point, :func:`load_document`, choosing a loader from the file's content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.documents import LoadedDocument
from rag.errors import CorruptFile, EmptyFile, TooLarge, UnsupportedFormat
from rag.loaders.docx import load_docx
from rag.loaders.email import load_email
from rag.loaders.html import load_html
from rag.loaders.image import load_image
from rag.loaders.pdf import load_pdf
from rag.loaders.sniff import SNIFF_BYTES, sniff
from rag.loaders.text import load_text
from rag.ocr.reader import OcrContext

Loader = Callable[[Path, bytes, "str | None"], LoadedDocument]
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_TEXT_MB = 32  # default limit for one text, HTML or e-mail file (the setting rag.max_text_mb)
_TEXT_KINDS = {"text": "text", "html": "HTML", "email": "e-mail"}

LOADERS: dict[str, Loader] = {
    "pdf": load_pdf,
    "docx": load_docx,
    "html": load_html,
    "email": load_email,
    "text": load_text,
}
OcrLoader = Callable[[Path, bytes, "str | None", "OcrContext | None"], LoadedDocument]
OCR_LOADERS: dict[str, OcrLoader] = {"pdf": load_pdf, "image": load_image}

_REFUSED_KINDS = {
    "zip": "a ZIP archive that is not a Word document",
    "binary": "binary data, not a document Enclave can read",
}


def read_bytes(path: Path, *, max_text_mb: int = MAX_TEXT_MB) -> bytes:
    """The file's bytes; a file over the size limit is refused before it is read (a text,
    HTML or e-mail file over ``max_text_mb`` after a look at its first bytes)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TooLarge(f"{path.name}: {size / 2**20:.0f} MB is over the "
                           f"{MAX_FILE_BYTES // 2**20} MB limit for one document.")
        if size > max_text_mb * 2**20:
            _check_text_size(path, size, max_text_mb)
        return path.read_bytes()
    except OSError as error:
        raise CorruptFile(f"{path.name}: cannot be read ({error.strerror or error}).") from None


def _check_text_size(path: Path, size: int, max_text_mb: int) -> None:
    with path.open("rb") as stream:
        kind = sniff(path, stream.read(SNIFF_BYTES))
    if kind in _TEXT_KINDS:
        raise TooLarge(f"{path.name}: {size / 2**20:.0f} MB of {_TEXT_KINDS[kind]} is over the "
                       f"{max_text_mb} MB limit for one text document. Split it, or raise the "
                       "limit: the setting rag.max_text_mb in settings.json.")


def load_bytes(path: Path, data: bytes, password: str | None = None,
               ocr: OcrContext | None = None) -> LoadedDocument:
    """``ocr``: how scanned pages and images are read (cache, progress, cancel); a plain
    uncached reader when None."""
    kind = sniff(path, data[:SNIFF_BYTES])
    if kind == "empty":
        raise EmptyFile(f"{path.name}: the file is empty (0 bytes).")
    if kind in _REFUSED_KINDS:
        raise UnsupportedFormat(f"{path.name}: {_REFUSED_KINDS[kind]}.")
    if kind in OCR_LOADERS:
        return OCR_LOADERS[kind](path, data, password, ocr)
    return LOADERS[kind](path, data, password)


def load_document(path: Path, password: str | None = None,
                  ocr: OcrContext | None = None) -> LoadedDocument:
    path = Path(path)
    return load_bytes(path, read_bytes(path), password, ocr)


__all__ = ["LOADERS", "LoadedDocument", "load_bytes", "load_document", "read_bytes", "sniff"]
