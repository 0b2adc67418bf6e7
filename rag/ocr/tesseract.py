"""Tesseract, the OCR engine, run as its command-line program: one process per page image.

Measured on this 2-core machine (busy, load ~12): on the same 9 CUAD contract pages at 300 dpi,
Tesseract 5.3 read at 3.1% CER (whitespace collapsed, reading order counted) and 0.21 pages/s;
rapidocr-onnxruntime 1.4.4 (PP-OCRv4 models shipped in its wheel) at 26% CER (spaces lost,
lines out of order) and 0.026 pages/s. Tesseract's OpenMP threads made it 5x slower on the busy
machine (0.04 pages/s), so each process is held to one thread (``OMP_THREAD_LIMIT=1``) and the
reader runs two processes at once. tests/bench/eval_ocr.py has the current figures.

The frozen app carries the program, its libraries (``lib/``) and ``eng.traineddata``
(``tessdata/``) under ``_internal/tesseract/`` (installers/tesseract_bundle.py); a development
checkout uses the system package (setup_env.sh).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import Cancelled
from core.jobs import CancelFn, never_cancel
from rag.errors import OcrUnavailable
from rag.ocr.layout import reading_order
from rag.ocr.preprocess import is_blank, prepare
from rag.ocr.scan import OcrWord, PageScan, clean_word, layout_words

if TYPE_CHECKING:
    from PIL.Image import Image

BINARY_VARIABLE = "ENCLAVE_TESSERACT"
BUNDLE_FOLDER = "tesseract"  # inside the frozen app's _internal folder
BUNDLED_LIBRARIES = "lib"  # inside BUNDLE_FOLDER: the program's own libraries
PAGE_TIMEOUT_SECONDS = 600.0  # a page of speckle once took over 10 min (see preprocess)
_POLL_SECONDS = 0.1
BLANK_PAGE = "the page image is blank (empty, or an image that cannot be decoded)"
NO_TEXT_LINES = ("too few characters to make a line of text (a picture, or a scan too damaged "
                 "to read)")
# What we make of Tesseract's output (rag.ocr.layout's order, the notes on unreadable pages):
# part of the cache key, so pages read by an older version are read again.
OUTPUT_VERSION = "v3"


@dataclass(frozen=True)
class TesseractEngine:
    binary: str
    tessdata: Path | None = None  # None: the system package's own
    library_path: Path | None = None  # the frozen app's libraries, for the bundled program
    language: str = "eng"

    @classmethod
    def locate(cls) -> TesseractEngine:
        """The bundled program in a frozen app, else ``$ENCLAVE_TESSERACT``, else the PATH."""
        bundled = _bundled_folder()
        if bundled is not None:
            return cls(str(bundled / "tesseract"), bundled / "tessdata",
                       bundled / BUNDLED_LIBRARIES)
        found = os.environ.get(BINARY_VARIABLE) or shutil.which("tesseract")
        if not found or not Path(found).exists():
            raise OcrUnavailable("OCR is not available: the Tesseract program is not installed "
                                 "(Debian/Ubuntu: apt install tesseract-ocr tesseract-ocr-eng).")
        return cls(found)

    @cached_property
    def identity(self) -> str:
        """Program version, language and reading order: part of every cache key, so an
        upgrade re-reads."""
        completed = self._run(["--version"], b"", never_cancel)
        first = completed.decode("utf-8", "replace").strip().splitlines()
        version = first[0].split()[-1] if first else "?"
        return f"tesseract {version} {self.language} {OUTPUT_VERSION}"

    def recognise(self, image: Image, dpi: int, cancel: CancelFn = never_cancel) -> PageScan:
        prepared = prepare(image)
        if is_blank(prepared):
            return PageScan(image.width, image.height, dpi, (), self.identity, BLANK_PAGE)
        png = png_bytes(prepared)
        words = layout_words(reading_order(self.tesseract_words(png, dpi, cancel)))
        scan = PageScan(image.width, image.height, dpi, words, self.identity)
        if scan.words and not scan.readable:
            return replace(scan, note=self._script_note(png, dpi, cancel))
        return scan

    def tesseract_words(self, png: bytes, dpi: int, cancel: CancelFn = never_cancel
                        ) -> list[OcrWord]:
        """The words of a prepared page image in Tesseract's own order (automatic layout)."""
        arguments = ["stdin", "stdout", "-l", self.language, "--psm", "3", "--dpi", str(dpi),
                     "-c", "tessedit_create_tsv=1", "-c", "tessedit_create_txt=0"]
        return parse_tsv(self._run(arguments, png, cancel).decode("utf-8", "replace"))

    def _script_note(self, png: bytes, dpi: int, cancel: CancelFn) -> str:
        """What Tesseract's script detection (OSD, ``osd.traineddata``) says of a page it could
        not read: another script, or too few characters for any line of text."""
        try:
            output = self._run(["stdin", "stdout", "--psm", "0", "--dpi", str(dpi)], png, cancel)
        except OcrUnavailable as error:
            return NO_TEXT_LINES if "Error during processing" in error.message else ""
        found = re.search(r"^Script: (\w+)", output.decode("utf-8", "replace"), re.MULTILINE)
        if found is None:
            return ""
        if found.group(1) == "Latin":
            return "Latin text too damaged or faint to read"
        return f"text in {found.group(1)} script, which the English OCR model does not read"

    def _environment(self) -> dict[str, str]:
        environment = dict(os.environ, OMP_THREAD_LIMIT="1")
        if self.tessdata is not None:
            environment["TESSDATA_PREFIX"] = str(self.tessdata)
        if self.library_path is not None:
            environment["LD_LIBRARY_PATH"] = str(self.library_path)
        return environment

    def _run(self, arguments: list[str], data: bytes, cancel: CancelFn) -> bytes:
        # The image goes in through a file: communicate() with a timeout stops writing a pipe
        # after its first timeout, which hangs on images larger than the pipe buffer.
        with tempfile.TemporaryFile() as image_file:
            image_file.write(data)
            image_file.seek(0)
            try:
                process = subprocess.Popen([self.binary, *arguments], stdin=image_file,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           env=self._environment())
            except OSError as error:
                raise OcrUnavailable(f"OCR is not available: {self.binary} cannot be started "
                                     f"({error.strerror or error}).") from None
            output, errors = _communicate(process, cancel)
        if process.returncode != 0:
            message = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
            raise OcrUnavailable(f"OCR failed on this page ({message[0][:200]}).")
        return output


