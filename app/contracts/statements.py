"""One plain-language line per field, built only from facts read out of the quote.

A statement never carries a figure its quote does not contain: each template fills in facts
returned verbatim by :mod:`app.contracts.facts`. When no fact can be read, a template gives the
clause's own operative words in quotation marks ("takes effect as the clause says: \"will
commence on the date above\"") rather than a description of what the clause is about, which
would read like a fact the contract does not state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.contracts import facts

Template = Callable[[str], str]
WORDS_CHARS = 140  # operative words quoted in a statement, cut at a word
_CLAUSE_END = re.compile(r"[.;](?=\s|$)|:\s")
_AUTOMATIC = re.compile(r"\bautomatic", re.IGNORECASE)
_CONSENT = re.compile(r"\bconsent\b", re.IGNORECASE)
_CHANGE_OF_CONTROL = re.compile(r"\bchange (?:of|in) control\b|\bmerger\b", re.IGNORECASE)
_TERMINATE = re.compile(r"\bterminat", re.IGNORECASE)
_EFFECTIVE = re.compile(r"\beffective|\bcommenc|\bbegin|\btake effect", re.IGNORECASE)
_EITHER = re.compile(r"\beither party\b|\beach party\b|\bany party\b|\bboth parties\b",
                     re.IGNORECASE)
_MUTUAL_INDEMNITY = re.compile(r"\beach party\b|\beither party\b|\bmutual", re.IGNORECASE)
_TAKES_EFFECT = re.compile(r"\b(?:(?:shall|will|is to|to) )?(?:become effective|be effective|"
                           r"commence|begin|take effect|effective (?:as of|on|upon|from)|is "
                           r"effective)\b", re.IGNORECASE)
_RENEW = re.compile(r"\brenew|\bextend|\bextension\b", re.IGNORECASE)
# what a renewal depends on: a party's consent, both parties agreeing, a party's option
_CONDITION = re.compile(
    r"\b(?:with|subject to|upon|on|after|by) (?:the )?(?:prior )?(?:mutual )?(?:express )?"
    r"(?:written )?(?:consent|approval|agreement)\b(?: of (?!this\b)[^,.;]{1,60}?(?=[,.;]|"
    r"\s+(?:which|and|for|upon|provided|unless|in)\b|$))?"
    r"|\bif (?:both|the) parties (?:so )?(?:mutually )?agree(?: in writing)?\b"
    r"|\bat the (?:sole )?option of [^,.;]{1,40}?(?=[,.;]|\s+(?:and|for|upon|by)\b|$)",
    re.IGNORECASE)
_TERM_WORDS = re.compile(r"\b(?:shall|will) (?:\w+ )?(?:continue|remain|expire|terminate|end)\b|"
                         r"\buntil\b|\bin perpetuity\b|\bperpetual\b|\bindefinite", re.IGNORECASE)
_LAW_WORDS = re.compile(r"\bgoverned by\b|\bconstrued\b|\blaws? of\b|\bgoverning law\b",
                        re.IGNORECASE)
_WARRANTY_WORDS = re.compile(r"\bwarrant|\bguarant", re.IGNORECASE)


def words_from(quote: str, pattern: re.Pattern[str]) -> str:
    """The clause's own words from ``pattern``'s first match to the end of that clause (cut
    at a word after ``WORDS_CHARS``), or "" when the pattern does not occur."""
    match = pattern.search(quote)
    if match is None:
        return ""
    rest = quote[match.start():]
    end = _CLAUSE_END.search(rest)
    words = rest[:end.start()] if end else rest
    if len(words) > WORDS_CHARS:
        words = words[:WORDS_CHARS].rsplit(" ", 1)[0] + " …"
    return words.strip(" ,")


def _as_said(lead: str, quote: str, pattern: re.Pattern[str], otherwise: str) -> str:
    words = words_from(quote, pattern)
    return f'{lead} as the clause says: "{words}".' if words else otherwise


def _parties(quote: str) -> str:
    names = facts.party_names(quote)
    if len(names) == 2:
        return f"The agreement is between {names[0]} and {names[1]}."
    return "The parties are named in the clause quoted; their names could not be read from it."


def _dated(quote: str) -> str:
    date = facts.first(facts.DATE, quote)
    return f"The agreement is dated {date}." if date else \
        "The clause quoted is where the agreement is dated; no date could be read from it."


def _effective(quote: str, further: Sequence[str] = ()) -> str:
    """A date said to be the effective one; the dated opening when the effective clause points
    back to the contract's date (``further`` holds that clause); else the clause's words."""
    operative = words_from(quote, _TAKES_EFFECT)
    date = facts.first(facts.DATE, operative) or facts.first(facts.DATE, quote)
    if date and not _EFFECTIVE.search(quote):  # the dated opening, quoted as the fallback
        back = next((clause for clause in further if facts.REFERS_BACK.search(clause)), "")
        words = _up_to_date(back)
        if words and not facts.number_and_date_tokens(words):
            return (f"The agreement takes effect on its date, {date}: the clause quoted next "
                    f'says it "{words}".')
        return f"No separate effective date is stated; the agreement is dated {date}."
    if date:
        return f"The agreement takes effect on {date}."
    return _as_said("The agreement takes effect", quote, _TAKES_EFFECT,
                    "The clause quoted says when the agreement takes effect; no date could be "
                    "read from it.")


def _up_to_date(clause: str) -> str:
    """"will commence on the date above": from the clause's taking effect to the date it
    points back to; "" when the clause does not say both in that order."""
    starts, back = _TAKES_EFFECT.search(clause), facts.REFERS_BACK.search(clause)
    if starts is None or back is None or back.start() < starts.start() or \
            back.end() - starts.start() > WORDS_CHARS:
        return ""
    return clause[starts.start():back.end()]


def _term(quote: str) -> str:
    duration = facts.first(facts.DURATION, quote)
    if duration:
        return f"The agreement runs for {duration} unless ended earlier."
    date = facts.first(facts.DATE, quote)
    return f"The agreement runs until {date}." if date else _as_said(
        "The agreement runs", quote, _TERM_WORDS,
        "The clause quoted sets how long the agreement runs; no period could be read from it.")


def renewal_condition(quote: str) -> str:
    """What renewal depends on (a party's consent, both agreeing, a party's option), in the
    clause's words, read from the sentence that renews; "" when it is not conditional."""
    renew = _RENEW.search(quote)
    if renew is None:
        return ""
    start = max(quote.rfind(". ", 0, renew.start()) + 1, 0)
    end = quote.find(". ", renew.end())
    condition = _CONDITION.search(quote[start:end if end >= 0 else len(quote)])
    return condition.group(0).strip() if condition else ""


def _renewal(quote: str) -> str:
    how = "renews automatically" if _AUTOMATIC.search(quote) else "can be renewed"
    duration = facts.first(facts.DURATION, quote)
    condition = renewal_condition(quote)
    tail = f", {condition}" if condition else ""
    return f"The agreement {how} for periods of {duration}{tail}." if duration else \
        f"The agreement {how}{tail}."


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
    return f"The agreement is governed by the laws of {article}{place}." if place else _as_said(
        "The governing law is set", quote, _LAW_WORDS,
        "The clause quoted names the governing law; no place could be read from it.")


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
    return f"The warranty lasts {duration}." if duration else _as_said(
        "The warranty period is set", quote, _WARRANTY_WORDS,
        "The clause quoted sets a warranty period; no length could be read from it.")


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


def statement_for(key: str, quote: str, further: Sequence[str] = ()) -> str:
    """The field's line from its best quote; ``further`` (the field's other quotes) is read
    only for context, never for a figure (the line is checked against ``quote`` alone)."""
    if key == "effective_date":
        return _effective(quote, further)
    return TEMPLATES[key](quote)
