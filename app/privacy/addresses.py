"""An address found in part is completed on its own lines.

- Rightwards: the rest of the address's last line, when it holds only capitalised words and
  numbers ("... LEEDS\\n United| Kingdom LS1 4DY").
- Leftwards: a street name written before the house number ("Korvenkatu |14 Suite 2"), one
  or two capitalised words after a locative cue ("at", "to", "on", "address:") or at a line start.
"""

from __future__ import annotations

from dataclasses import replace

import regex

from app.privacy.findings import Finding
from app.privacy.furniture import FURNITURE_WORDS
from app.privacy.recognizers.location import NOT_STREETS

ADDRESS_TYPES = frozenset({"STREET_ADDRESS"})
_REST_OF_LINE = regex.compile(
    r"\G(?:[ ,]+(?:\p{Lu}[\p{L}\d'’.-]*|\d[\d\p{Lu}-]*))+(?=[ \t]*(?:$|[.?!;)]))",
    regex.MULTILINE)
_STREET_BEFORE = regex.compile(
    r"(?:(?i:\b(?:at|to|on|in|address(?:es)?:?|is)[ ])|^[ \t>]*)"
    r"(?P<v>\p{Lu}[\p{L}'’-]+(?:[ ]\p{Lu}[\p{L}'’-]+)?[ ])$", regex.MULTILINE)


def complete_addresses(text: str, findings: list[Finding]) -> list[Finding]:
    spans = sorted((f.start, f.end) for f in findings)
    completed = []
    for finding in findings:
        if finding.entity_type in ADDRESS_TYPES:
            finding = _extended(text, finding, spans)
        completed.append(finding)
    return completed


def _extended(text: str, finding: Finding, spans: list[tuple[int, int]]) -> Finding:
    """The finding grown on either side, never over another finding."""
    start, end = finding.start, finding.end
    if (rest := _REST_OF_LINE.match(text, end)) and _free(spans, end, rest.end()):
        end = rest.end()
    line_start = text.rfind("\n", 0, start) + 1
    before = _STREET_BEFORE.search(text, max(line_start, start - 60), start) \
        if text[start:start + 1].isdigit() else None
    if before and not _structural(before.group("v")) and _free(spans, before.start("v"), start):
        start = before.start("v")
    return replace(finding, start=start, end=end) if (start, end) != (
        finding.start, finding.end) else finding


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return not any(s < end and start < e for s, e in spans)


def _structural(words: str) -> bool:
    """"ARTICLE 1", "Section 4": a reference to a part of the document, not a street."""
    return any(word.casefold() in NOT_STREETS or word.casefold() in FURNITURE_WORDS
               for word in words.split())
