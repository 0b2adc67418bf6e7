"""Is a sentence grounded in its evidence? Every figure and proper name in it must be there.

Figures are compared by value: "90 days" is supported by "ninety (90) days", "May 8, 2014" by
"8th day of May, 2014". Proper names (capitalised words other than the first) must occur in the
evidence as words. This is the chat's version of :mod:`app.contracts.grounding`, which checks a
contract summary's statements against their quotes.
"""

from __future__ import annotations

import re

from app.answers import figures

_NAME = re.compile(r"(?<![\w'’])[A-Z][A-Za-z&'’.-]*[A-Za-z]")
_WORD = re.compile(r"[a-z0-9]+")
_NOT_NAMES = frozenset("""
i a an the this that these those it its either neither each both any
all no none such under upon in on at by for from of to with within
after before during if unless until and or but not may shall will
must can yes
""".split())  # noqa: SIM905


def unsupported(sentence: str, evidence: str) -> list[str]:
    """What ``sentence`` states that ``evidence`` does not; empty when it is grounded."""
    problems = [f"the figure {_show(value)} is not in the evidence"
                for value in sorted(figures.numbers(sentence) - _numbers_of(evidence))]
    problems += [f"the date {day.isoformat()} is not in the evidence"
                 for day in sorted(figures.dates(sentence) - figures.dates(evidence))]
    words = set(_WORD.findall(evidence.lower()))
    problems += [f"the name '{name}' is not in the evidence" for name in names(sentence)
                 if not set(_WORD.findall(name.lower())) <= words]
    return problems


def _numbers_of(evidence: str) -> set[float]:
    """The evidence's numbers, plus the parts of its dates (a sentence may say "2014")."""
    found = figures.numbers(evidence)
    for day in figures.dates(evidence):
        found |= {float(day.year), float(day.month), float(day.day), float(day.year % 100)}
    return found


def names(sentence: str) -> list[str]:
    """Capitalised words that are not the sentence's first word nor common function words."""
    found = []
    for match in _NAME.finditer(sentence):
        word = match.group(0).rstrip(".")
        if match.start() == _first_letter(sentence) or word.lower() in _NOT_NAMES:
            continue
        if figures.NUMBER_WORDS.fullmatch(word) or figures.month_years(word + " 2000"):
            continue
        found.append(word)
    return found


def _first_letter(sentence: str) -> int:
    match = re.search(r"[A-Za-z]", sentence)
    return match.start() if match else -1


def _show(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
