"""Whether a PDF page's text layer is worth keeping or the page must be read from its image.

A page is OCR'd when its text layer is missing or garbage and part of it is an image, or when
a page that is almost all image carries only a few words of text (a scan with a stamped page
number or a scanner's header line).
"""

from __future__ import annotations

import re
import unicodedata

MIN_USABLE_CHARACTERS = 20  # letters and digits
FEW_CHARACTERS = 200  # a page this short and this covered by images is a stamped scan
MOSTLY_IMAGE = 0.5
SOME_IMAGE = 0.05
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWELS = frozenset("aeiouyAEIOUY")


def needs_ocr(text: str, image_coverage: float) -> bool:
    if image_coverage < SOME_IMAGE:
        return False  # no picture to read: a blank page or a page of vector drawing
    if not usable_text(text):
        return True
    return image_coverage >= MOSTLY_IMAGE and _characters(text) < FEW_CHARACTERS


def usable_text(text: str) -> bool:
    """Enough letters, few replacement or private-use characters, and words that read as
    words (a wrong font encoding gives letters without vowels, e.g. "Ÿkh ‹xlfn")."""
    visible = [ch for ch in text if not ch.isspace()]
    if _characters(text) < MIN_USABLE_CHARACTERS:
        return False
    odd = sum(1 for ch in visible if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn"))
    if odd > 0.1 * len(visible):
        return False
    words = _WORD.findall(text)
    latin = [word for word in words if word.isascii()]
    if len(latin) < 10:
        return True  # too few Latin words to judge (and other scripts are not judged)
    with_vowel = sum(1 for word in latin if _VOWELS.intersection(word))
    return with_vowel >= 0.6 * len(latin)


def _characters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())
