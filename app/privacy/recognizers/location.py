"""Street addresses: a numbered street line and the city, region, country and postcode lines
that follow it, in US and international layouts."""

from __future__ import annotations

import regex

from app.privacy.recognizers.base import RegexRecognizer
from app.privacy.wordlists import words

# Capitalised words of addresses; never English function words ("1 TO DEVELOPMENT AGREEMENT").
_FUNCTION_WORDS = (r"the|this|that|these|those|to|of|and|or|for|with|by|in|on|at|as|is|are|was|"
                   r"it|we|i|you|he|she|they|if|a|an|all|any|no|not|such|shall|will|may|our|"
                   r"your|their|his|her|its|upon|from|into|under|per|each|which|who")
_CAP = rf"(?!(?i:{_FUNCTION_WORDS})\b)\p{{Lu}}[\p{{L}}'’.-]*"
# Lower-case particles inside place and street names ("Ostrov nad Ohrí", "Rua do Arenque").
_PARTICLE = (r"(?:(?!(?:and|or|the|of|to|in|on|at|by|for|is|as|if|it)\b)\p{Ll}{1,3}|"
             r"della|van|von|der|den)")
# A full stop after a word longer than an abbreviation ("St.", "Mt.") ends the sentence.
_NAME_WORDS = rf"{_CAP}(?:(?<!\p{{L}}{{4}}\.)[ ](?:{_PARTICLE}[ ])?{_CAP}){{0,3}}"
_STREET_TYPE = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|"
                r"Place|Pl|Terrace|Ter|Square|Sq|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Alley|"
                r"Crescent|Close|Row|Trail|Trl|Plaza|Loop|Pike|Route|Rte)\.?")
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Box|#)\.?[ ]?#?[\w-]{1,6}"
# Units after the street line, and the city and region that may follow them on the same line.
_UNITS = rf"(?:(?:[ ]|,[ ]?){_UNIT}){{0,2}}(?:[ ]{_NAME_WORDS}(?=[,.?!]|\s*$|[ ]\d))?"
_UNIT_RE = regex.compile(rf"\b{_UNIT}")
# A digit group followed by more digits is a phone number, not a postcode ("0113 496 0000").
_POSTCODE = (r"(?:\d{3,6}(?:[- ]\d{3,4})?(?![- ]?\d)|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}|"
             r"[A-Z]\d[A-Z][ ]\d[A-Z]\d)")
_CONTACT_LABEL = r"(?i:phone|tel|telephone|fax|mobile|cell|e-?mail|web|website|call)\b"
_TAIL_PART = (rf"(?!{_CONTACT_LABEL})(?:{_UNIT}|{_POSTCODE}|\p{{Lu}}{{2}}(?:[ ]{_POSTCODE})?|"
              rf"{_NAME_WORDS}(?:[ ]\(\p{{Lu}}[\p{{L}} ]{{0,30}}\))?(?:[ ]{_POSTCODE})?)"
              rf"(?![\p{{L}}\d])(?![ \t]*[*_]*:)")  # not a form label ("Phone:")
# A tail part starts after a comma or a line break (with optional indentation and blank lines).
_TAIL = rf"(?:(?:[ \t]*,[ \t]*|[ \t]*\n[\s,>?•*·]*|[ ]+(?={_UNIT}))(?:{_TAIL_PART})){{0,6}}"

_NUMBER = r"\d{1,6}[A-Z]?(?:[ ]\d{1,5}(?=[ ]\p{Lu}))?"
_PREFIX = (r"(?:rue|ul\.|via|viale|calle|avenida|av\.|avda\.|rua|strada|piazza|plac|aleja|al\.|"
           r"chemin|route|carrer|travessa|praça|largo|corso|vicolo)")
_SUFFIX = (r"(?:straat|stra(?:ss|ß)e|gasse|weg|laan|vej|gade|katu|tie|väg|vägen|gatan|veien|"
           r"vegen|gata|utca|út|ulica|allee|platz|dreef|plein|kade|gracht)")
_ANY_WORDS = r"[\p{L}'’.-]+(?:[ ][\p{L}'’.-]+){0,3}"
_STREET_FIRST = (rf"(?:(?i:{_PREFIX})[ ]{_ANY_WORDS}|\p{{Lu}}[\p{{L}}-]*(?i:{_SUFFIX}))"
                 rf"[ ]\d{{1,5}}[A-Za-z]?\.?")
_MILITARY = (r"(?i:(?:PSC|CMR|Unit|USNS|USNV|USS|USCGC)[ ][\w-]+(?:,?[ ]Box[ ]\d{1,5})?"
             r"\s*\n?\s*(?:APO|FPO|DPO)[ ](?:AA|AE|AP)[ ]\d{5})")
_US_STREET = (rf"{_NUMBER}(?:[ ](?:[NSEW]\.?|North|South|East|West))?[ ]{_NAME_WORDS}"
              rf"[ ]{_STREET_TYPE}")
