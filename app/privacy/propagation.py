"""A name found once is a name everywhere in the same document: other mentions of a detected
person (the full name, or a distinctive part of it such as the surname) are found as well.

A mention spaCy typed as an organisation or a place gives way to the name ("Adamska" tagged
a place after "directed by Wacława Adamska"). In a text written all in lower case, the parts
of a found name are matched in lower case too.
"""

from __future__ import annotations

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from app.privacy.completion import complete_names
from app.privacy.findings import NER_RECOGNIZERS, Finding
from app.privacy.furniture import is_role
from app.privacy.name_evidence import lower_case_words, with_name_evidence
from app.privacy.recognizers.ner import NOT_ENTITIES
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


def with_names_propagated(text: str, findings: list[Finding]) -> list[Finding]:
    """Persons retyped and found from evidence, completed, then spread to their other mentions
    and to the words listed with them; NER guesses under a new name give way to it."""
    findings = complete_names(text, with_name_evidence(text, findings))
    extra = propagate_names(text, findings)
    extra += coordinated_names(text, findings + extra)
    if not extra:
        return findings
    kept = [f for f in findings if not any(_gives_way(f, e) for e in extra)]
    return sorted(kept + extra, key=lambda f: (f.start, f.end))


def _gives_way(finding: Finding, name: Finding) -> bool:
    return finding.overlaps(name) and (finding.entity_type == "ORGANIZATION" or (
        finding.recognizer in NER_RECOGNIZERS and (finding.start, finding.end) == (
            name.start, name.end)))


def _blocks(text: str, finding: Finding, start: int, end: int) -> bool:
    """Whether an existing finding keeps a name off ``start:end``: organisation guesses never
    do ("everyone calls me Christine"), other NER guesses only where they differ, and never
    for a word in capitals ("MICOA" once tagged a person is no evidence about its others)."""
    if not (finding.start < end and start < finding.end) or \
            finding.entity_type == "ORGANIZATION":
        return False
    return finding.recognizer not in NER_RECOGNIZERS or (finding.start, finding.end) != (
        start, end) or text[start:end].isupper()


def _person_at(finding: Finding, start: int, end: int) -> bool:
    return finding.entity_type == "PERSON" and finding.start < end and start < finding.end


def coordinated_names(text: str, findings: list[Finding]) -> list[Finding]:
    """Capitalised words listed with a person found ("Muslija and Brown", "Ann, Bob and Cy")
    are people too: coordination joins words of the same kind."""
    extra: list[Finding] = []
    queue = [f for f in findings if f.entity_type == "PERSON" and f.score >= MIN_SOURCE_SCORE]
    while queue:
        person = queue.pop()
        for start, end in _neighbours_in_list(text, person):
            if _distinctive(text[start:end].split()[0]) and not is_role(text[start:end]) \
                    and not any(
                    _blocks(text, f, start, end) or _person_at(f, start, end)
                    for f in findings + extra):
                found = Finding("PERSON", start, end, PROPAGATED_SCORE, "NameCoordination")
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
    extra = []
    for start, end in mentions(text, names):
        if not any(_blocks(text, f, start, end) or _person_at(f, start, end) for f in findings):
            extra.append(Finding("PERSON", start, end, PROPAGATED_SCORE,
                                 "NamePropagation"))
    return extra


def mentions(text: str, names: list[str]) -> list[tuple[int, int]]:
    """Where ``names`` (longest first) occur as whole words, scanned left to right without
    overlaps, the longest name winning at a position: what one alternation regex finds, but
    without compiling a regex per document (the regex module compiles in Python: that was a
    fifth of the analysis time of short texts)."""
    candidates: dict[int, int] = {}
    for name in names:
        position = text.find(name)
        while position != -1:
            end = position + len(name)
            if _word_edge(text, position - 1) and _word_edge(text, end) and \
                    candidates.get(position, -1) < end:
                candidates[position] = end
            position = text.find(name, position + 1)
    found, reached = [], 0
    for start in sorted(candidates):
        if start >= reached:
            found.append((start, candidates[start]))
            reached = candidates[start]
    return found


def _word_edge(text: str, index: int) -> bool:
    """Whether the character at ``index`` (outside the text: yes) is no letter or digit."""
    return not 0 <= index < len(text) or not (text[index].isalpha() or text[index].isdecimal())


def _name_forms(text: str, findings: list[Finding]) -> list[str]:
    """Found names, and their distinctive parts: capitalised, not a common word, and never
    written in lower case in this text ("Agreement" is not a surname in a contract)."""
    lower_case_text = text == text.lower()
    lower_words = frozenset() if lower_case_text else lower_case_words(text)
    forms: set[str] = set()
    for finding in findings:
        if finding.entity_type != "PERSON" or finding.score < MIN_SOURCE_SCORE:
            continue
        name = _POSSESSIVE.sub("", text[finding.start:finding.end].strip())
        if len(name) < 3:
            continue
        forms.add(name)
        forms.update(part for part in name.split()
                     if _distinctive(part, lower_case_text) and part.lower() not in lower_words)
    return sorted(forms, key=len, reverse=True)


_POSSESSIVE = regex.compile(r"['’]s?$")


def _distinctive(part: str, lower_case_text: bool = False) -> bool:
    """A part of a name that names the person alone: a capitalised word (any word but a
    stop word in a text without capitals), not a common or a particle word."""
    folded = part.casefold()
    return len(part) >= 4 and (part[0].isupper() or lower_case_text and
                               folded not in STOP_WORDS) \
        and folded not in _COMMON and folded not in NOT_ENTITIES \
        and part.replace("-", "").isalpha()
