"""What the fuzz campaign feeds: one function per document reader, taking the file's bytes,
and the seeds each starts from. A reader passes when it returns or refuses the input with the
project's own error and a human message (:data:`REFUSALS`); anything else, a hang past the
per-input time limit or a memory blow-up past the process limit is a crasher.

Scanned pages are rendered (pdfium, the page-image code) but not sent to Tesseract: OCR of
every mutant would cost a second each and finds nothing about the reader.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.errors import EnclaveError, ModelError
from rag.errors import DocumentRefused

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdfs"
SEED_PDF_MAX_BYTES = 64 * 1024  # larger seeds make each execution slow
REFUSALS: tuple[type[EnclaveError], ...] = (DocumentRefused, ModelError)
Target = Callable[[bytes], Any]


class _RenderOnly:
    """An OCR reader that renders each page as OCR would, at a low resolution, and reads
    nothing from it."""

    dpi = 36

    def read(self, source_hash: str, pages: Any, **_: Any) -> dict[int, Any]:
        for _number, render in pages[:3]:
            render()
        return {}


def _storable(document: Any) -> Any:
    """A loaded document's text and title must be storable (UTF-8 encodable: no lone
    surrogates from undecodable bytes); UnicodeEncodeError here is a crasher."""
    for text in (document.title, *(page.text for page in document.pages)):
        text.encode("utf-8")
    return document


def _pdf(data: bytes) -> Any:
    from rag.loaders.pdf import load_pdf
    from rag.ocr.reader import OcrContext

    return _storable(load_pdf(Path("fuzz.pdf"), data, None, OcrContext(_RenderOnly())))  # type: ignore[arg-type]


def _docx(data: bytes) -> Any:
    from rag.loaders.docx import load_docx

    return _storable(load_docx(Path("fuzz.docx"), data))


def _html(data: bytes) -> Any:
    from rag.loaders.html import load_html

    return _storable(load_html(Path("fuzz.html"), data))


def _email(data: bytes) -> Any:
    from rag.loaders.email import load_email

    return _storable(load_email(Path("fuzz.eml"), data))


def _text(data: bytes) -> Any:
    from rag.loaders import load_bytes

    return _storable(load_bytes(Path("fuzz.txt"), data))


def _image(data: bytes) -> Any:
    from rag.loaders.image import frame_count, frame_image

    path = Path("fuzz.tiff")
    return [frame_image(path, data, index, 36) for index in range(min(2, frame_count(path, data)))]


def _through_file(read: Callable[[Path], Any], suffix: str) -> Target:
    """The GGUF readers take a path: the bytes are written to a temporary file first."""
    def target(data: bytes) -> Any:
        with tempfile.NamedTemporaryFile(suffix=suffix) as stream:
            stream.write(data)
            stream.flush()
            return read(Path(stream.name))
    return target


def _gguf_reader(path: Path) -> Any:
    from models.gguf_info import read_gguf_metadata

    return read_gguf_metadata(path)


def _adapter_reader(path: Path) -> Any:
    from models.lora_gguf import read_adapter_metadata

    return read_adapter_metadata(path)


TARGETS: dict[str, Target] = {
    "pdf": _pdf, "docx": _docx, "html": _html, "email": _email, "text": _text,
    "image": _image, "gguf": _through_file(_gguf_reader, ".gguf"),
    "adapter": _through_file(_adapter_reader, ".gguf"),
}
# Modules the coverage-guided fuzzer imports instrumented for each target, and the packages
# instrumentation is limited to (not everything they import: cryptography alone took minutes).
INSTRUMENTED: dict[str, tuple[str, ...]] = {
    "pdf": ("pypdf", "rag.loaders.pdf", "rag.ocr.render", "rag.ocr.textlayer"),
    "docx": ("docx", "rag.loaders.docx"), "html": ("html.parser", "rag.loaders.html"),
    "email": ("email", "rag.loaders.email"), "text": ("rag.loaders", "rag.documents"),
    "image": ("PIL.Image", "PIL.TiffImagePlugin", "rag.loaders.image"),
    "gguf": ("models.gguf_info",), "adapter": ("models.lora_gguf", "models.gguf_info"),
}
INSTRUMENTED_PACKAGES: dict[str, list[str]] = {
    "pdf": ["pypdf", "rag"], "docx": ["docx", "rag"], "html": ["html", "_markupbase", "rag"],
    "email": ["email", "rag"], "text": ["rag"], "image": ["PIL", "rag"], "gguf": ["models"],
    "adapter": ["models"],
}
# Shares of the campaign's budget: the PDF reader is the largest and slowest per input.
WEIGHTS = {"pdf": 3.0, "text": 0.5}


def seeds(target: str) -> Iterator[bytes]:
    yield from _SEEDS[target]()


def _pdf_seeds() -> Iterator[bytes]:
    for folder in (SHARED / "hard", SHARED / "pypdf-samples"):
        for path in sorted(folder.rglob("*.pdf")):
            if path.stat().st_size <= SEED_PDF_MAX_BYTES:
                yield path.read_bytes()
    from tests.rag.fakes import write_pdf

    with tempfile.TemporaryDirectory() as made:
        yield write_pdf(Path(made) / "a.pdf", ["Payment within 30 days.", "Governing law."]) \
            .read_bytes()
        yield write_pdf(Path(made) / "b.pdf", ["Secret."], user_password="pw").read_bytes()


def _docx_seeds() -> Iterator[bytes]:
    import docx

    document = docx.Document()
    document.add_heading("Services Agreement", 1)
    document.add_paragraph("The Supplier shall deliver within thirty (30) days.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "Fee", "$1,200"
    stream = io.BytesIO()
    document.save(stream)
    yield stream.getvalue()


def _html_seeds() -> Iterator[bytes]:
    yield (b"<!doctype html><html><head><title>Policy</title><style>p{}</style></head><body>"
           b"<h1>Privacy</h1><p>We keep data for <b>90 days</b>.</p><table><tr><td>a</td>"
           b"<td>b</td></tr></table><script>x()</script><ul><li>one<li>two</ul></body></html>")
    yield "<p>Caf\u00e9 &amp; r\u00e9sum\u00e9 &#169; <br/>line</p>".encode("cp1252")


def _email_seeds() -> Iterator[bytes]:
    yield (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Renewal\r\n"
           b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@x>\r\n\r\n"
           b"The agreement renews on 1 March.\r\n")
    yield (b"From: a@example.org\nSubject: =?utf-8?q?Caf=C3=A9?=\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/alternative; boundary=XX\n\n--XX\n"
           b"Content-Type: text/plain; charset=latin-1\nContent-Transfer-Encoding: "
           b"quoted-printable\n\nCaf=E9 terms=\n continue.\n--XX\nContent-Type: text/html\n"
           b"Content-Transfer-Encoding: base64\n\nPHA+SGVsbG88L3A+\n--XX--\n")


def _text_seeds() -> Iterator[bytes]:
    yield "Clause 1. Payment.\r\n\r\n\tClause 2 \u2014 Term.\n".encode()
    yield "\ufeffUTF-8 with BOM".encode()
    yield "Zahlung f\u00e4llig".encode("utf-16")


def _image_seeds() -> Iterator[bytes]:
    from PIL import Image, ImageDraw

    image = Image.new("L", (48, 24), 255)
    ImageDraw.Draw(image).text((2, 6), "Fee", fill=0)
    for kind, options in (("PNG", {}), ("JPEG", {"quality": 50}),
                          ("TIFF", {"compression": "group4", "dpi": (204, 98)})):
        stream = io.BytesIO()
        source = image.convert("1") if kind == "TIFF" else image
        source.save(stream, kind, **options)
        yield stream.getvalue()
    stream = io.BytesIO()
    image.save(stream, "TIFF", save_all=True, append_images=[image.rotate(90)])
    yield stream.getvalue()


def _gguf_seeds() -> Iterator[bytes]:
    import gguf
    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tiny.gguf"
        writer = gguf.GGUFWriter(str(path), "llama")
        writer.add_name("tiny")
        writer.add_context_length(2048)
        writer.add_chat_template("{{ messages[0]['content'] }}")
        writer.add_tensor("token_embd.weight", np.ones((4, 8), dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        yield path.read_bytes()


def _adapter_seeds() -> Iterator[bytes]:
    import numpy as np

    from models.lora_gguf import write_lora_gguf

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "adapter.gguf"
        write_lora_gguf(path, "gemma3", {"blk.0.attn_q.weight": (np.ones((2, 8)),
                                                                  np.ones((8, 2)))},
                        alpha=2.0, name="tiny", base_name="base")
        yield path.read_bytes()


_SEEDS: dict[str, Callable[[], Iterator[bytes]]] = {
    "pdf": _pdf_seeds, "docx": _docx_seeds, "html": _html_seeds, "email": _email_seeds,
    "text": _text_seeds, "image": _image_seeds, "gguf": _gguf_seeds, "adapter": _adapter_seeds,
}
