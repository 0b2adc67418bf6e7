"""Unusual or risky terms, each a small rule over the fields found, cited like the fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from app.contracts import facts
from app.contracts.document import Passage
from app.contracts.summary import Citation, FieldResult, RiskItem

Rule = Callable[[Mapping[str, FieldResult]], RiskItem | None]
LONG_NOTICE_DAYS = 60
LONG_RESTRICTION_YEARS = 2
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
          "thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90, "hundred": 100}
_BROAD = re.compile(r"\bworldwide\b|\banywhere\b|\bthroughout the world\b|\bany (?:country|"
                    r"territory|jurisdiction)\b|\bany business\b|\bdirectly or indirectly\b",
                    re.IGNORECASE)
# "Lucent may terminate this Agreement without notice": one named party ends it at once
_WITHOUT_NOTICE = re.compile(
    r"\b(?P<who>[A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,3}) (?i:(?:may|shall (?:have|be entitled "
    r"to)|has|is entitled to|can)(?: the right to| the option to)?(?:,? (?:\w+ ){0,4}?)? "
    r"(?:immediately )?(?:terminate|cancel|rescind) (?:this|the) (?:\w+ )?(?:agreement|contract)"
    r"\b[^.;]{0,120}?\bwithout (?:any )?(?:prior |advance |further )?(?:written )?(?:notice|"
    r"notification)\b)")
_NOT_ONE_PARTY = re.compile(r"^(?:either|each|any|both|neither|no|this|such|it|notwithstanding|"
                            r"if|in|upon|provided)\b|^(?:the|a|an)(?: part(?:y|ies))?$|"
                            r"^the parties\b", re.IGNORECASE)
_BOTH_SIDES = re.compile(r"\beither party\b|\beach party\b|\bany party\b|\bboth parties\b|"
                         r"\bmutual", re.IGNORECASE)


def days_in(duration: str) -> int | None:
    """Approximate length in days of a duration such as "ninety (90) days" or "2 years"."""
    text = duration.lower()
    digits = re.search(r"\d+", text)
    count = int(digits.group(0)) if digits else next(
        (value for word, value in _WORDS.items() if re.search(rf"\b{word}\b", text)), None)
    unit = next((days for name, days in _UNITS.items() if name in text), None)
    return count * unit if count is not None and unit is not None else None


def _item(result: FieldResult, key: str, title: str, explanation: str) -> RiskItem:
    return RiskItem(key, title, explanation, result.key, result.citation, result.verified)


def _uncapped(fields: Mapping[str, FieldResult]) -> RiskItem | None:
    result = fields.get("uncapped_liability")
    if result is None or not result.found:
        return None
    return _item(result, "uncapped_liability", "Uncapped liability",
                 "Some liability is carved out of the cap and may be unlimited.")


def _no_cap(fields: Mapping[str, FieldResult]) -> RiskItem | None:
    result = fields.get("cap_on_liability")
    if result is None or result.found:
        return None
    return RiskItem("no_liability_cap", "No limitation of liability found",
                    "No clause limiting liability was found; check the whole agreement.",
                    "cap_on_liability")


def _auto_renewal(fields: Mapping[str, FieldResult]) -> RiskItem | None:
    renewal, notice = fields.get("renewal"), fields.get("renewal_notice")
    if renewal is None or not renewal.found or renewal.citation is None:
        return None
    if not re.search(r"\bautomatic", renewal.citation.quote, re.IGNORECASE):
        return None
    quote = notice.citation.quote if notice and notice.found and notice.citation else ""
    days = days_in(facts.first(facts.DURATION, quote)) if quote else None
    if days is not None and days >= LONG_NOTICE_DAYS and notice is not None:
        return _item(notice, "auto_renewal_long_notice", "Auto-renewal with long notice",
                     "The agreement renews automatically and stopping it needs long advance "
                     "notice (see the quote).")
    return _item(renewal, "auto_renewal", "Automatic renewal",
                 "The agreement renews automatically unless a party acts in time.")


def _unilateral(fields: Mapping[str, FieldResult]) -> RiskItem | None:
    result = fields.get("termination_for_convenience")
    if result is None or not result.found or result.citation is None:
        return None
    if _BOTH_SIDES.search(result.citation.quote):
        return None
    return _item(result, "unilateral_termination", "Unilateral termination",
                 "Only one party appears to have the right to end the agreement without cause.")


def _broad_non_compete(fields: Mapping[str, FieldResult]) -> RiskItem | None:
    result = fields.get("non_compete")
    if result is None or not result.found or result.citation is None:
        result = fields.get("exclusivity")
    if result is None or not result.found or result.citation is None:
        return None
    quote = result.citation.quote
    days = days_in(facts.first(facts.DURATION, quote))
    long = days is not None and days >= 365 * LONG_RESTRICTION_YEARS
    if not (long or _BROAD.search(quote)):
        return None
    return _item(result, "broad_non_compete", "Broad non-compete or exclusivity",
                 "The restriction is long or wide in scope (time, territory or activities).")


RULES: tuple[Rule, ...] = (_uncapped, _no_cap, _auto_renewal, _unilateral, _broad_non_compete)


def termination_without_notice(passages: Sequence[Passage]) -> RiskItem | None:
    """The first clause letting one named party end the agreement without notice (for any
    reason or on a ground such as a breach: the other party gets no time to cure or plan)."""
    for passage in passages:
        for match in _WITHOUT_NOTICE.finditer(passage.text):
            who = match.group("who")
            if _NOT_ONE_PARTY.match(who):
                continue
            citation = Citation(passage.page, passage.text, passage.start, passage.end,
                                passage.annex)
            return RiskItem("termination_without_notice", "Termination without notice",
                            f"{who} may end the agreement without notice (see the quote).",
                            "termination_for_convenience", citation, True)
    return None


def find_risks(fields: Mapping[str, FieldResult],
               passages: Sequence[Passage] = ()) -> tuple[RiskItem, ...]:
    """The risks read from the fields found, then those read from the contract's passages."""
    found = [item for rule in RULES if (item := rule(fields)) is not None]
    without_notice = termination_without_notice(passages)
    return tuple(found + ([without_notice] if without_notice else []))