_INTL_STREET = (rf"{_NUMBER}[ ](?:(?i:{_PREFIX})[ ]{_ANY_WORDS}|{_NAME_WORDS})"
                rf"(?:(?:[ ]\p{{Ll}}[\p{{Ll}}.]{{0,5}})?[ ]\d{{1,5}}[A-Za-z]?\.?)?")
_LABELLED_POSTCODE = (r"\d{3}[ ]\d{2}|\d{2}-\d{3}|\d{4}[ ]?[A-Z]{2}|\d{3,5}(?:-\d{3,4})?|"
                      r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d")
_PO_BOX = r"P\.?[ ]?O\.?[ ]Box[ ]\d{1,6}"


class StreetAddressRecognizer(RegexRecognizer):
    ENTITY = "STREET_ADDRESS"
    FLAGS = 0
    CASE_RESTORE = True
    RULES = (
        ("us-street", rf"(?<![\w.,-])(?P<v>{_US_STREET}{_UNITS}{_TAIL})", 0.7),
        ("po-box", rf"(?<![\w-])(?P<v>{_PO_BOX}(?:[ ]{_NAME_WORDS})?{_UNITS}{_TAIL})", 0.7),
        ("intl-street", rf"(?<![\w.,-])(?P<v>{_INTL_STREET}{_UNITS}{_TAIL})", 0.3),
        ("street-first", rf"(?<![\w.,-])(?P<v>{_STREET_FIRST}{_UNITS}{_TAIL})", 0.5),
        ("military", rf"(?<![\w-])(?P<v>{_MILITARY})\b", 0.8),
        ("corner", rf"(?P<v>(?i:the[ ])?corner[ ]of[ ][^\n,?!;]{{3,60}}?[ ]and[ ]{_NAME_WORDS})",
         0.7),
        ("street-after-preposition",
         rf"(?<=\b(?:on|at)[ ])(?P<v>{_NAME_WORDS}[ ]\d{{1,5}}[A-Za-z]?(?:[ ]{_STREET_TYPE})?)"
         rf"(?![\w/.:-]\d)", 0.45),
        ("unit", rf"(?<![\w-])(?P<v>{_UNIT})(?=[\s,]|$)", 0.3),
    )
    CONTEXT = ("address", "lives", "live", "lived", "living", "located", "street", "ship",
               "mail", "billing", "residence", "resides", "home", "deliver", "send")

    def adjust_score(self, value: str, score: float) -> float:
        """A street line followed by a unit, city, region or postcode lines is an address."""
        parts = len(regex.findall(r"[,\n]\s*\S", value)) + len(_UNIT_RE.findall(value))
        return min(0.85, score + 0.2 * parts) if parts else score

    def check(self, value: str) -> bool:
        """Not a reference ("Section 4 ...") nor a date ("3 November 2026")."""
        first, *rest = [word.casefold().rstrip(".,") for word in value.split(maxsplit=2)]
        return (any(c.isalpha() for c in value) and not value.rstrip().endswith(",")
                and first not in NOT_STREETS
                and not (first.isdigit() and rest and rest[0] in _MONTHS))


class ZipCodeRecognizer(RegexRecognizer):
    """Postcodes on their own, next to their label (inside addresses they are part of those),
    in the shapes postal systems use: 12345(-6789), 123 45, 12-345, 1234 AB, A1A 1B1, SW1A 1AA."""

    ENTITY = "ZIP_CODE"
    RULES = (
        ("zip-anchored", r"\b(?:zip(?:[ ]?code)?|postal[ ]code|post[ ]?code)(?:[ ]is)?\s*[:#]?\s*"
                         rf"(?P<v>{_LABELLED_POSTCODE})(?![\w-])", 0.8),
    )
    CONTEXT = ("zip", "postal", "postcode")


class PlaceCueRecognizer(RegexRecognizer):
    """Places named where people say where they come from, live or travel."""

    ENTITY = "LOCATION"
    FLAGS = 0
    CASE_RESTORE = True
    RULES = (
        ("place-cue", rf"(?i:\boriginally from|\bmoved (?:here )?(?:from|to)|\bborn in|"
                      rf"\bgrew up in|\blives in|\bliving in|\bresides in|\bvisiting|"
                      rf"\btravel(?:l?ing)? to|\bflew to|\barrived at|\bbased in|\blocated in|"
                      rf"\b(?:returned|relocated|drove|flown|emigrated) to|\bstaying in|"
                      rf"\b(?:i am|i'm|we are|we're) (?:currently |now |still )?in)"
                      rf"[ ](?P<v>{_NAME_WORDS})", 0.9),
    )

    def check(self, value: str) -> bool:
        return value.split(maxsplit=1)[0].casefold() not in NOT_STREETS


_MONTHS = words("january february march april may june july august september october november "
                "december jan feb mar apr jun jul aug sep sept oct nov dec")
# First words that make "on Section 12" or "at Page 3" a reference, not a street.
NOT_STREETS = words(
    "section schedule exhibit article page item form chapter part clause annex appendix table "
    "figure rule room floor level line step version windows day days week weeks month months "
    "year years january february march april "
    "may june july august september october november december monday tuesday wednesday thursday "
    "friday saturday sunday "
)