def png_bytes(image: Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _communicate(process: subprocess.Popen[bytes], cancel: CancelFn) -> tuple[bytes, bytes]:
    """Like ``communicate`` but the process is killed once ``cancel()`` says so."""
    deadline = time.monotonic() + PAGE_TIMEOUT_SECONDS
    while True:
        try:
            return process.communicate(timeout=_POLL_SECONDS)
        except subprocess.TimeoutExpired:
            if cancel() or time.monotonic() > deadline:
                process.kill()
                process.communicate()
                if cancel():
                    raise Cancelled() from None
                raise OcrUnavailable("OCR gave up on a page after 10 minutes.") from None


def parse_tsv(text: str) -> list[OcrWord]:
    """Tesseract's TSV: one row per layout element; level 5 rows are words."""
    words = []
    for row in csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        word = clean_word(row.get("text") or "")
        confidence = round(float(row.get("conf") or -1), 1)
        if not word or confidence < 0:
            continue
        left, top = int(row["left"]), int(row["top"])
        box = (left, top, left + int(row["width"]), top + int(row["height"]))
        line = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        words.append(OcrWord(word, box, confidence, 0, line))
    return _join_at_signs(words)


def _join_at_signs(words: list[OcrWord]) -> list[OcrWord]:
    """Tesseract often reads "name@host.com" as "name @ host.com"; the parts are one word
    (else e-mail addresses escape PII detection on scans)."""
    joined: list[OcrWord] = []
    for word in words:
        previous = joined[-1] if joined else None
        if previous is not None and previous.line == word.line and (
                previous.text.endswith("@") or word.text.startswith("@")):
            box = (min(previous.box[0], word.box[0]), min(previous.box[1], word.box[1]),
                   max(previous.box[2], word.box[2]), max(previous.box[3], word.box[3]))
            joined[-1] = OcrWord(previous.text + word.text, box,
                                 min(previous.confidence, word.confidence), 0, word.line)
        else:
            joined.append(word)
    return joined


def _bundled_folder() -> Path | None:
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / BUNDLE_FOLDER
    return folder if (folder / "tesseract").exists() else None
