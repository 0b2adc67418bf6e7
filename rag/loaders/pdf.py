"""PDF, page by page with pypdf. Empty-password and permissions-only encryption are read as is.

Pages without a usable text layer (scans, or text in a broken font encoding) are rendered with
pdfium and read by OCR (:mod:`rag.ocr`); their words keep their boxes on the page image."""

from __future__ import annotations

import io
import logging
import unicodedata
from pathlib import Path
from typing import Any

from rag.documents import LoadedDocument, Page, content_hash, normalise_text
from rag.errors import CorruptFile, DocumentRefused, NoTextFound, PasswordRequired, WrongPassword
from rag.ocr.reader import OcrContext
from rag.ocr.scan import PageScan, unreadable_note

log = logging.getLogger(__name__)

# Characters SASLprep (RFC 4013) maps to nothing; AES-256 PDFs hash the prepared password.
_MAPPED_TO_NOTHING = dict.fromkeys(
    map(ord, "\u00ad\u034f\u1806\u180b\u180c\u180d\u200b\u200c\u200d\u2060\ufeff"), None
)


def load_pdf(path: Path, data: bytes, password: str | None = None,
             ocr: OcrContext | None = None) -> LoadedDocument:
    reader = _open(path, data)
    if reader.is_encrypted:
        _decrypt(reader, path, password)
    pages, notes = _extract_pages(reader, path)
    pages, scans = _read_scanned_pages(path, data, password, pages, ocr or OcrContext())
    unreadable = unreadable_note(scans)
    if not any(page.text for page in pages):
        what = (f"OCR of its {len(scans)} scanned page(s) found {unreadable}" if scans
                else f"its {len(pages)} page(s) are blank, with no text and no image")
        raise NoTextFound(f"{path.name}: no text found ({what}).")
    if scans:
        notes += (f"read by OCR: {len(scans)} page(s)",) + ((unreadable,) if unreadable else ())
    return LoadedDocument(path, "pdf", tuple(pages), title=_title(reader, path), notes=notes)


def _read_scanned_pages(path: Path, data: bytes, password: str | None, pages: list[Page],
                        ocr: OcrContext) -> tuple[list[Page], dict[int, PageScan]]:
    """``pages`` with those lacking a usable text layer read by OCR, and what OCR found."""
    from rag.ocr.render import image_coverage, open_pdf, render_page
    from rag.ocr.textlayer import needs_ocr

    if all(page.text and len(page.text) >= 2000 for page in pages):
        return pages, {}  # long text on every page: no scan to look for (and no pdfium cost)
    try:
        document = open_pdf(data, path.name, _password_variants(password or ""))
    except DocumentRefused:
        if any(page.text for page in pages):
            return pages, {}  # the text layer stands; only its page images are out of reach
        raise
    def wants_ocr(page: Page) -> bool:
        try:
            return needs_ocr(page.text, image_coverage(document, page.number - 1))
        except DocumentRefused:  # pdfium cannot load this page: its text layer is all there is
            return False

    wanted = [page.number for page in pages if wants_ocr(page)]
    if not wanted:
        return pages, {}
    dpi = ocr.reader.dpi
    renders = [(number, lambda index=number - 1: render_page(document, index, dpi))
               for number in wanted]
    scans = ocr.read(content_hash(data), renders)
    return [_ocr_or_layer(page, scans.get(page.number)) for page in pages], scans


def _ocr_or_layer(page: Page, scan: PageScan | None) -> Page:
    """The OCR'd text when OCR read the page reliably; else whatever text layer it has."""
    if scan is None or not scan.usable_text:
        return page
    return Page(page.number, scan.usable_text, scan)


def _open(path: Path, data: bytes) -> Any:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not for users
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if not reader.is_encrypted:
            _ = len(reader.pages)
        return reader
    except Exception as error:  # pypdf raises many types on broken files
        message = f"{path.name}: the PDF is damaged and cannot be read ({_brief(error)})."
        raise CorruptFile(message) from None


def _decrypt(reader: Any, path: Path, password: str | None) -> None:
    for candidate in _password_variants(password or ""):
        try:
            if reader.decrypt(candidate):
                return
        except NotImplementedError as error:
            raise CorruptFile(f"{path.name}: unsupported PDF encryption ({error}).") from None
        except Exception as error:
            log.debug("decrypt attempt failed for %s: %s", path, error)
    if _content_not_encrypted(reader):
        return
    if password:
        raise WrongPassword(f"{path.name}: the password given does not open this PDF.")
    raise PasswordRequired(
        f"{path.name}: this PDF is protected by a password; give it with --password "
        "(or in the password field) to index it."
    )


def _content_not_encrypted(reader: Any) -> bool:
    """Some files encrypt only their attachments (/StmF and /StrF /Identity): pages read as is."""
    try:
        encryption = reader.trailer["/Encrypt"].get_object()
        identity = all(encryption.get(key, "/Identity") == "/Identity"
                       for key in ("/StmF", "/StrF"))
    except Exception as error:
        log.info("encryption dictionary unreadable, treating the content as encrypted: %s",
                 error)
        return False
    if identity and int(encryption.get("/V", 0)) >= 4:
        reader._encryption = None  # pypdf has no public switch for this case
        return True
    return False


def _password_variants(password: str) -> list[str | bytes]:
    prepared = unicodedata.normalize("NFKC", password.translate(_MAPPED_TO_NOTHING))
    variants: list[str | bytes] = [password, prepared]
    for text in (password, prepared):
        for encoding in ("utf-8", "latin-1"):
            try:
                variants.append(text.encode(encoding))
            except UnicodeEncodeError:
                continue
    unique: list[str | bytes] = []
    for variant in variants:
        if variant not in unique:
            unique.append(variant)
    return unique


def _extract_pages(reader: Any, path: Path) -> tuple[list[Page], tuple[str, ...]]:
    try:
        count = len(reader.pages)
    except Exception as error:
        raise CorruptFile(f"{path.name}: the PDF's page tree is damaged ({_brief(error)}).") \
            from None
    if count == 0:
        raise CorruptFile(f"{path.name}: the PDF has no pages.")
    pages, failed = [], []
    for index in range(count):
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception as error:  # one bad page must not lose the others
            log.info("page %d of %s unreadable: %s", index + 1, path, error)
            text = ""
            failed.append(index + 1)
        pages.append(Page(index + 1, normalise_text(text)))
    if failed and len(failed) == count:
        raise CorruptFile(f"{path.name}: no page of this PDF could be read.")
    notes = (f"pages not readable: {_ranges(failed)}",) if failed else ()
    return pages, notes


def extract_page(data: bytes, number: int, password: str | None = None) -> str:
    """The text of one page (1-based), extracted exactly as at ingest time."""
    reader = _open(Path("document.pdf"), data)
    if reader.is_encrypted:
        _decrypt(reader, Path("document.pdf"), password)
    return normalise_text(reader.pages[number - 1].extract_text() or "")


def _title(reader: Any, path: Path) -> str:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception as error:
        log.info("PDF metadata unreadable, using the file name as title: %s", error)
        title = None
    return str(title).strip() if title else path.stem


def _brief(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers[:10]) + ("..." if len(numbers) > 10 else "")
