"""Names that spaCy's small model mistypes or misses, found from evidence it does not use.

- *Retyping*: spaCy often tags a person as an organisation or a place ("Sigrid Nyström",
  "Faina D. Yefremova's"). A span it typed so becomes a person when it has a person's shape:
  a middle initial between two capitalised words; the same words as a person found in the same
  document; or a given name (from the gazetteer) followed by a known name. A single given name
  typed as a place stays a place after "in", "at", "from", "to"...
- *Gazetteer pairs*: two capitalised words spaCy left alone, a given name then a surname
  ("Thomas Marsh"), possibly with an initial between them.
- *Line-start names*: a given name opening a line as a speaker label ("Ubul: What a...") or
  addressed at the start of a line ("Warrane, can I...").
- *E-mail addresses*: two words whose letters both appear in the user name of an e-mail address
  in the same document ("Layla Gairbekov" and "LaylaGairbekov@..."), no gazetteer needed.
- *Places and companies*: spaCy's "persons" that are countries, states or provinces become
  places, those followed by a street word ("Marina Fort| Street") streets, and those holding
  a word of companies ("Williamson Orchestra") organisations; a country, state or province
  written with capitals and found by nothing is a place ("Carry Me Back To Canada").

The gazetteer is only ever supporting evidence: a word must also be capitalised, not written in
lower case elsewhere in the document, and not a word of companies, addresses or job titles.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from app.privacy.completion import NOT_SURNAMES
from app.privacy.findings import NER_RECOGNIZERS, Finding
from app.privacy.furniture import FURNITURE_WORDS
from app.privacy.gazetteer import is_given_name, is_known_name, is_surname, place_names
from app.privacy.wordlists import words

PAIR_SCORE = 0.6
SINGLE_SCORE = 0.5
EMAIL_SCORE = 0.7
RETYPED_SCORE = 0.65
ORGANISATION_WORDS = words(
    "inc incorporated ltd limited llc llp plc corp corporation co company companies group "
    "bank banks holdings partners associates university college school academy hospital "
    "clinic church club hotel orchestra band foundation institute society association agency "
    "council committee department ministry office services solutions systems technologies "
    "labs laboratories studio studios media news press records films pictures entertainment "
    "weekly daily times journal magazine insurance mutual capital trust fund funds "
    "international global national federal union "
)
# Words that start place names as often as company names.
_PLACE_OR_ORGANISATION = words(
    "state county city republic kingdom north south east west northern southern eastern "
    "western central upper lower new"
)
_NAME_WORD = r"\p{Lu}[\p{Ll}'’-]+"
_INITIAL = r"\p{Lu}\.?"
_PERSON_SHAPE = regex.compile(rf"^{_NAME_WORD}(?:[ ]{_INITIAL})?(?:[ ]{_NAME_WORD}){{0,2}}$")
_MIDDLE_INITIAL = regex.compile(rf"^{_NAME_WORD}[ ]\p{{Lu}}\.?[ ]{_NAME_WORD}$")
_POSSESSIVE = regex.compile(r"['’]s?$")
_PLACE_PREPOSITION = regex.compile(
    r"(?i:\b(?:in|at|from|to|near|into|of|via|visit|visiting|toward|towards))[ ]+$")
_PAIR = regex.compile(rf"(?<![\p{{L}}\d@.])(?P<first>{_NAME_WORD})(?P<initial>[ ]{_INITIAL})?"
                      rf"[ ](?P<last>{_NAME_WORD})(?![\p{{L}}\d@])")
_LOWER_PAIR = regex.compile(r"(?<![\p{L}\d@.])(?P<first>\p{Ll}{3,})(?P<initial>[ ]\p{Ll}\.?)?"
                            r"[ ](?P<last>\p{Ll}{3,})(?![\p{L}\d@])")
_LINE_START_NAME = regex.compile(rf"(?m)^[ \t>*-]*(?P<v>{_NAME_WORD})(?=:[ ]\S|,[ ]\p{{Ll}})")
_SPEAKER = regex.compile(rf"(?m)^[ \t>*-]*(?P<v>{_NAME_WORD}):[ ]+\S")
_SINGLE = regex.compile(rf"(?<=\p{{Ll}}[,;]?[ ])(?P<v>{_NAME_WORD})(?=[,;.!?]?[ ]\p{{Ll}}|[.!?]?$)",
                        regex.MULTILINE)
_LINKS = regex.compile(r"\S+@\S+|\S*://\S+|www\.\S+")
_LOWER_CASE_WORD = regex.compile(r"(?<![\p{L}])\p{Ll}+(?![\p{L}])")
_NOT_LETTER = regex.compile(r"[^\p{L}]")
_STREET_WORD_AFTER = regex.compile(
    r"\G[ ](?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Court|Way|Place|"
    r"Terrace|Square|Parkway|Highway|Crescent|Close)\b\.?")
_CAPITALISED_RUN = regex.compile(r"(?<![\p{L}\d])\p{Lu}[\p{L}'’.-]*(?:[ ]\p{Lu}[\p{L}'’.-]*){0,2}")
_EMAIL_USER = regex.compile(r"(?<![\w.+-])(?P<user>[\w.%+-]+)@[\w-]+\.\w")
_WORD_BEFORE = regex.compile(r"(\S+)[ ]$")
_AFTER_COMMA = regex.compile(r",[ ]+$")  # "Institut d'etudes politiques, Paris": a place
_DETERMINER_BEFORE = regex.compile(
    r"(?i:\b(?:the|a|an|this|that|these|those|each|any|such|its|their|our|your|no))[ ]+$")
_SENTENCE_START = regex.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
_WORD_AFTER = regex.compile(r"\G[ ](\S+)")
# Words before a name that do not make it part of a longer capitalised title.
_CUES = words("dear mr mrs ms miss mx dr prof sir madam rev hon attn to from by cc signed "
              "patient contact name nurse doctor physician")
_STATE_OF = regex.compile(r"^(?i:(?:the[ ])?(?:state|commonwealth|republic|kingdom|province|"
                         r"county|city)[ ]of[ ])(?P<place>.+)$")
_COMPASS = regex.compile(r"^(?i:(?:north|south|east|west|northern|southern|eastern|western|"
                         r"central|upper|lower)[ ])(?P<place>.+)$")


@lru_cache(maxsize=4)
def lower_case_words(text: str) -> frozenset[str]:
    """Words written in lower case in ``text``, outside e-mail addresses and web links (whose
    user names spell names in lower case: "eleanor.marsh@...")."""
    return frozenset(_LOWER_CASE_WORD.findall(_LINKS.sub(" ", text)))


def _ordinary(word: str) -> bool:
    """A word of companies, addresses, job titles, dates or document structure."""
    folded = word.casefold().strip(".")
    return any(folded in wordlist for wordlist in (
        ORGANISATION_WORDS, _PLACE_OR_ORGANISATION, NOT_SURNAMES, FURNITURE_WORDS, STOP_WORDS))


class NameEvidence:
    """The evidence of one document: its lower-case words and the names already found."""

    def __init__(self, text: str, findings: list[Finding]) -> None:
        self.text = text
        self.lower_case_text = text == text.lower()
        self.lower_words = lower_case_words(text)
        self.email_users = [_NOT_LETTER.sub("", m.group("user")).casefold()
                            for m in _EMAIL_USER.finditer(text)]
        self.person_words = frozenset(
            word for f in findings if f.entity_type == "PERSON" and f.score >= 0.6
            for word in _POSSESSIVE.sub("", text[f.start:f.end]).split() if len(word) > 1)

    def name_like(self, word: str) -> bool:
        """Capitalised, never written in lower case here, not an ordinary word."""
        return word[:1].isupper() and word.casefold() not in self.lower_words \
            and not _ordinary(word) and word.casefold() not in place_names()

    def is_place(self, finding: Finding) -> bool:
        """Whether an NER person is a country, state or province (and not, after no place
        preposition, also a given name or a surname: "Georgia called", "Kuba, can I...")."""
        value = self.text[finding.start:finding.end].strip()
        return value.casefold() in place_names() and (
            not is_known_name(value) or self.after_place_preposition(finding.start))

    def is_person(self, finding: Finding) -> bool:
        """Whether an NER organisation or place has a person's shape and evidence."""
        if finding.entity_type == "PERSON":
            return False
        parts = _POSSESSIVE.sub("", self.text[finding.start:finding.end].strip()).split()
        value = " ".join(parts)
        if not _PERSON_SHAPE.match(value) or not all(
                self.name_like(p) for p in parts if len(p.rstrip(".")) > 1):
            return False
        if _MIDDLE_INITIAL.match(value) or all(p in self.person_words for p in parts) or \
                self.spelt_by_email(parts):
            return True
        if len(parts) > 1:
            return is_given_name(parts[0])
        return is_given_name(value) and not self.after_place_preposition(finding.start) and not (
            finding.entity_type == "LOCATION" and _AFTER_COMMA.search(
                self.text, max(0, finding.start - 3), finding.start))

    def spelt_by_email(self, parts: list[str]) -> bool:
        """Whether an e-mail user name of the document holds all these (2+) words."""
        words = [p.casefold() for p in parts if len(p) > 1]
        return len(words) > 1 and sum(map(len, words)) >= 6 and any(
            all(word in user for word in words) for user in self.email_users)

    def after_place_preposition(self, start: int) -> bool:
        return bool(_PLACE_PREPOSITION.search(self.text, max(0, start - 20), start))

    def in_title_run(self, start: int, end: int) -> bool:
        """Whether the words are part of a longer run of capitalised words on their line
        ("American Red Ball Movers"), apart from a cue such as "Dear" or "Dr." or the first
        word of a sentence before them ("Ask Ann Lee")."""
        after = _WORD_AFTER.match(self.text, end)
        if after and after.group(1)[:1].isupper():
            return True
        before = _WORD_BEFORE.search(self.text, max(0, start - 30), start)
        return bool(before and before.group(1)[:1].isupper()
                    and before.group(1).casefold().strip(".:,") not in _CUES
                    and not _SENTENCE_START.search(self.text, max(0, before.start(1) - 3),
                                                   before.start(1)))


