"""Document furniture is not a person or an organisation.

spaCy's small model tags capitalised common nouns as names: a contract's defined terms
("Supplier", "Client"), numbered headings ("1. Services"), form titles ("Intake Form"),
cross-references ("Schedule A. Reports"). This step uses the document's own context, not lists
of names:

- *defined terms*: a word the document defines, ``("Supplier")``, ``"Client" means``,
  ``hereinafter "Buyer"``, ``... Limited Partnership (Transporter)``, is a role in that
  document, wherever it appears (unless it is part of a name found in the same document, with
  a known given name or surname beside it: ``Dana Whitfield ("Whitfield")``);
- *furniture words*: a span holding a word of document structure (form, schedule, section,
  exhibit, report...) is a title or a reference, not a name, whichever recognizer found it
  ("Patient Intake Form" follows the cue "Patient" but is a form title);
- *headings*: what spaCy tags right after a section number at the start of a line or on a
  Markdown heading line ("## Allergies"), and "addresses" that follow a structure word
  ("ARTICLE 1 DEFINITIONS");
- *role titles*: a span made only of job-title words ("COO", "General Counsel") is the role
  written beside a name, not a name or an organisation;
- *possessed terms*: an organisation spaCy finds right after a possessive ("the other party's
  Confidential Information", "its Affiliates") is a defined term: organisations are not owned.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from app.privacy.findings import NER_RECOGNIZERS, Finding
from app.privacy.gazetteer import is_known_name
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
ROLE_WORDS = words(
    "general counsel chief officer executive operating financial technology technical "
    "information security marketing legal compliance privacy medical nursing revenue "
    "director managing manager president vice senior junior associate assistant deputy head "
    "partner principal secretary treasurer chair chairman chairwoman chairperson founder "
    "ceo coo cfo cto cio ciso cmo cpo cro clo gc evp svp vp md rn np pa esq phd "
    "of the and & -"
)
_POSSESSOR = regex.compile(r"(?:['’]s?|\b(?:its|their|our|your|his|her|my))[ \t]+$",
                           regex.IGNORECASE)
_QUOTED = r"[\"“”']([^\"“”'\n]{2,60})[\"“”']"
_DEFINITION = regex.compile(
    rf"\((?:[^()\n]{{0,40}}?\b(?:the|a|an|as|each|together|collectively|hereinafter)\s+)?"
    rf"{_QUOTED}\s*\)|"
    rf"{_QUOTED}\s+(?:means|shall mean|has the meaning|refers to|includes|is defined)\b|"
    rf"\b(?:hereinafter|hereafter)(?:\s+(?:referred\s+to|called|known))?(?:\s+as)?\s+"
    rf"(?:the\s+)?{_QUOTED}", regex.IGNORECASE)
# "Great Lakes Gas Transmission Limited Partnership (Transporter)": a company's role, unquoted.
_COMPANY_ROLE = regex.compile(
    r"(?i:\b(?:inc|incorporated|corp|corporation|company|co|ltd|limited|llc|llp|lp|plc|"
    r"partnership|gmbh|ag|sa|nv|bv))\.?,?[ \t]+\((?i:the[ \t]+)?"
    r"(\p{Lu}[\p{L}-]+(?:[ \t]\p{Lu}[\p{L}-]+)?)\)")
_NUMBERED_HEADING = regex.compile(
    r"^[ \t>#*]*(?:(?:section|article|clause)\s+)?(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVXL]+\.)[ \t]+",
    regex.MULTILINE | regex.IGNORECASE)
_MARKDOWN_HEADING = regex.compile(r"[ \t]*#{1,6}[ \t]")
_LEADING_ARTICLE = regex.compile(r"^(?:the|a|an|each|any|such)\s+", regex.IGNORECASE)
_POSSESSIVE = regex.compile(r"['’]s?$")


def defined_terms(text: str) -> frozenset[str]:
    """The terms ``text`` defines, case-folded."""
    terms = {_term_key(match.group(1)) for match in _COMPANY_ROLE.finditer(text)}
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
    roles = {term for term in terms if not any(_part_of_a_name(term, name) for name in names)}
    headings = heading_starts(text)
    return [f for f in findings if not _is_furniture(text, f, roles, headings)]


_WORD_BEFORE = regex.compile(r"(\p{L}+)[ \t]+$")


def _holds_a_role(key: str, roles: set[str]) -> bool:
    """The span is a role, or a role with words that are no name ("Licensee Sites")."""
    if key in roles:
        return True
    padded = f" {key} "
    return any(f" {role} " in padded and not any(
        is_known_name(word) for word in key.split() if word not in role.split())
        for role in roles)


def _part_of_a_name(term: str, name: str) -> bool:
    """Whether a defined term is a person's name part ("Dana Whitfield" ("Whitfield")): the
    name holds the term and a known given name or surname ("Licensee Sites" does not)."""
    parts = name.split()
    return term != name and term in parts and any(
        is_known_name(part) for part in parts if part != term)


def is_role(value: str) -> bool:
    """"COO", "General Counsel", "Chief Operating Officer": words of job titles only."""
    parts = value.replace(",", " ").casefold().split()
    return bool(parts) and all(part.strip(".") in ROLE_WORDS for part in parts) and \
        any(part.strip(".") not in ("of", "the", "and", "&", "-") for part in parts)


def _is_furniture(text: str, finding: Finding, roles: set[str],
                  headings: frozenset[int]) -> bool:
    value = text[finding.start:finding.end]
    if finding.entity_type == "STREET_ADDRESS" and (
            before := _WORD_BEFORE.search(text, max(0, finding.start - 30), finding.start)) \
            and before.group(1).casefold() in FURNITURE_WORDS:
        return True  # "ARTICLE 1 DEFINITIONS", "Section 12 Main obligations": a reference
    if finding.entity_type in NAME_TYPES and _holds_a_role(_term_key(value), roles):
        return True
    if finding.entity_type not in NER_TYPES:
        return False
    if finding.entity_type in NAME_TYPES and is_role(value):
        return True
    if finding.entity_type == "ORGANIZATION" and finding.recognizer in NER_RECOGNIZERS and \
            _POSSESSOR.search(text, max(0, finding.start - 10), finding.start):
        return True
    if finding.entity_type in NAME_TYPES and finding.start in headings \
            and finding.recognizer in NER_RECOGNIZERS:
        return True
    if finding.recognizer in NER_RECOGNIZERS and _MARKDOWN_HEADING.match(
            text, text.rfind("\n", 0, finding.start) + 1):
        return True  # "## Allergies"
    return any(word.strip(".,:;()").casefold() in FURNITURE_WORDS for word in value.split())
