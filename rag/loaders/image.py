"""Images as documents: PNG, JPEG and TIFF (each frame of a multi-page TIFF fax is a page),
read by OCR. Frames are brought to the OCR resolution first: fax TIFFs are 204x98 or 204x196
dpi, and read squashed unless each axis is scaled by its own resolution."""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from rag.documents import LoadedDocument, Page, content_hash
from rag.errors import CorruptFile, NoTextFound, TooLarge
from rag.ocr.reader import OcrContext
from rag.ocr.scan import unreadable_note

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PAGES = 2000
ASSUMED_DPI = 300.0  # what an image that does not say is taken to be


def load_image(path: Path, data: bytes, password: str | None = None,
               ocr: OcrContext | None = None) -> LoadedDocument:
    ocr = ocr or OcrContext()
    count = frame_count(path, data)
    dpi = ocr.reader.dpi
    renders = [(number, lambda index=number - 1: frame_image(path, data, index, dpi))
               for number in range(1, count + 1)]
    scans = ocr.read(content_hash(data), renders)
    pages = tuple(Page(number, scans[number].usable_text, scans[number])
                  for number in sorted(scans))
    unreadable = unreadable_note(scans)
    if not any(page.text for page in pages):
        raise NoTextFound(f"{path.name}: no text found in the image ({unreadable}).")
    notes = (f"read by OCR: {count} page(s)",) + ((unreadable,) if unreadable else ())
    return LoadedDocument(path, "image", pages, title=path.stem, notes=notes)


def _open(path: Path, data: bytes) -> Image:
    from PIL import Image as PilImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PilImage.DecompressionBombWarning)
            image = PilImage.open(io.BytesIO(data))
            image.load()
        return image
    except (PilImage.DecompressionBombError, PilImage.DecompressionBombWarning):
        raise TooLarge(f"{path.name}: the image is too large to read "
                       f"(over {PilImage.MAX_IMAGE_PIXELS:,} pixels).") from None
    except Exception as error:  # Pillow raises many types on damaged files
        raise CorruptFile(f"{path.name}: the image is damaged and cannot be read "
                          f"({str(error)[:160] or type(error).__name__}).") from None


def frame_count(path: Path, data: bytes) -> int:
    image = _open(path, data)
    try:  # counting a TIFF's frames reads every frame's header (found by fuzzing)
        count = int(getattr(image, "n_frames", 1))
    except Exception as error:  # Pillow raises many types, SyntaxError included
        raise CorruptFile(f"{path.name}: the image's pages are damaged and cannot be counted "
                          f"({str(error)[:160] or type(error).__name__}).") from None
    if count > MAX_PAGES:
        raise TooLarge(f"{path.name}: {count} pages is over the {MAX_PAGES}-page limit.")
    return count


def frame_image(path: Path, data: bytes, index: int, dpi: int) -> tuple[Image, int]:
    """Frame ``index`` (0-based) in greyscale at ``dpi`` on both axes, as OCR reads it."""
    image = _open(path, data)
    try:
        image.seek(index)
        frame = image.convert("L")
    except Exception as error:
        raise CorruptFile(f"{path.name}: page {index + 1} of the image is damaged "
                          f"({str(error)[:160] or type(error).__name__}).") from None
    return _to_resolution(frame, image.info.get("dpi"), dpi), dpi


def _to_resolution(frame: Image, stated: object, dpi: int) -> Image:
    """The frame scaled so that both axes have ``dpi`` pixels per inch."""
    x_dpi, y_dpi = _resolution(stated)
    width = max(1, round(frame.width * dpi / x_dpi))
    height = max(1, round(frame.height * dpi / y_dpi))
    if (width, height) == frame.size:
        return frame
    from PIL import Image as PilImage

    return frame.resize((width, height), PilImage.Resampling.LANCZOS)


def _resolution(stated: object) -> tuple[float, float]:
    try:
        x_dpi, y_dpi = (float(value) for value in stated)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return ASSUMED_DPI, ASSUMED_DPI
    if not (math.isfinite(x_dpi) and math.isfinite(y_dpi)):  # a NaN resolution (fuzzing)
        return ASSUMED_DPI, ASSUMED_DPI
    if not (min(x_dpi, y_dpi) >= 50 and 150 <= max(x_dpi, y_dpi) <= 2400):
        return ASSUMED_DPI, ASSUMED_DPI  # 1, 72 or 96 "dpi" in screen images means "unknown"
    return x_dpi, y_dpi
