"""A follow-up question read against the previous one: the conversation is context, not evidence.

"And for cause?", "what about the cap?", "and the co-branding agreement?", "who can terminate
it?" cannot be answered alone. A question is read as a follow-up of the previous one when, by
itself, it is under-specified:

- it opens elliptically, with a conjunction or "what about" ("and for cause?");
- it is a fragment, not a question of its own (no question word or auxiliary verb first), that
  asks no fact or clause kind of its own ("for cause?", but not "termination notice period");
- it refers back with a pronoun ("who can terminate it?") and names no document;
- it is too short to stand alone: no fact kind, no clause kind, no word of content ("Why?").

A follow-up is then understood as the previous question combined with it: what it asks of its
own (a fact kind, a clause kind, its form) wins, what it leaves open comes from the previous
question, and it is scoped to the documents it names, else those the previous question named,
else those the previous answer cited. Only the questions and the documents cited are carried
over: the previous answer's words are never evidence. An elliptical follow-up asks for another
case than the one answered, so the sentence that answered is not given as its answer again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from app.answers.evidence import content_terms
from app.answers.search import EvidenceResult, PageText, quotes_from
from app.answers.understand import Understood, content_words, form_of, scope_of
from rag.retrieval import HybridRetriever
from rag.targeting import Target

# Coordinating openings: the question continues the previous one ("and ...", "what about ...").
_ELLIPTICAL = re.compile(r"^\W*(?:and|or|but|also|plus|then|so|what\s+about|how\s+about|"
                         r"same\s+for|and\s+what\s+about|and\s+how\s+about)\b", re.IGNORECASE)
# A question of its own opens with a question word, an auxiliary verb or a request.
_OPENS_A_QUESTION = re.compile(
    r"^\W*(?:what|which|who|whom|whose|when|where|why|how|does|do|did|is|are|was|were|can|"
    r"could|may|might|must|shall|should|will|would|has|have|had|list|show|give|tell|find|"
    r"summari[sz]e|explain|describe|name|quote|compare|identify|extract|check|define)\b",
    re.IGNORECASE)
# Pronouns that point back at something the question does not name; a possessive ("its",
# "their") only when no word of the question before it can be what it points at ("Can the
# supplier assign its rights?").
_REFERS_BACK = re.compile(r"\b(?:it|they|them|the same|this one|that one)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:its|their|theirs)\b", re.IGNORECASE)
MAX_TURNS = 4  # how far back a chain of follow-ups is read


class TurnLike(Protocol):
    """A turn of the conversation (:class:`models.prompts.Turn`)."""

    @property
    def question(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def doc_ids(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Previous:
    """The previous turn as it was understood, with the documents its answer cited."""

    asked: Understood
    answer: str
    doc_ids: tuple[str, ...]


Understand = Callable[[str], Understood]


def previous_turn(history: Sequence[TurnLike], understand: Understand,
                  retriever: HybridRetriever) -> Previous | None:
    """The last turn, each turn of a chain ("and for cause?" after "how much notice?") read
    against the one before it."""
    previous: Previous | None = None
    for turn in history[-MAX_TURNS:]:
        asked = understand(turn.question)
        if previous is not None and follow_up_reason(asked):
            asked = combined(asked, previous, retriever)
        previous = Previous(asked, turn.answer, tuple(getattr(turn, "doc_ids", ()) or ()))
    return previous


def follow_up_reason(own: Understood) -> str:
    """Why the question alone is under-specified; "" when it stands on its own."""
    question = own.question.strip()
    if opening := _ELLIPTICAL.search(question):
        return f"it opens with '{' '.join(opening.group(0).lower().split()).strip('.,;:')}'"
    asks_a_kind = own.kind.fact is not None or own.clause is not None
    if not _OPENS_A_QUESTION.search(question) and not asks_a_kind:
        return "it is a fragment, not a question of its own"
    if not own.target.doc_ids and (pronoun := _refers_back(question)):
        return f"it refers back with '{pronoun}'"
    if not asks_a_kind and not content_words(question):
        return "it is too short to stand alone"
    return ""


def _refers_back(question: str) -> str:
    pronoun = _REFERS_BACK.search(question)
    if pronoun is None:
        pronoun = _POSSESSIVE.search(question)
        if pronoun is None or content_words(question[:pronoun.start()]):
            return ""
    return pronoun.group(0).lower()


def combined(own: Understood, previous: Previous, retriever: HybridRetriever) -> Understood:
    """``own`` read as a follow-up of ``previous``: its own kinds and form win, the previous
    question fills what it leaves open, and the scope carries over unless it names documents."""
    before = previous.asked
    kind = own.kind if own.kind.fact is not None else before.kind
    clause = own.clause if own.clause is not None else before.clause
    known = set(scope_of(retriever, ())[0])
    cited = tuple(doc for doc in previous.doc_ids if doc in known)  # a document since removed
    named = own.target.doc_ids or before.target.doc_ids or cited
    scope, names = scope_of(retriever, named)
    asks_itself = bool(_OPENS_A_QUESTION.search(own.question)) and not _ELLIPTICAL.search(
        own.question)
    opening = own.question if asks_itself else before.posed
    form = form_of(opening, kind, clause)
    focus = f"{before.target.focus.rstrip()} {own.target.focus.lstrip()}".strip()
    target = Target(tuple(named), own.target.naming_words, focus)
    topic = (own.topic or before.topic) if form == "open" else ""
    another_case = asks_another_case(own)
    return replace(own, question=f"{before.question.rstrip()} {own.question.lstrip()}",
                   kind=kind, clause=clause, target=target, form=form, scope=scope,
                   scope_names=names, topic=topic, follow_up=follow_up_reason(own),
                   previous=before.question, said=own.written,
                   opening=opening, another_case=another_case)


def asks_another_case(own: Understood) -> bool:
    """"And for cause?", "what about the cap?": the previous question for another case of the
    same documents, asking no fact or clause kind of its own ("what about the effective
    date?" asks its own; "and the co-branding agreement?" asks of another document)."""
    elliptical = bool(_ELLIPTICAL.search(own.question)) or not _OPENS_A_QUESTION.search(
        own.question)
    return elliptical and own.kind.fact is None and own.clause is None and \
        not own.target.doc_ids


def answered_before(sentence: str, previous_answer: str, said: str) -> bool:
    """Whether ``sentence`` gave the previous answer (its words, or its quote) and holds none
    of the follow-up's own words ("and the dose of lisinopril?" may be answered by it)."""
    if content_terms(said) & content_terms(sentence):
        return False
    answer = previous_answer.strip().split("\n\n")[-1]  # a note on the model may come first
    quoted = re.findall(r"\u201c([^\u201d]{8,})\u201d", answer)
    words = quoted[0] if quoted else re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", answer)
    words = _flat(words).rstrip(".")
    return len(words) >= 8 and words in _flat(sentence)


def _flat(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__", "", text).split()).lower()


def another_case(found: EvidenceResult, answer: str, said: str, page_text: PageText,
                 why: list[str]) -> EvidenceResult:
    """"And for cause?" after "ninety (90) days' written notice": the sentence that gave the
    previous answer goes last, so another case is answered if the documents state one."""
    again = [item for item in found.ranked if answered_before(item.flat, answer, said)]
    if not again or len(again) == len(found.ranked):
        return found
    why.append("the sentence of the previous answer is ranked last: the follow-up asks for "
               "another case")
    ranked = tuple(item for item in found.ranked if item not in again) + tuple(again)
    return replace(found, ranked=ranked, quotes=quotes_from(ranked, page_text))


def followed(asked: Understood) -> list[str]:
    """The first step of ``why`` for a follow-up."""
    if not asked.follow_up:
        return []
    return [f"read as a follow-up of the previous question \u201c{asked.previous}\u201d "
            f"({asked.follow_up}): understood as \u201c{asked.question}\u201d, in "
            f"{asked.where}; the conversation is context, not evidence"]
