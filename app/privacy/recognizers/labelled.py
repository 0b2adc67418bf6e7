"""Identifiers introduced by a label: a grammar of label x separator x value shape.

A form writes "SSN on file: 000-12-3456", "Driver's license (OH): RS123456", "DEA # AB1234564",
"device serial for insulin pump: SN-88-1234". Whatever the checksum says, a value its label
calls an identifier is one (a typo'd DEA number still identifies its holder), so a labelled
value always scores :data:`LABELLED_SCORE`, above the redaction threshold; a passing checksum
raises it to :data:`CHECKED_SCORE`. Unlabelled values are left to the per-type recognizers,
which need their checksum.

The grammar, in order:

- a *label*: one of :data:`LABELS` (an identifier noun such as "SSN", "member", "passport"),
  optionally followed by identifier words ("number", "No.", "#", "ID"), a bracketed qualifier
  ("(OH)", "(State of Ohio)");
- a *separator*: ":", "#", "=", "|" (a table cell's edge), a dash, a linking verb ("is",
  "was", "ending in"), or a short gap of words closed by a colon ("on file:", "for insulin
  pump:", or with no colon in a form's row: the label starting its line, the value ending
  it); strong labels (acronyms such as "SSN", "DEA", "passport") and labels with an
  identifier word may also be followed directly by the value. Around a separator, and between
  a label and a value that follows it directly, any whitespace counts: spaces, tabs, or up to
  two line breaks (a form's label at a line's end, a PDF's column gap, a table's next cell);
  a weak label without an identifier word ("Driver's license (OH)") followed by its value on
  the next line needs the value to fill that line, as a lone "account" at a line's end rarely
  names the number that starts a sentence under it;
- a *value*: letters and digits in groups joined by "-", ".", "/" or single spaces between
  digit groups, with at least :data:`MIN_DIGITS` digits, and not a year, a date or an amount.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex
from presidio_analyzer import RecognizerResult

from app.privacy import checksums
from app.privacy.recognizers.base import RegexRecognizer
from app.privacy.recognizers.health import DATE
from app.privacy.wordlists import words

LABELLED_SCORE = 0.85
CHECKED_SCORE = 1.0
MIN_DIGITS = 3


@dataclass(frozen=True)
class Label:
    pattern: str  # a regex for the label noun, case-insensitive unless it says otherwise
    entity: str
    strong: bool = False  # may be followed directly by the value ("SSN 536-90-4399")


def _caps(acronym: str) -> str:
    """Short acronyms count only in capitals: "SN", "DL", "TIN" (not "tin", "sn")."""
    return rf"(?-i:{acronym})"


LABELS: tuple[Label, ...] = (
    Label(r"SSN|SS#|SS ?No|soc(?:ial)?\.? sec(?:urity)?", "US_SSN", strong=True),
    Label(r"ITIN|individual taxpayer id(?:entification)?", "US_ITIN", strong=True),
    Label(rf"F?EIN|{_caps('TIN')}|(?:federal )?tax ?id(?:entification)?|taxpayer id"
          r"(?:entification)?|employer id(?:entification)?", "US_EIN", strong=True),
    Label(r"DEA(?: registration)?", "DEA_NUMBER", strong=True),
    Label(r"NPI|national provider id(?:entifier)?", "NPI", strong=True),
    Label(r"MRN|med(?:ical)? rec(?:ord)?s?|chart|patient id|patient", "MEDICAL_RECORD_NUMBER"),
    Label(r"MBI|HICN|medicare(?: beneficiary)?", "MEDICARE_MBI", strong=True),
    Label(r"member|subscriber|policy(?:holder)?|group|(?:health )?plan|insurance|insured|"
          r"beneficiary|claim|certificate of coverage", "HEALTH_PLAN_ID"),
    Label(r"(?:bank |checking |savings |brokerage )?account|acct\.?|a/c", "US_BANK_NUMBER"),
    Label(r"ABA|RTN|routing(?: and transit)?", "ABA_ROUTING_NUMBER", strong=True),
    Label(r"IBAN", "IBAN_CODE", strong=True),
    Label(r"(?:credit |debit )?card", "CREDIT_CARD"),
    Label(r"CUSIP", "CUSIP", strong=True),
    Label(r"ISIN", "ISIN", strong=True),
    Label(r"LEI|legal entity identifier", "LEI", strong=True),
    Label(r"VIN|vehicle id(?:entification)?", "VEHICLE_ID", strong=True),
    Label(r"licen[cs]e plate|plate|registration plate|tag", "VEHICLE_ID"),
    Label(rf"driver'?s'? licen[cs]e|driving licen[cs]e|{_caps('DL')}|operator'?s licen[cs]e|"
          r"licen[cs]e|permit|certificate", "LICENSE_NUMBER"),
    Label(r"passport", "LICENSE_NUMBER", strong=True),
    Label(rf"IMEI|MEID|ESN|UDI|S/N|{_caps('SN')}", "DEVICE_ID", strong=True),
    Label(r"serial|device|implant|equipment id", "DEVICE_ID"),
)

# Words that say the value is an attribute of the identified thing, not its identifier
# ("Policy effective date: ...", "Account balance: ...").
ATTRIBUTE_WORDS = words(
    "date dated effective expiration expiry expires issued year years amount balance total "
    "limit limits period term fee fees premium premiums rate type status name holder holders "
    "phone telephone fax address email e-mail count version size deductible copay "
    "coinsurance maximum minimum value price cost due paid payment payments start end "
    "renewal services service line center centre hours"
)
_ID_WORDS = r"(?:number|num\.?|nbr\.?|no\.?|#|id|i\.d\.|identifier|code|registration)"
_H = r"[^\S\n]"  # horizontal whitespace: spaces, tabs, no-break spaces
_SPACE = rf"(?:{_H}*(?:\n{_H}*){{1,2}}|{_H}+)"  # spaces or tabs, or up to two line breaks
_QUALIFIER = rf"(?:{_H}*\([^()\n]{{1,30}}\))"
_GAP_WORD = r"[^\s\d:#=()|][^\s:#=()|]{0,24}"
_LINK = r"(?:is|was|reads|of|ending(?: in| with)?|on file(?: as)?(?: is)?)"
_VALUE = (r"(?=[^\s]{0,47}\d)(?P<v>(?:\(\d{2,4}\))?[A-Z0-9]"
          r"(?:[A-Z0-9]|[-./](?=[A-Z0-9(])|\(\d{2,4}\)|(?<=\d)[ ](?=\d)){2,47})"
          r"(?![\p{L}\p{N}])")
_ROW_START = regex.compile(r"[ \t\-*•]*(?:\p{L}[\p{L}'’]*[ \t]+){0,2}")
_YEAR_OR_RANGE = regex.compile(r"(?:19|20)\d\d(?:[-/](?:19|20)?\d\d)?")
_AMOUNT = regex.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2}")
_DATE = regex.compile(DATE, regex.IGNORECASE)


def _label_alternatives(strong: bool | None) -> str:
    chosen = [label.pattern for label in LABELS if strong is None or label.strong == strong]
    return "|".join(f"(?:{pattern})" for pattern in chosen)


def _grammar() -> str:
    label = rf"(?P<label>{_label_alternatives(None)})"
    id_words = rf"(?P<idw>(?:{_H}*{_ID_WORDS}){{1,2}})?"
    separator = (rf"(?:{_SPACE}?(?:[:#=]+|\|){_SPACE}?|{_SPACE}[-–—]+{_SPACE}|"
                 rf"{_SPACE}{_LINK}{_SPACE}?[:#=]?{_SPACE}?)")
    # A gap never passes over another label: the label nearest the value names it.
    not_label = rf"(?!(?:{_label_alternatives(None)})(?![\p{{L}}\p{{N}}]))"
    gap = rf"(?P<gap>(?:{_H}+{not_label}{_GAP_WORD}){{1,5}}?)"
    return (rf"(?<![\p{{L}}\p{{N}}])(?:{label}){id_words}(?:(?<=[#.])|(?![\p{{L}}\p{{N}}]))"
            rf"(?:(?P<sep>{_QUALIFIER}?{separator})|"
            rf"{gap}{_QUALIFIER}?(?:{separator}|(?P<column>{_SPACE}))|"
            rf"(?P<direct>{_QUALIFIER}?{_SPACE})){_VALUE}")


def _plausible_value(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    if digits < MIN_DIGITS or len(checksums.compact(value)) < 4:
        return False
    return not any(pattern.fullmatch(value) for pattern in (_YEAR_OR_RANGE, _AMOUNT, _DATE))


@cache
def _compiled_label(pattern: str) -> regex.Pattern[str]:
    # Compiled once: regex.fullmatch(pattern, ...) looked its cache up (flags and all) per call.
    return regex.compile(pattern, regex.IGNORECASE)


def _strong(label_text: str) -> bool:
    return any(label.strong and _compiled_label(label.pattern).fullmatch(label_text)
               for label in LABELS)


def _entity_of(label_text: str) -> str:
    for label in LABELS:
        if _compiled_label(label.pattern).fullmatch(label_text):
            return label.entity
    raise KeyError(label_text)


def _compact_digits(value: str) -> str:
    return checksums.compact(value)


# The checksum or range check of each type: passing raises the score, failing never drops it.
VALIDATORS: dict[str, Callable[[str], bool]] = {
    "US_SSN": lambda v: checksums.ssn_plausible(_compact_digits(v)),
    "US_ITIN": lambda v: checksums.itin_plausible(_compact_digits(v)),
    "US_EIN": lambda v: checksums.ein_plausible(_compact_digits(v)),
    "DEA_NUMBER": lambda v: checksums.dea_valid(v.upper()),
    "NPI": lambda v: checksums.npi_valid(_compact_digits(v)),
    "ABA_ROUTING_NUMBER": lambda v: checksums.aba_routing_valid(_compact_digits(v)),
    "IBAN_CODE": lambda v: checksums.iban_valid(v.upper()),
    "CREDIT_CARD": lambda v: checksums.luhn_valid(_compact_digits(v)),
    "CUSIP": lambda v: checksums.cusip_valid(v.upper()),
    "ISIN": lambda v: checksums.isin_valid(v.upper()),
    "LEI": lambda v: checksums.iso7064_mod97_valid(v.upper()),
    "VEHICLE_ID": lambda v: len(_compact_digits(v)) == 17 and checksums.vin_valid(
        _compact_digits(v).upper()),
    "MEDICARE_MBI": lambda v: checksums.mbi_valid(v.upper()),
}


def labelled_score(entity: str, value: str) -> float:
    validator = VALIDATORS.get(entity)
    try:
        passed = validator is not None and validator(value)
    except (ValueError, IndexError):
        passed = False
    return CHECKED_SCORE if passed else LABELLED_SCORE


class LabelledIdentifierRecognizer(RegexRecognizer):
    """Any identifier its label names, whatever its checksum says (see the module doc)."""

    ENTITY = "LABELLED_ID"  # the finding carries the type its label names, not this one
    RULES = (("labelled", _grammar(), LABELLED_SCORE),)
    CONTEXT = ()

    def __init__(self) -> None:
        super().__init__()
        self.supported_entities = sorted({label.entity for label in LABELS})

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None
                ) -> list[RecognizerResult]:
        results = []
        for _, compiled, _score in self._compiled:
            for match in compiled.finditer(text):
                result = self._from_match(match)
                if result is not None:
                    results.append(result)
        return results

    def _from_match(self, match: regex.Match[str]) -> RecognizerResult | None:
        value, label_text = match.group("v"), match.group("label")
        if not _plausible_value(value) or not _introduces(match, label_text):
            return None
        entity = _entity_of(label_text)
        result = self._result(match.start("v"), match.end("v"),
                              labelled_score(entity, value), f"labelled:{label_text.lower()}")
        result.entity_type = entity
        return result


def _introduces(match: regex.Match[str], label_text: str) -> bool:
    """Whether the label really introduces the value: a gap must not name an attribute
    ("effective date:"), and a value right after a weak label needs an identifier word
    ("member ID 12345") or at least five digits ("account 000123456789"), and on the next
    line the whole line ("Driver's license (OH)" above "RS123456")."""
    gap = match.group("gap")
    if gap is not None:
        if match.group("column") is not None and (
                any(c.isdigit() for c in gap) or not _form_row(match)):
            return False  # with no colon, the gap is words of the label ("for insulin pump")
        return not any(word.strip(".,").casefold() in ATTRIBUTE_WORDS for word in gap.split())
    if match.group("direct") is None:
        return True
    if match.group("idw") or _strong(label_text):
        return True
    if "\n" in match.group("direct") and not _ends_line(match):
        return False
    return sum(c.isdigit() for c in match.group("v")) >= 5


def _form_row(match: regex.Match[str]) -> bool:
    """Whether label and value make a line of a form on their own: the label starts its line
    (after at most two words: "device serial", "pump serial no.") and the value ends it
    (loaders turn a PDF's or a Word table's column gap into one space, so the gap itself
    cannot be seen)."""
    before = match.string[max(0, match.start() - 80):match.start()].rsplit("\n", 1)[-1]
    return bool(_ROW_START.fullmatch(before)) and _ends_line(match)


def _ends_line(match: regex.Match[str]) -> bool:
    """Whether the value is all that is left of its line (a form's field under its label),
    trailing punctuation aside."""
    rest = match.string[match.end("v"):match.end("v") + 80].split("\n", 1)[0]
    return not rest.strip(" \t.,;")
