"""Small facts read out of a clause: dates, durations, amounts, places, party names.

Every fact is returned as the exact substring of the clause it came from, so a statement built
from facts can always be checked against its quote.
"""

from __future__ import annotations

import re

MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
         r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
)
_NUMBER_WORD = r"(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-](?:" + "|".join(NUMBER_WORDS) + r"))*"
_COUNT = rf"(?:\d+|{_NUMBER_WORD})(?:\s*\(\d+\))?"

# an ordinal as written, or as a PDF's text layer splits it ("19t h", "15 th")
_ORDINAL = r"(?:\s?(?:st|nd|rd|th)|[snrt] [tdh])?"
DATE = re.compile(
    rf"\b{MONTH}\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}{_ORDINAL}\s+(?:day\s+of\s+)?{MONTH},?\s+\d{{4}}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b{MONTH}\s+\d{{4}}\b"
    # a form's date left for filling in at signing ("September __, 2018", "__ day of May, 2020")
    rf"|\b{MONTH}\s+_{{2,}}\s*,?\s+\d{{4}}\b|(?<!\w)_{{2,}}\s+(?:day\s+of\s+)?{MONTH},?\s+"
    r"\d{4}\b",
    re.IGNORECASE,
)
DURATION = re.compile(
    rf"\b{_COUNT}[\s-]+(?:\w+\s+)?(?:calendar\s+|business\s+|working\s+|consecutive\s+)?"
    r"(?:days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
MONEY = re.compile(
    r"(?:US\s?|U\.S\.\s?)?\$\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand))?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|USD|EUR|euros|pounds)\b",
    re.IGNORECASE,
)
PLACE = re.compile(
    r"\blaws?\s+of\s+(?:the\s+)?((?:State|Commonwealth|Province|Republic|Kingdom|People's Republic)"
    r"\s+of\s+[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)?|[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)?)"
)
_PARTY_SPLIT = re.compile(r"\b(?:by\s+and\s+)?between:?\s+(.+?)\s*,?\s+and:?\s+(.+?)(?:[.;]|$)",
                          re.IGNORECASE | re.DOTALL)
_NAME_END = re.compile(r"\s*(?:,(?!\s*(?:Inc|LLC|L\.L\.C|Ltd|L\.P|LP|Corp|N\.A|S\.A|plc)\b)|\(|"
                       r"\ba\s+[A-Z][a-z]+\s+(?:corporation|company)|\bhaving\b|"
                       r"\bwith\s+(?:its|a)\b|\bwhose\b|\blocated\b|\borganized\b)")

# an effective-date clause that points back to the contract's own date
REFERS_BACK = re.compile(r"\bdate (?:first )?(?:(?:written|set forth|stated|appearing|shown|"
                         r"indicated) )?(?:above|hereof)\b|\bdate of (?:this|the) (?:\w+ )?"
                         r"agreement\b|\b(?:execution|signing) (?:date|of this (?:\w+ )?"
                         r"agreement)\b", re.IGNORECASE)


def first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0).strip() if match else ""


_JURISDICTION = re.compile(r"\b(?:State|Commonwealth|Province|Republic|Kingdom) of [A-Z][A-Za-z]+"
                           r"(?:\s+[A-Z][A-Za-z]+)?")


def place_of_law(text: str) -> str:
    match = PLACE.search(text) or _JURISDICTION.search(text)
    return match.group(match.lastindex or 0).strip() if match else ""


def party_names(text: str) -> tuple[str, ...]:
    """The two names after "between ... and ...", cut at the first comma or parenthesis."""
    match = _PARTY_SPLIT.search(text)
    if not match:
        return ()
    names = []
    for raw in match.groups():
        name = _NAME_END.split(raw, maxsplit=1)[0].strip(" ,;:\"“”")
        if 1 < len(name) <= 120:
            names.append(name)
    return tuple(names)


NUMERIC_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")
WORD_NUMBER = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
MONTH_WORD = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|"
                        r"October|November|December)\b")


def number_and_date_tokens(text: str) -> list[str]:
    """Every figure, number word and month name in ``text``, as written."""
    tokens = [token.rstrip(".,") for token in NUMERIC_TOKEN.findall(text)]
    tokens += WORD_NUMBER.findall(text)
    tokens += MONTH_WORD.findall(text)
    return [token for token in tokens if token]
