"""One font choice for every PDF Enclave writes (redacted copies, contract summaries)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

UNICODE_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
                 Path("C:/Windows/Fonts/arial.ttf"), Path("/Library/Fonts/Arial Unicode.ttf"))
_ASCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


def choose_font(pdf: Any) -> Callable[[str], str]:
    """Set a Unicode TrueType font when the system has one and return an identity encoder;
    else Helvetica, with an encoder that fits text into Latin-1 (typographic quotes made ASCII)."""
    for font in UNICODE_FONTS:
        if font.is_file():
            pdf.add_font("Body", fname=str(font))
            pdf.set_font("Body", size=10)
            return lambda text: text
    pdf.set_font("Helvetica", size=10)
    return lambda text: text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")