def retype_names(text: str, findings: list[Finding]) -> list[Finding]:
    """NER organisations and places with a person's shape and evidence become persons (twice:
    a name retyped is evidence for its other mentions); organisations that are places by
    their words ("Southern Tunisia", "the State of New York") become places."""
    for _ in range(2):
        evidence = NameEvidence(text, findings)
        findings = [_retyped(f, evidence) for f in findings]
    return findings


def _retyped(finding: Finding, evidence: NameEvidence) -> Finding:
    if finding.recognizer not in NER_RECOGNIZERS or \
            finding.entity_type not in ("ORGANIZATION", "LOCATION", "PERSON"):
        return finding
    if evidence.is_person(finding):
        return replace(finding, entity_type="PERSON", score=max(finding.score, RETYPED_SCORE))
    if finding.entity_type == "PERSON" and evidence.is_place(finding):
        return replace(finding, entity_type="LOCATION")
    if finding.entity_type == "PERSON" and (
            street := _STREET_WORD_AFTER.match(evidence.text, finding.end)):
        return replace(finding, entity_type="LOCATION", end=street.end())
    if finding.entity_type == "PERSON" and any(
            word.casefold().strip(".,") in ORGANISATION_WORDS
            for word in evidence.text[finding.start:finding.end].split()):
        return replace(finding, entity_type="ORGANIZATION")  # "Williamson Orchestra"
    if finding.entity_type == "ORGANIZATION" and (
            place := _place_start(evidence.text, finding)) is not None:
        return replace(finding, entity_type="LOCATION", start=place,
                       score=max(finding.score, RETYPED_SCORE))
    return finding


