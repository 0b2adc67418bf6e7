"""A name spaCy cut short is completed: "Ivana" in "Ivana K Horvatova" (a made-up name).

A person found with some confidence is extended over what follows it on the same line when that
is an initial and/or a capitalised word that is not a word of addresses, companies, job titles
or dates (``NOT_SURNAMES``): a surname written after a first name. Only to the right: the word
before a name is too often a greeting or a title ("Dear", "Dr").
"""

from __future__ import annotations

from dataclasses import replace

import regex

from app.privacy.findings import Finding
from app.privacy.furniture import FURNITURE_WORDS
from app.privacy.wordlists import words

MIN_SCORE = 0.6
# Not a word followed by a colon: the next form label ("Ann Lee Title: CEO").
_TAIL = regex.compile(r"\G(?:[ ]\p{Lu}\.?(?=[ ]))?[ ](?P<word>\p{Lu}[\p{Ll}'’-]+)"
                      r"(?![\p{L}\d])(?![ \t]*:)")
NOT_SURNAMES = words(
    "street st avenue ave road rd lane ln drive dr boulevard blvd way court ct place pl square "
    "suite apt unit floor building inc ltd llc llp plc corp co company group bank holdings "
    "partners associates university college school hospital clinic church club hotel "
    "general counsel director manager president officer chief senior vice head partner "
    "doctor nurse md rn phd esq ceo coo cfo cto chair chairman secretary treasurer "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "the and or of for from to in on at by with is was are were said says told "
)


def complete_names(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` with each confident PERSON extended over a following surname."""
    taken = sorted((f.start, f.end) for f in findings)
    completed = []
    for finding in findings:
        end = _completed_end(text, finding, taken) if finding.entity_type == "PERSON" \
            and finding.score >= MIN_SCORE else finding.end
        completed.append(replace(finding, end=end) if end != finding.end else finding)
    return completed


def _completed_end(text: str, finding: Finding, taken: list[tuple[int, int]]) -> int:
    tail = _TAIL.match(text, finding.end)
    if tail is None:
        return finding.end
    word = tail.group("word").casefold()
    if word in NOT_SURNAMES or word in FURNITURE_WORDS or \
            any(start < tail.end() and finding.end < end for start, end in taken):
        return finding.end
    return tail.end()
