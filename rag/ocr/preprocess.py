"""Page images made ready for OCR: greyscale, and speckle removed from noisy scans.

Grain or fax speckle gives Tesseract thousands of specks to consider: a noisy 300 dpi page took
over 10 minutes, and 7 s with a 3x3 median filter at the same CER as the clean page. The filter
thins small print on clean pages (CER 0.1% -> 12% on one contract page), so it runs only on
noisy pages. Noise is the mean change the filter makes: 0.2-4.7 grey levels on clean renders
at 200-300 dpi, 9.4-11.8 with scanner-like noise (tests/bench/eval_ocr.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL.Image import Image

NOISY = 7.0  # mean grey-level change made by the median filter
BLANK_RANGE = 24  # grey levels between a page's darkest and lightest pixel when nothing is on it


def prepare(image: Image) -> Image:
    from PIL import ImageFilter

    grey = image if image.mode == "L" else image.convert("L")
    filtered = grey.filter(ImageFilter.MedianFilter(3))
    return filtered if noise_level(grey, filtered) > NOISY else grey


def noise_level(image: Image, filtered: Image) -> float:
    before = np.asarray(image, dtype=np.int16)
    after = np.asarray(filtered, dtype=np.int16)
    return float(np.mean(np.abs(before - after)))


def is_blank(image: Image) -> bool:
    """Nothing drawn at all: an empty page, or an image the renderer could not decode."""
    pixels = np.asarray(image if image.mode == "L" else image.convert("L"))
    return int(pixels.max()) - int(pixels.min()) < BLANK_RANGE
