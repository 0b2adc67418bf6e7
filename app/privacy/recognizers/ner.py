"""spaCy's named entities, cleaned: label words ("DOB", "SSN", "IBAN") that the small model
tags as organisations or people are dropped, titles are cut off the front of names, and an
entity ends at a line break (the next line of a form or a signature block is another field),
before the next form label ("Ann Lee   Title: CEO") and before a possessive ("Ann Lee's
Cautionary Tales")."""

from __future__ import annotations

from typing import Any

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from app.privacy.wordlists import words

# Words of forms and identifiers, never a person, place or organisation by themselves.
NOT_ENTITIES = words(
    "dob d.o.b. ssn ssns ss# itin ein fein tin iban ibans bic swift aba rtn routing cusip isin "
    "lei mrn npi dea mbi hicn vin imei udi mac ip url email e-mail tel fax phone mobile cell "
    "zip zipcode postcode po apt suite ste unit id ids no pin cvv cvc exp acct account patient "
    "name address dl ppn hipaa phi pii gdpr ccpa ferpa glba sox kyc aml medicare medicaid visa "
    "mastercard amex ssa irs n/a na tbd bot user answer question ok person persons party "
    "parties customer client licensee licensor buyer seller company page section exhibit "
    "schedule article agreement term title titles signature signed by attn attention re cc "
    "dated date spouse dependent dependents taxpayer applicant beneficiary guarantor "
)
_TITLE = regex.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Rev|Hon)\.?\s+")
_POSSESSIVE = regex.compile(r"['’]s?(?=\s|$)")
_NEXT_LABEL = regex.compile(r"\s+\p{L}+(?=[ \t]*:)")
_HAS_DIGIT_OR_AT = regex.compile(r"[\d@]")


_MONTH_OR_DAY = regex.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", regex.IGNORECASE)
_NUMERIC_DATE = regex.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}:\d{2}|"
                              r"\b(?:1[6-9]|20)\d\d(?:s|'s)?\b|'\d\d\b")
_DURATION_OR_AGE = regex.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|old)\b",
                                 regex.IGNORECASE)


def is_date_like(value: str) -> bool:
    """A date or time that can point at a person: a named month or weekday, a numeric date,
    a year or a clock time. Vague spans ("this morning", "8+ years", "58 years old") are not."""
    if _DURATION_OR_AGE.search(value) and not _MONTH_OR_DAY.search(value):
        return False
    return bool(_MONTH_OR_DAY.search(value) or _NUMERIC_DATE.search(value))


class FilteredSpacyRecognizer(SpacyRecognizer):
    """Presidio's spaCy recognizer with the small model's habitual false positives removed."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None
                ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts)
        return [cleaned for result in results if (cleaned := _clean(text, result)) is not None]


def _clean(text: str, result: RecognizerResult) -> RecognizerResult | None:
    value = text[result.start:result.end]
    words = value.casefold().replace(":", " ").split()
    if not words or all(word.strip(".,#") in NOT_ENTITIES for word in words):
        return None
    if result.entity_type in ("PERSON", "LOCATION", "NRP") and _HAS_DIGIT_OR_AT.search(value):
        return None
    if result.entity_type == "DATE_TIME" and not is_date_like(value):
        return None
    if result.entity_type == "PERSON" and (title := _TITLE.match(value)):
        result.start += title.end()
    if "\n" in value.strip():  # a name does not run over a line break: "Ann Lee\n\nNurse"
        result.end = result.start + value.index("\n", len(value) - len(value.lstrip()))
    if (label := _NEXT_LABEL.search(text, result.start, result.end + 1)) is not None:
        result.end = label.start()  # "Ann Lee   Title: CEO": the name ends before the label
    if (possessive := _POSSESSIVE.search(text, result.start, result.end)) is not None:
        result.end = possessive.start()  # "Ann Lee's Cautionary Tales": the name ends at 's
    return result if result.end > result.start else None
