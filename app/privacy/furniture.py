"""Document furniture is not a person or an organisation.

spaCy's small model tags capitalised common nouns as names: a contract's defined terms
("Supplier", "Client"), numbered headings ("1. Services"), form titles ("Intake Form"),
cross-references ("Schedule A. Reports"). This step uses the document's own context, not lists
of names:

- *defined terms*: a word the document defines, ``("Supplier")``, ``"Client" means``,
  ``hereinafter "Buyer"``, is a role in that document, wherever it appears (unless it is part of
  a name found in the same document: ``Dana Whitfield ("Whitfield")``);
- *furniture words*: a span holding a word of document structure (form, schedule, section,
  exhibit, report...) is a title or a reference, not a name, whichever recognizer found it
  ("Patient Intake Form" follows the cue "Patient" but is a form title);
- *numbered headings*: what spaCy tags right after a section number at the start of a line,
  and "addresses" that follow a structure word ("ARTICLE 1 DEFINITIONS").
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from app.privacy.findings import NER_RECOGNIZERS, Finding
from app.privacy.wordlists import words

NAME_TYPES = frozenset({"PERSON", "ORGANIZATION"})
NER_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})

FURNITURE_WORDS = words(
    "form forms schedule schedules section sections exhibit exhibits article articles appendix "
    "annex addendum amendment agreement agreements report reports intake questionnaire consent "
    "definitions contents terms conditions notice notices recitals whereas witnesseth "
    "signature signatures statement invoice summary checklist instructions application "
    "authorization authorisation disclosure acknowledgment acknowledgement attachment "
    "clause clauses paragraph subsection table figure chapter"
)
_QUOTED = r"[\"“”']([^\"“”'\n]{2,60})[\"“”']"
_DEFINITION = regex.compile(
    rf"\((?:[^()\n]{{0,40}}?\b(?:the|a|an|as|each|together|collectively|hereinafter)\s+)?"
    rf"{_QUOTED}\s*\)|"
    rf"{_QUOTED}\s+(?:means|shall mean|has the meaning|refers to|includes|is defined)\b|"
    rf"\b(?:hereinafter|hereafter)(?:\s+(?:referred\s+to|called|known))?(?:\s+as)?\s+"
    rf"(?:the\s+)?{_QUOTED}", regex.IGNORECASE)
_NUMBERED_HEADING = regex.compile(
    r"^[ \t>#*]*(?:(?:section|article|clause)\s+)?(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVXL]+\.)[ \t]+",
    regex.MULTILINE | regex.IGNORECASE)
_LEADING_ARTICLE = regex.compile(r"^(?:the|a|an|each|any|such)\s+", regex.IGNORECASE)
_POSSESSIVE = regex.compile(r"['’]s?$")


def defined_terms(text: str) -> frozenset[str]:
    """The terms ``text`` defines, case-folded."""
    terms = set()
    for match in _DEFINITION.finditer(text):
        term = next(group for group in match.groups() if group)
        terms.add(_term_key(term))
    return frozenset(term for term in terms if term)


def _term_key(value: str) -> str:
    value = _POSSESSIVE.sub("", _LEADING_ARTICLE.sub("", value.strip()))
    return " ".join(value.casefold().split())


def heading_starts(text: str) -> frozenset[int]:
    """Offsets where the text of a numbered heading begins ("## 6. |Governing law")."""
    return frozenset(match.end() for match in _NUMBERED_HEADING.finditer(text))


def drop_document_furniture(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` without the names that are really parts of the document."""
    terms = defined_terms(text)
    names = [_term_key(text[f.start:f.end]) for f in findings if f.entity_type == "PERSON"]
    roles = {term for term in terms if not any(term != name and term in name.split()
                                                 for name in names)}
    headings = heading_starts(text)
    return [f for f in findings if not _is_furniture(text, f, roles, headings)]


_WORD_BEFORE = regex.compile(r"(\p{L}+)[ \t]+$")


def _is_furniture(text: str, finding: Finding, roles: set[str],
                  headings: frozenset[int]) -> bool:
    value = text[finding.start:finding.end]
    if finding.entity_type == "STREET_ADDRESS" and (
            before := _WORD_BEFORE.search(text, max(0, finding.start - 30), finding.start)) \
            and before.group(1).casefold() in FURNITURE_WORDS:
        return True  # "ARTICLE 1 DEFINITIONS", "Section 12 Main obligations": a reference
    if finding.entity_type in NAME_TYPES and _term_key(value) in roles:
        return True
    if finding.entity_type not in NER_TYPES:
        return False
    if finding.entity_type in NAME_TYPES and finding.start in headings \
            and finding.recognizer in NER_RECOGNIZERS:
        return True
    return any(word.strip(".,:;()").casefold() in FURNITURE_WORDS for word in value.split())