def _place_start(text: str, finding: Finding) -> int | None:
    """Where the place begins in an organisation that is a known country, state or province,
    alone, after "State of" (kept: part of the name) or after "Southern" (left out)."""
    value = text[finding.start:finding.end]
    if value.strip().casefold() in place_names():
        return finding.start
    if (state := _STATE_OF.match(value)) and state.group("place").casefold() in place_names():
        return finding.start
    if (compass := _COMPASS.match(value)) and compass.group("place").casefold() in place_names():
        return finding.start + compass.start("place")
    return None


def gazetteer_names(text: str, findings: list[Finding]) -> list[Finding]:
    """New PERSON findings where no other finding is (or only NER organisation or place guesses
    inside a pair or a line-start name: "add Ryan P |Costa| as guardian"): given name + surname
    pairs, speakers, and given names alone in a sentence or addressed at a line start."""
    evidence = NameEvidence(text, findings)
    taken = [(f.start, f.end, _is_guess(f)) for f in findings]
    extra = []
    for (start, end), score, overrides in [*_email_names(evidence), *_pairs(evidence),
                                           *_speakers(evidence), *_single_names(evidence)]:
        if _free(taken, start, end, overrides):
            extra.append(Finding("PERSON", start, end, score, "NameGazetteer"))
            taken.append((start, end, False))
    for start, end in _places(evidence):
        if _free(taken, start, end, False):
            extra.append(Finding("LOCATION", start, end, PAIR_SCORE, "PlaceGazetteer"))
            taken.append((start, end, False))
    return extra


