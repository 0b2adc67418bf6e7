"""One plain-language line per field, built only from facts read out of the quote.

A statement never carries a figure its quote does not contain: each template fills in facts
returned verbatim by :mod:`app.contracts.facts`, or falls back to a figure-free sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.contracts import facts

Template = Callable[[str], str]
_AUTOMATIC = re.compile(r"\bautomatic", re.IGNORECASE)
_CONSENT = re.compile(r"\bconsent\b", re.IGNORECASE)
_CHANGE_OF_CONTROL = re.compile(r"\bchange (?:of|in) control\b|\bmerger\b", re.IGNORECASE)
_TERMINATE = re.compile(r"\bterminat", re.IGNORECASE)
_EFFECTIVE = re.compile(r"\beffective|\bcommenc|\bbegin|\btake effect", re.IGNORECASE)
_EITHER = re.compile(r"\beither party\b|\beach party\b|\bany party\b|\bboth parties\b",
                     re.IGNORECASE)
_MUTUAL_INDEMNITY = re.compile(r"\beach party\b|\beither party\b|\bmutual", re.IGNORECASE)


def _parties(quote: str) -> str:
    names = facts.party_names(quote)
    if len(names) == 2:
        return f"The agreement is between {names[0]} and {names[1]}."
    return "The parties are named in the opening clause."


def _dated(quote: str) -> str:
    date = facts.first(facts.DATE, quote)
    return f"The agreement is dated {date}." if date else "The agreement date is in the clause."


def _effective(quote: str) -> str:
    date = facts.first(facts.DATE, quote)
    if date and not _EFFECTIVE.search(quote):  # the dated opening, quoted as the fallback
        return f"No separate effective date is stated; the agreement is dated {date}."
    return f"The agreement takes effect on {date}." if date else \
        "The clause defines when the agreement takes effect."


def _term(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    if duration:
        return f"The agreement runs for {duration} unless ended earlier."
    date = facts.first(facts.DATE, quote)
    return f"The agreement runs until {date}." if date else "The clause sets how long it runs."


def _renewal(quote: str) -> str:
    how = "renews automatically" if _AUTOMATIC.search(quote) else "can be renewed"
    duration = facts.first(facts.DURATION, quote)
    return f"The agreement {how} for periods of {duration}." if duration else \
        f"The agreement {how}."


def _renewal_notice(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    return f"Renewal is stopped by giving {duration} notice before the term ends." if duration \
        else "Renewal is stopped by notice before the term ends."


def _convenience(quote: str) -> str:
    who = "Either party" if _EITHER.search(quote) else "A party"
    duration = facts.first(facts.DURATION, quote)
    notice = f" on {duration} notice" if duration else ""
    return f"{who} may end the agreement without cause{notice}."


def _law(quote: str) -> str:
    place = facts.place_of_law(quote)
    article = "the " if place.split(" ")[0] in ("State", "Commonwealth", "Province") else ""
    return f"The agreement is governed by the laws of {article}{place}." if place else \
        "The clause names the governing law."


def _payment(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    amount = facts.first(facts.MONEY, quote)
    if duration:
        return f"Payment is due within {duration}." if "within" in quote.lower() else \
            f"Payment terms refer to {duration}."
    return f"Payment of {amount} is set out in the clause." if amount else \
        "The clause sets out how and when payment is made."


def _cap(quote: str) -> str:
    amount = facts.first(facts.MONEY, quote)
    return f"Liability is capped at {amount}." if amount else \
        "Liability is limited (for example, no indirect damages or a maximum amount)."


def _uncapped(quote: str) -> str:
    return "Some liability is excluded from the cap, so it may be unlimited."


def _indemnity(quote: str) -> str:
    return "The parties indemnify each other against claims." if _MUTUAL_INDEMNITY.search(
        quote) else "A party must indemnify the other against claims."


def _confidentiality(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    suffix = f" for {duration}" if duration else ""
    return f"Confidential information must be kept confidential{suffix}."


def _non_compete(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    suffix = f" lasting {duration}" if duration else ""
    return f"A party is restricted from competing{suffix}."


def _exclusivity(quote: str) -> str:
    return "A party has exclusive rights or must deal only with the other party."


def _assignment(quote: str) -> str:
    base = "The agreement cannot be assigned without consent." if _CONSENT.search(quote) else \
        "Assignment of the agreement is restricted."
    return base + (" A change of control is covered." if _CHANGE_OF_CONTROL.search(quote) else "")


def _change_of_control(quote: str) -> str:
    if _TERMINATE.search(quote):
        return "A change of control (merger, sale or new owner) can end the agreement."
    if _CONSENT.search(quote):
        return "A change of control (merger, sale or new owner) needs the other party's consent."
    return "The agreement says what happens on a change of control (merger, sale or new owner)."


def _audit(quote: str) -> str:
    return "A party may audit or inspect the other's books and records."


def _insurance(quote: str) -> str:
    amount = facts.first(facts.MONEY, quote)
    return f"A party must carry insurance (amounts include {amount})." if amount else \
        "A party must carry insurance."


def _warranty(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    return f"The warranty lasts {duration}." if duration else "The clause sets a warranty period."


TEMPLATES: dict[str, Template] = {
    "parties": _parties, "agreement_date": _dated, "effective_date": _effective,
    "term": _term, "renewal": _renewal, "renewal_notice": _renewal_notice,
    "termination_for_convenience": _convenience, "governing_law": _law,
    "payment_terms": _payment, "cap_on_liability": _cap, "uncapped_liability": _uncapped,
    "indemnification": _indemnity, "confidentiality": _confidentiality,
    "non_compete": _non_compete, "exclusivity": _exclusivity, "assignment": _assignment,
    "change_of_control": _change_of_control, "audit_rights": _audit,
    "insurance": _insurance, "warranty_duration": _warranty,
}

NOT_FOUND = "Not found."


def statement_for(key: str, quote: str) -> str:
    return TEMPLATES[key](quote)
