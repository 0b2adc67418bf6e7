"""Texts cut into windows for the analyzer, and the error for texts that cannot be analysed
(shared by :mod:`app.privacy.analyzer` and its worker pool)."""

from __future__ import annotations

import regex

from app.privacy.findings import Finding
from core.errors import InputError

WINDOW_CHARS = 20_000
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

Piece = tuple[int, str]  # offset in the original text, text
Window = tuple[int, int, str]  # index of the text, offset in it, window text


class UnanalysableTexts(InputError):
    """Some texts of a batch could not be analysed; ``results`` holds the findings of the
    others (None for the failed ones), ``failures`` the reason per failed text."""

    def __init__(self, results: list[list[Finding] | None], failures: dict[int, str]) -> None:
        first = min(failures)
        super().__init__(
            f"Personal data could not be checked in {len(failures)} of {len(results)} texts "
            f"(text {first + 1}: {failures[first]}); nothing was redacted or stored for them.")
        self.results, self.failures = results, failures


def split_text(text: str, size: int = WINDOW_CHARS) -> list[Piece]:
    """Consecutive pieces of at most ``size`` characters, cut at the strongest break found in
    the last fifth of each window (a hard cut only when there is none)."""
    pieces: list[Piece] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            end = _break_before(text, start + size * 4 // 5, end)
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _break_before(text: str, low: int, high: int) -> int:
    for mark in _BREAKS:
        found = text.rfind(mark, low, high)
        if found != -1:
            return found + len(mark)
    return high


def clean_for_analysis(text: str) -> str:
    """Control characters (binary-looking input) become spaces; offsets do not move."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    return _CONTROL.sub(" ", text)


def describe_failure(error: BaseException) -> str:
    """A short reason for a text that could not be analysed (no text content in it)."""
    kind = "not text" if isinstance(error, TypeError) else "unexpected error"
    return f"{kind}: {type(error).__name__}"