def _is_guess(finding: Finding) -> bool:
    return finding.recognizer in NER_RECOGNIZERS and \
        finding.entity_type in ("ORGANIZATION", "LOCATION", "NRP")


def _places(evidence: NameEvidence) -> list[tuple[int, int]]:
    """Countries, states and provinces written with capitals ("Canada", "New South Wales"),
    the longest first; one that is also a name only after a place preposition ("Georgia
    said...", "Ryan P Costa")."""
    spans = []
    for match in _CAPITALISED_RUN.finditer(evidence.text, overlapped=True):
        words = match.group().rstrip(".").split()
        for size in range(len(words), 0, -1):
            value = " ".join(words[:size])
            if value.casefold() in place_names() and (
                    not is_known_name(value) or evidence.after_place_preposition(match.start())):
                spans.append((match.start(), match.start() + len(value)))
                break
    return spans


Span = tuple[tuple[int, int], float, bool]  # span, score, whether it overrides NER guesses


def _pairs(evidence: NameEvidence) -> list[Span]:
    """A given name then a surname (with a middle initial, one of the two is enough)."""
    pattern = _LOWER_PAIR if evidence.lower_case_text else _PAIR
    spans = []
    for match in pattern.finditer(evidence.text, overlapped=True):
        first, last = match.group("first"), match.group("last")
        known = (is_given_name(first) or is_surname(last)) if match.group("initial") else \
            is_given_name(first) and is_surname(last)
        if known and (evidence.lower_case_text and not _ordinary(first) and not _ordinary(last)
                      or evidence.name_like(first) and evidence.name_like(last)
                      and not evidence.in_title_run(*match.span())):
            spans.append((match.span(), PAIR_SCORE, True))
    return spans


def _email_names(evidence: NameEvidence) -> list[Span]:
    """Two words that an e-mail user name of the document spells ("Ana Silva" and
    "ana.silva@..." or "AnaMariaSilva@...")."""
    if not evidence.email_users:
        return []
    pattern = _LOWER_PAIR if evidence.lower_case_text else _PAIR
    return [(match.span(), EMAIL_SCORE, True)
            for match in pattern.finditer(evidence.text, overlapped=True)
            if not _ordinary(match.group("first")) and not _ordinary(match.group("last"))
            and evidence.spelt_by_email([match.group("first"), match.group("last")])]


def _speakers(evidence: NameEvidence) -> list[Span]:
    """Speaker labels of a transcript ("Ubul: What a wife."): when one label is a person
    found or a given name, the other name-shaped labels are speakers too."""
    labels = [m for m in _SPEAKER.finditer(evidence.text) if evidence.name_like(m.group("v"))]
    if len(labels) < 2 or not any(m.group("v") in evidence.person_words or
                                  is_given_name(m.group("v")) for m in labels):
        return []
    return [(m.span("v"), PAIR_SCORE, True) for m in labels]


def _single_names(evidence: NameEvidence) -> list[Span]:
    """A given name alone inside a sentence ("Why is Glyceria so impulsive?") or addressed at
    the start of a line ("Danial, can I..."); not after "in", "from"... (places) nor after
    "the", "any"... (a defined term: "subject to the Cap")."""
    spans = []
    for pattern, overrides in ((_SINGLE, False), (_LINE_START_NAME, True)):
        for match in pattern.finditer(evidence.text):
            word = match.group("v")
            if is_given_name(word) and evidence.name_like(word) and \
                    not evidence.after_place_preposition(match.start("v")) and \
                    not evidence.in_title_run(*match.span("v")) and not _DETERMINER_BEFORE.search(
                        evidence.text, max(0, match.start("v") - 12), match.start("v")):
                spans.append((match.span("v"), SINGLE_SCORE, overrides))
    return spans


def _free(taken: list[tuple[int, int, bool]], start: int, end: int, overrides: bool) -> bool:
    """No finding overlaps ``start:end`` but, when ``overrides``, NER guesses inside it."""
    return not any(s < end and start < e and not (overrides and guess and start <= s
                                                  and e <= end) for s, e, guess in taken)


def with_name_evidence(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` retyped, plus the gazetteer's names, in text order."""
    retyped = retype_names(text, findings)
    names = gazetteer_names(text, retyped)
    kept = [f for f in retyped if not (_is_guess(f) and any(
        n.start <= f.start and f.end <= n.end for n in names))]
    return sorted(kept + names, key=lambda f: (f.start, f.end))
