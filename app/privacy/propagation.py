"""A name found once is a name everywhere in the same document: other mentions of a detected
person (the full name, or a distinctive part of it such as the surname) are found as well."""

from __future__ import annotations

import regex

from app.privacy.findings import Finding
from app.privacy.wordlists import words

PROPAGATED_SCORE = 0.5
MIN_SOURCE_SCORE = 0.6
_COMMON = words(
    "the and for with from this that will may can new great grand long little young good best "
    "north south east west saint san santa van von der den del della mr mrs ms dr "
)


_WORD = r"\p{Lu}[\p{Ll}'’-]+(?:[ ]\p{Lu}[\p{Ll}'’-]+)?"
_AFTER = regex.compile(rf"\G(?:,[ ]|[ ](?:and|or|&)[ ]|,[ ](?:and|or)[ ])(?P<v>{_WORD})"
                       rf"(?![\p{{L}}\d])")
_BEFORE = regex.compile(rf"(?<![\p{{L}}\d.!?][ ]|^)(?P<v>{_WORD})(?:,[ ]|[ ](?:and|or|&)[ ])$")


def coordinated_names(text: str, findings: list[Finding]) -> list[Finding]:
    """Capitalised words listed with a person found ("Muslija and Brown", "Ann, Bob and Cy")
    are people too: coordination joins words of the same kind."""
    taken = [(f.start, f.end) for f in findings]
    extra: list[Finding] = []
    queue = [f for f in findings if f.entity_type == "PERSON" and f.score >= MIN_SOURCE_SCORE]
    while queue:
        person = queue.pop()
        for start, end in _neighbours_in_list(text, person):
            if _distinctive(text[start:end].split()[0]) and not any(
                    s < end and start < e for s, e in taken):
                found = Finding("PERSON", start, end, PROPAGATED_SCORE, "NameCoordination")
                taken.append((start, end))
                extra.append(found)
                queue.append(found)
    return extra


def _neighbours_in_list(text: str, person: Finding) -> list[tuple[int, int]]:
    spans = []
    if after := _AFTER.match(text, person.end):
        spans.append(after.span("v"))
    if before := _BEFORE.search(text[max(0, person.start - 40):person.start]):
        offset = max(0, person.start - 40)
        spans.append((before.start("v") + offset, before.end("v") + offset))
    return spans


def propagate_names(text: str, findings: list[Finding]) -> list[Finding]:
    """New PERSON findings for uncovered mentions of names already found in ``text``."""
    names = _name_forms(text, findings)
    if not names:
        return []
    pattern = regex.compile(r"(?<![\p{L}\d])(?:" + "|".join(map(regex.escape, names)) +
                            r")(?![\p{L}\d])")
    # Organisation guesses do not block a known name ("everyone calls me Christine").
    taken = sorted((f.start, f.end) for f in findings if f.entity_type != "ORGANIZATION")
    extra = []
    for match in pattern.finditer(text):
        if not any(start < match.end() and match.start() < end for start, end in taken):
            extra.append(Finding("PERSON", match.start(), match.end(), PROPAGATED_SCORE,
                                 "NamePropagation"))
    return extra


def _name_forms(text: str, findings: list[Finding]) -> list[str]:
    """Found names, and their distinctive parts: capitalised, not a common word, and never
    written in lower case in this text ("Agreement" is not a surname in a contract)."""
    lower_words = set(regex.findall(r"(?<![\p{L}])\p{Ll}+(?![\p{L}])", text))
    forms: set[str] = set()
    for finding in findings:
        if finding.entity_type != "PERSON" or finding.score < MIN_SOURCE_SCORE:
            continue
        name = text[finding.start:finding.end].strip()
        if len(name) < 3:
            continue
        forms.add(name)
        forms.update(part for part in name.split()
                     if _distinctive(part) and part.lower() not in lower_words)
    return sorted(forms, key=len, reverse=True)


def _distinctive(part: str) -> bool:
    return len(part) >= 4 and part[0].isupper() and part.casefold() not in _COMMON \
        and part.isalpha()
