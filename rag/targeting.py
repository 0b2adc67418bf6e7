"""Which documents a question names: "the outsourcing agreement between CCA Industries and
Emerson Healthcare" names one contract among many, by its title, file name or parties.

Each document has a profile (title, file name, the opening of its first page). A question word
counts as naming when it is capitalised in the question (a proper name) or occurs in a
document's title or file name, and it weighs by how rare it is among the profiles (inverse
document frequency): "agreement" names nothing in a library of agreements, "Emerson" does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rag.store import STOPWORDS

MIN_SCORE = 2.0  # about two words found in one profile only, in a library of ten
# In a library of two or three, one word found in one profile only (log 2 or log 3) names it:
# "the co-branding agreement" beside a distributor agreement.
KEEP_WITHIN = 0.6  # documents scoring at least this share of the best are kept too
# A word this short names a document only through its title or file name ("3M"): "US" in a
# question is the country, not the filing whose first page happens to mention the US.
MIN_OPENING_WORD = 3
MAX_DOCUMENTS = 3
_POSSESSIVE = re.compile(r"['’]s$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'’.-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass(frozen=True)
class Target:
    doc_ids: tuple[str, ...]
    naming_words: tuple[str, ...]  # the words of the question that name the documents
    focus: str  # the question without them


def words(text: str) -> set[str]:
    return {_plain(word) for word in _WORD.findall(text)} - STOPWORDS


def _plain(word: str) -> str:
    """Lower case, without a possessive: "Pfizer's" names PFIZER_2021_10K.pdf."""
    return _POSSESSIVE.sub("", word.lower()).strip(".'’")


def named_documents(question: str, profiles: dict[str, str],
                    title_words: dict[str, set[str]]) -> Target:
    """The documents the question names (none when it names none clearly)."""
    if len(profiles) < 2:
        return Target((), (), question)
    vocabulary = {doc_id: words(text) for doc_id, text in profiles.items()}
    frequency = Counter(word for found in vocabulary.values() for word in found)
    naming = _naming_candidates(question, set().union(*title_words.values()))
    scores = {doc_id: sum(math.log(len(profiles) / frequency[word])
                          for word in naming & found if frequency[word] < len(profiles)
                          and (len(word) >= MIN_OPENING_WORD
                               or word in title_words.get(doc_id, ())))
              for doc_id, found in vocabulary.items()}
    best = max(scores.values())
    if best < min(MIN_SCORE, math.log(len(profiles))):
        return Target((), (), question)
    chosen = sorted((doc for doc, score in scores.items() if score >= KEEP_WITHIN * best),
                    key=lambda doc: -scores[doc])[:MAX_DOCUMENTS]
    common = {word for word, count in frequency.items() if count * 2 > len(profiles)}
    used = tuple(sorted((naming - common) & set().union(*(vocabulary[doc] for doc in chosen))))
    return Target(tuple(chosen), used, _without(question, used))


def _naming_candidates(question: str, title_vocabulary: set[str]) -> set[str]:
    found = set()
    for position, match in enumerate(_WORD.finditer(question)):
        word = match.group(0)
        lowered = _plain(word)
        if lowered in STOPWORDS:
            continue
        capitalised = word[0].isupper() and position > 0
        if capitalised or lowered in title_vocabulary:
            found.add(lowered)
        parts = lowered.split("-")
        if len(parts) > 1 and all(part in title_vocabulary for part in parts):
            found |= set(parts)  # "co-branding" names co_branding_agreement.pdf ("co branding")
    return found


def _without(question: str, naming: tuple[str, ...]) -> str:
    if not naming:
        return question
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in naming) + r")\b[.,]?",
                         re.IGNORECASE)
    text = pattern.sub(" ", question)
    text = re.sub(r"\b(?:between|among|with|of|by)\s+(?:and\s+)*(?=[?.!]|$)", " ", text)
    text = re.sub(r"\b(?:and\s+)+(?=[?.!]|$)", " ", text)
    text = re.sub(r"\b(?:the|a|an)\s+(?=[?.!]|$)", " ", text)
    text = re.sub(r"(?:(?<=\s)|^)-+(?=\s|$)", " ", text)  # what "co-branding" leaves
    return re.sub(r"\s+(?=[?.!])", "", " ".join(text.split()))
