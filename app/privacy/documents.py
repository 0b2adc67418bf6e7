"""Reading a document as pages of text, for scanning and redaction (.txt, .md, .pdf, .docx).

Our own small reader on pypdf, page by page; the ``rag`` loaders may replace it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.errors import InputError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".csv", ".json", ".log")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str


def read_pages(path: Path) -> list[Page]:
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_pages(path)
    if suffix == ".docx":
        return [Page(1, _docx_text(path))]
    if suffix in TEXT_SUFFIXES or not suffix:
        return [Page(1, path.read_text(encoding="utf-8", errors="replace"))]
    raise InputError(f"Cannot read {path.name}: supported are .txt, .md, .pdf and .docx files.")


def _pdf_pages(path: Path) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{path.name} is password-protected; open it, save an unprotected "
                             "copy, and try again.")
        return [Page(number, page.extract_text() or "")
                for number, page in enumerate(reader.pages, start=1)]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"Cannot read the PDF {path.name}: {error}") from None


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)
