"""Small fakes that implement the real interfaces: an embedder and document makers (the runtime
double is ``tests.fake_runtime.FakeRuntime``)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.jobs import CancelFn, check_cancelled, never_cancel
from rag.chunking import count_words

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Bag of hashed words: texts sharing words are similar, unrelated texts are not."""

    dimension = 64
    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return count_words(texts)

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        check_cancelled(cancel)
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                vectors[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
            if not vectors[row].any():
                vectors[row, 0] = 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def write_pdf(path: Path, pages: Sequence[str], *, user_password: str | None = None,
              owner_password: str | None = None, font_size: int = 11,
              line_height: float = 6) -> Path:
    """A real text PDF (fpdf2, core font), one page per text, optionally encrypted with pypdf."""
    from fpdf import FPDF

    document = FPDF()
    document.set_font("Helvetica", size=font_size)
    for text in pages:
        document.add_page()
        document.multi_cell(0, line_height, text)
    document.output(str(path))
    if user_password is not None or owner_password is not None:
        from pypdf import PdfReader, PdfWriter
        from pypdf.constants import UserAccessPermissions

        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(user_password or "", owner_password or "owner-secret",
                       permissions_flag=UserAccessPermissions(0), algorithm="AES-256")
        writer.write(path)
    return path


def write_docx(path: Path, paragraphs: Sequence[str]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path
