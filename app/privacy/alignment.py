"""Where a passage of a redacted page lies in the original page (light: no Presidio, so the
review pane may call it on the Qt thread)."""

from __future__ import annotations

import regex

from app.privacy.anonymize import REDACTED

_REPLACED = regex.compile(rf"<[A-Z_]+(?:_\d+)?>|{regex.escape(REDACTED)}")


def original_span(redacted: str, original: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``redacted[start:end]`` lies in ``original`` (the text it was redacted from).

    The text between replacements is unchanged, so its pieces are found in order in the
    original; an offset inside a replacement maps to the whole value it replaced. None when
    the texts do not align (the file changed)."""
    anchors = _anchors(redacted, original)
    if anchors is None:
        return None
    return _mapped(anchors, start, at_end=False), _mapped(anchors, end, at_end=True)


Anchor = tuple[int, int, int]  # start in the redacted text, start in the original, length


def _anchors(redacted: str, original: str) -> list[Anchor] | None:
    anchors: list[Anchor] = []
    position, found_at = 0, 0
    for piece in [*_REPLACED.finditer(redacted), None]:
        literal_end = piece.start() if piece is not None else len(redacted)
        literal = redacted[position:literal_end]
        if literal:
            found_at = original.find(literal, found_at)
            if found_at < 0:
                return None
            anchors.append((position, found_at, len(literal)))
            found_at += len(literal)
        if piece is not None:
            position = piece.end()
    return anchors


def _mapped(anchors: list[Anchor], offset: int, *, at_end: bool) -> int:
    """``offset`` of the redacted text in the original: exact inside unchanged text; inside a
    replacement, the start of the value (for a start) or its end (for an end)."""
    previous_end = 0
    for redacted_at, original_at, length in anchors:
        if redacted_at <= offset <= redacted_at + length:
            return original_at + offset - redacted_at
        if offset < redacted_at:
            return original_at if at_end else previous_end
        previous_end = original_at + length
    return previous_end
