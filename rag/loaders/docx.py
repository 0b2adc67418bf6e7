"""Word documents with python-docx, after checking the archive is not a zip bomb."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from rag.documents import LoadedDocument, Page, normalise_text
from rag.errors import CorruptFile, NoTextFound, TooLarge

MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 10_000


def check_archive(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as error:  # BadZipFile, or UnicodeDecodeError on a member's name (fuzzing)
        raise CorruptFile(f"{path.name}: the DOCX archive is damaged "
                          f"({str(error)[:160] or type(error).__name__}).") from None
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED_BYTES:
        raise TooLarge(f"{path.name}: refused, it would expand to {total / 2**20:.0f} MB "
                       "(a zip bomb or an unusually large document).")
    if total / packed > MAX_COMPRESSION_RATIO and total > 10 * 1024 * 1024:
        raise TooLarge(f"{path.name}: refused, it is compressed {total // packed}:1, "
                       "which only a zip bomb does.")


def load_docx(path: Path, data: bytes, password: str | None = None) -> LoadedDocument:
    check_archive(path, data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise CorruptFile(f"{path.name}: not a readable Word document ({error}).") from None
    blocks = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = normalise_text("\n\n".join(block for block in blocks if block.strip()))
    if not text:
        raise NoTextFound(f"{path.name}: the Word document has no text.")
    title = document.core_properties.title or path.stem
    return LoadedDocument(path, "docx", (Page(1, text),), title=title)
