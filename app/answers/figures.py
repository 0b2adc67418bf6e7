"""Figures written in many ways, read to one canonical form so they can be compared.

"ninety (90) days", "90 days" and "ninety days" are all the duration ``90 day``; "May 8, 2014",
"8th day of May, 2014" and "5/8/14" are all the date ``2014-05-08``. Used to check that a
sentence states no figure its evidence does not, and to score answers in the evaluation.
"""

from __future__ import annotations

import re
from datetime import date

from app.contracts.facts import MONTH

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
         "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD = "|".join([*UNITS, *TENS, *SCALES])
NUMBER_WORDS = re.compile(rf"\b(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*\b", re.IGNORECASE)
DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\w)|(?<![\w.,])\d+(?:\.\d+)?(?!\w)")
ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_UNIT_NAMES = {"day": "day", "business day": "day", "week": "week", "month": "month",
               "year": "year", "calendar day": "day"}
DURATION = re.compile(
    rf"\b(?P<count>\d+(?:\.\d+)?|(?:{_WORD})(?:[\s-]+(?:{_WORD}))*)(?:\s*\(\s*(?P<digits>\d+)\s*\))?"
    r"[\s-]+(?:\w+\s+)?(?P<unit>(?:calendar\s+|business\s+|working\s+)?(?:days?|weeks?|months?|years?))\b",
    re.IGNORECASE)
DATE_FORMS = (
    re.compile(rf"\b(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b",
               re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?P<month>{MONTH}),?\s+"
               r"(?:in\s+the\s+year\s+)?(?P<year>\d{4})\b", re.IGNORECASE),
    re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})\b"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)
MONTH_YEAR = re.compile(rf"\b(?P<month>{MONTH})\s+(?P<year>\d{{4}})\b", re.IGNORECASE)
PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)


def number_value(words: str) -> int | None:
    """The value of "twenty-four", "one hundred twenty" or "ninety"; None for other text."""
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and" or not word:
            continue
        if word in UNITS or word in TENS:
            current += UNITS.get(word, 0) + TENS.get(word, 0)
        elif word in SCALES:
            scale = SCALES[word]
            current = max(current, 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def numbers(text: str) -> set[float]:
    """Every number written in ``text``, in digits or in words ("ninety (90)" gives {90})."""
    found: set[float] = set()
    for match in DIGITS.finditer(text):
        found.add(float(match.group(0).replace(",", "")))
    for match in ORDINAL.finditer(text):
        found.add(float(match.group(1)))
    for match in NUMBER_WORDS.finditer(text):
        value = number_value(match.group(0))
        if value is not None:
            found.add(float(value))
    return found


def durations(text: str) -> set[tuple[float, str]]:
    """Durations as (count, unit); a year is also counted as 12 months."""
    found: set[tuple[float, str]] = set()
    for match in DURATION.finditer(text):
        count = match.group("digits") or match.group("count")
        value = float(count) if count[0].isdigit() else number_value(count)
        if value is None:
            continue
        unit = _unit(match.group("unit"))
        found.add((float(value), unit))
        if unit == "year":
            found.add((float(value) * 12, "month"))
        if unit == "month" and value % 12 == 0:
            found.add((float(value) / 12, "year"))
    return found


def _unit(raw: str) -> str:
    word = " ".join(raw.lower().split()).rstrip("s")
    return _UNIT_NAMES.get(word, word.split()[-1])


def dates(text: str) -> set[date]:
    """Every full date in ``text`` (month/day/year order for numeric dates, as US contracts)."""
    found: set[date] = set()
    for pattern in DATE_FORMS:
        for match in pattern.finditer(text):
            parsed = _date(match.group("year"), match.group("month"), match.group("day"))
            if parsed is not None:
                found.add(parsed)
    return found


def _date(year: str, month: str, day: str) -> date | None:
    number = int(month) if month.isdigit() else _MONTHS.index(month.lower()[:3]) + 1
    full_year = int(year) + (2000 if int(year) < 50 else 1900) if len(year) == 2 else int(year)
    try:
        return date(full_year, number, int(day))
    except ValueError:
        return None


def month_years(text: str) -> set[tuple[int, int]]:
    return {(int(match.group("year")), _MONTHS.index(match.group("month").lower()[:3]) + 1)
            for match in MONTH_YEAR.finditer(text)}
