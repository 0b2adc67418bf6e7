"""HTML for one page of text: personal data coloured by type, a cited passage marked.

Plain functions (no widgets) so they are tested without a window.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.markdown_text import Layout, layout

# Background colours readable with dark text in both light and dark palettes.
PII_COLOURS: dict[str, str] = {
    "PERSON": "#ffd6a5", "EMAIL_ADDRESS": "#caffbf", "PHONE_NUMBER": "#9bf6ff",
    "LOCATION": "#bdb2ff", "STREET_ADDRESS": "#bdb2ff", "ZIP_CODE": "#d7cfff",
    "DATE_TIME": "#fdffb6", "DATE_OF_BIRTH": "#fdffb6", "US_SSN": "#ffadad",
    "CREDIT_CARD": "#ffadad", "IBAN_CODE": "#ffadad", "US_BANK_NUMBER": "#ffadad",
    "MEDICAL_RECORD_NUMBER": "#ffc6ff", "HEALTH_PLAN_ID": "#ffc6ff", "MEDICARE_MBI": "#ffc6ff",
}
OTHER_COLOUR = "#e0e0e0"
PASSAGE_COLOUR = "#fff176"


def colour_of(entity_type: str) -> str:
    return PII_COLOURS.get(entity_type, OTHER_COLOUR)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # an entity type, or "PASSAGE"


def page_html(text: str, findings: Sequence[Any] = (),
              passage: tuple[int, int] | None = None, *, markdown: bool = False) -> str:
    """``text`` as HTML with each finding and the passage wrapped in a coloured span;
    ``markdown``: its markup hidden, headings bold, wrapped paragraph lines joined (the
    offsets of the findings stay those of ``text``)."""
    shown = layout(text) if markdown else None
    spans = [Span(f.start, f.end, f.entity_type) for f in findings]
    if passage is not None and 0 <= passage[0] < passage[1] <= len(text):
        spans = [span for span in spans if not _overlap(span, passage)]
        spans.append(Span(passage[0], passage[1], "PASSAGE"))
    pieces, position = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < position:
            continue
        pieces += [_shown(text, position, span.start, shown),
                   _marked(_shown(text, span.start, span.end, shown), span)]
        position = span.end
    pieces.append(_shown(text, position, len(text), shown))
    return f"<div style='white-space: pre-wrap; line-height: 140%'>{''.join(pieces)}</div>"


def _overlap(span: Span, passage: tuple[int, int]) -> bool:
    return span.start < passage[1] and passage[0] < span.end


def _plain(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _shown(text: str, start: int, end: int, shown: Layout | None) -> str:
    """HTML of ``text[start:end]``; with a Markdown layout, markup left out, joined lines
    as spaces and heading text bold (tags opened and closed inside the piece)."""
    if shown is None:
        return _plain(text[start:end])
    out, bold = [], False
    for index in range(start, end):
        if index in shown.hidden:
            continue
        heading = any(first <= index < last for first, last in shown.headings)
        if heading != bold:
            out.append("<b>" if heading else "</b>")
            bold = heading
        char = text[index]
        out.append(" " if index in shown.joins else _plain(char))
    return "".join(out) + ("</b>" if bold else "")


def _marked(shown_html: str, span: Span) -> str:
    if span.kind == "PASSAGE":
        return (f"<a name='passage'></a><span style='background:{PASSAGE_COLOUR}; "
                f"color:#000'>{shown_html}</span>")
    return (f"<span style='background:{colour_of(span.kind)}; color:#000' "
            f"title='{span.kind}'>{shown_html}</span>")


def legend_html(counts: Counter[str]) -> str:
    if not counts:
        return "<span>No personal data found on this page.</span>"
    # A chip never breaks inside ("Date&nbsp;Time 1"); the legend wraps between chips.
    chips = [f"<span style='background:{colour_of(kind)}; color:#000'>&nbsp;"
             f"{_label(kind).replace(' ', '&nbsp;')}"
             f"&nbsp;<b>{count}</b>&nbsp;</span>" for kind, count in counts.most_common()]
    return "&nbsp; ".join(chips)


def _label(entity_type: str) -> str:
    return entity_type.replace("_", " ").title()
