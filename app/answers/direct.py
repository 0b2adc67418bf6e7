"""The direct answer: the words of the quoted evidence that answer the question, verbatim.

No model is involved. For a fact ("how much notice?") it is the part of the best sentence that
states the fact, from its first statement to its last, completed by the few words that follow
up to the next break ("ninety (90) days' written notice"); for anything else it is the deciding
sentence itself. Only mark-up (``**bold**``) is left out.
"""

from __future__ import annotations

import re

MAX_TAIL_WORDS = 6  # "... five (5) years after the end of this Agreement"
MAX_FACT_GAP = 160  # characters between two statements of the fact still read as one answer
_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|^#+\s*")
# A tail stops at punctuation (a possessive's apostrophe aside) or where a new clause begins.
_TAIL_WORD = re.compile(r"['’]?\s*([A-Za-z][\w-]*)")
_CLAUSE_START = frozenset("""
and or but which that who unless provided if shall will may must is are was were being
whichever except subject so as
""".split())  # noqa: SIM905


def fact_span(sentence: str, fact: re.Pattern[str]) -> str:
    """The part of ``sentence`` stating ``fact``, with its completing words; "" if none."""
    matches = list(fact.finditer(sentence))
    if not matches:
        return ""
    start, end = matches[0].start(), matches[0].end()
    for match in matches[1:]:
        if match.start() - end > MAX_FACT_GAP:
            break
        end = match.end()
    return plain(sentence[start:_tail_end(sentence, end)])


def _tail_end(sentence: str, end: int) -> int:
    for _ in range(MAX_TAIL_WORDS):
        word = _TAIL_WORD.match(sentence, end)
        if word is None or word.group(1).lower() in _CLAUSE_START:
            break
        end = word.end()
    return end


def plain(text: str) -> str:
    """``text`` on one line without mark-up emphasis or heading signs."""
    return " ".join(_MARKUP.sub("", " ".join(text.split())).split())


def cited(text: str, number: int) -> str:
    """``text`` with its citation: "ninety (90) days' written notice [1]"; a sentence keeps its
    final stop after the mark."""
    text = text.rstrip()
    if text[-1:] in ".!?":
        return f"{text[:-1]} [{number}]{text[-1]}"
    return f"{text} [{number}]"


# "Does it have / contain / include ...?", "Is there ...?": asks whether such a clause exists.
_EXISTENCE = re.compile(r"\b(?:have|has|had|contain|contains|include|includes|there)\b",
                        re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|no|never|neither|nor|cannot)\b|n['’]t\b", re.IGNORECASE)
_CONDITIONS = re.compile(r"\b(?:unless|except|without|provided|subject to|only if|only with|"
                         r"only upon)\b", re.IGNORECASE)


def yes_no_lead(question: str, sentence: str, clause_name: str) -> str:
    """"Yes"/"No" first. Whether such a clause exists is yes (the scorer passed the passage);
    whether something may be done follows the clause's words: a bare prohibition is "No", a
    prohibition with its exceptions "Only on conditions", a permission "Yes"."""
    if _EXISTENCE.search(question):
        return f"Yes, there is a clause on {clause_name}"
    if _NEGATED.search(sentence):
        return "Only on conditions" if _CONDITIONS.search(sentence) else "No"
    return "Yes"
