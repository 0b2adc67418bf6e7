"""Step 1 of the pipeline: what a question asks, of which documents, and what answers it.

- the kind of fact it asks for (:func:`app.answers.questions.kind_of`: a duration, a date...);
- the clause kind it asks about, recognised by meaning by the clause scorer (non-compete,
  assignment... the 41 CUAD categories), when one is given;
- the documents it names (:mod:`rag.targeting`), else every document of the workspace;
- the form of a direct answer: ``fact`` (a span of the quote), ``yes_no`` ("Yes"/"No" first,
  then the deciding clause), ``operative`` (the clause's own words) or ``open``;
- its topic: the word whose removal changes the question's meaning most (by the embedder),
  so an open question about something no document mentions can be declined honestly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app.answers.questions import QuestionKind, kind_of
from rag.retrieval import HybridRetriever
from rag.store import STOPWORDS
from rag.targeting import Target

FORMS = ("fact", "yes_no", "operative", "open")
# Stems of words any contract uses, too common to show that a sentence is about a clause.
_EVERYWHERE = frozenset({"noti", "peri", "date", "part", "agre", "righ", "stop"})
# A question that opens with an auxiliary verb is answered "yes" or "no".
_YES_NO = re.compile(r"^\s*(?:and\s+)?(?:does|do|did|is|are|was|were|can|could|may|might|must|"
                     r"shall|should|will|would|has|have|had)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Words every question uses whatever it asks about: never its topic.
_ASKING = frozenset("""
agreement contract document documents clause clauses provision provisions section say says
said state states stated mention mentions contain contains include includes term terms
summarize summarise summary overview explain describe
""".split())  # noqa: SIM905


class ClauseKindLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def answer(self) -> str: ...


class ClauseScoring(Protocol):
    """What the pipeline needs of :class:`app.answers.clauses.ClauseScorer`."""

    def recognise(self, question: str, question_vector: np.ndarray) -> ClauseKindLike | None: ...
    @property
    def uses_vectors(self) -> bool: ...
    def probabilities(self, key: str, texts: Sequence[str],
                      vectors: np.ndarray | None = None) -> np.ndarray: ...
    def passes(self, key: str, probability: float) -> bool: ...
    def usually_present(self, key: str) -> bool: ...


@dataclass(frozen=True)
class Understood:
    question: str
    kind: QuestionKind  # the fact asked for (GENERAL: none)
    clause: ClauseKindLike | None  # the clause kind asked about
    target: Target  # the documents the question names, and the question without their names
    form: str  # one of FORMS
    scope: tuple[str, ...]  # the documents searched: those named, else all
    scope_names: tuple[str, ...]  # their file names
    topic: str = ""  # the word the question is about (open questions)
    # A follow-up (app.answers.followup): why it was read so, the previous question it was
    # read against, and the question as the user wrote it (``question`` is then the two).
    follow_up: str = ""
    previous: str = ""
    said: str = ""
    opening: str = ""  # the question whose wording decides the form, if not ``question``
    another_case: bool = False  # "and for cause?": the previous question, for another case

    @property
    def written(self) -> str:
        """The question as the user wrote it."""
        return self.said or self.question

    @property
    def posed(self) -> str:
        """The question whose wording decides the answer's form ("Does ...?" asks yes or no):
        a follow-up's own, or for "and for cause?" the previous question's."""
        return self.opening or self.question

    @property
    def where(self) -> str:
        """The documents searched, for a message: "services_agreement.md", "these 61 documents"."""
        names = self.scope_names
        if not names:
            return "these documents"
        if len(names) <= 3:
            return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"these {len(names)} documents"


def understand(question: str, retriever: HybridRetriever, scorer: ClauseScoring | None = None,
               doc_ids: Sequence[str] | None = None) -> Understood:
    kind = kind_of(question)
    target = Target(tuple(doc_ids), (), question) if doc_ids else retriever.named_in(question)
    scope, names = scope_of(retriever, target.doc_ids)
    vector = retriever.embedder.embed([question])[0] if scorer is not None else None
    clause = scorer.recognise(question, vector) if scorer is not None and vector is not None \
        else None
    if clause is not None and not shares_a_word(question, clause):
        clause = None
    form = form_of(question, kind, clause)
    topic = topic_of(target.focus, retriever) if form == "open" else ""
    return Understood(question, kind, clause, target, form, scope, names, topic)


def scope_of(retriever: HybridRetriever,
             doc_ids: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The documents searched (those given, else all) and their file names."""
    records = {record.doc_id: record for record in retriever.workspace.documents()}
    scope = tuple(doc_ids) or tuple(records)
    return scope, tuple(_name(records[doc].paths, records[doc].title) for doc in scope
                        if doc in records)


def shares_a_word(question: str, clause: ClauseKindLike) -> bool:
    """A recognised kind is kept only when the question shares a word stem with its name or
    description: recognition by meaning alone took "What does the supplier deliver to the
    client?" for a question about insurance (and would have said "no clause on insurance")."""
    told = f"{clause.name} {clause.description}"
    return bool(_stems(question) & _stems(told))


def names_the_clause(sentence: str, clause: ClauseKindLike) -> bool:
    """The sentence uses a telling word of the clause kind's plain name ("liable" for
    "liability cap", "renew" for "renewal"); not a word every contract uses ("notice",
    "period"), which named a force-majeure sentence as the notice to stop renewal."""
    return bool(_stems(sentence) & (_stems(clause.name) - _EVERYWHERE))


def asks_yes_or_no(question: str) -> bool:
    """The question opens with an auxiliary verb ("Does...", "Is there...", "Can...")."""
    return bool(_YES_NO.search(question))


def _stems(text: str) -> set[str]:
    return {word[:4] for word in (re.sub(r"(?:ies|es|s|ing|ed)$", "", w) for w in
                                  content_words(text.replace("-", " "))) if len(word) >= 3}


def form_of(question: str, kind: QuestionKind, clause: ClauseKindLike | None) -> str:
    """A clause kind recognised decides the form, except a kind whose answer is a fact; then a
    fact asked for; else the question is open."""
    if clause is not None and clause.answer != "fact":
        return "yes_no" if asks_yes_or_no(question) or clause.answer == "yes_no" \
            else "operative"
    return "fact" if kind.fact is not None else "open"


def _name(paths: Sequence[str], title: str) -> str:
    return Path(paths[0]).name if paths else title


def content_words(text: str) -> list[str]:
    """The words that can carry a question's topic, in order, each once."""
    found: list[str] = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        if lowered not in STOPWORDS and lowered not in _ASKING and len(lowered) > 2 \
                and lowered not in found:
            found.append(lowered)
    return found


def topic_of(focus: str, retriever: HybridRetriever) -> str:
    """The content word whose removal moves the question's meaning most (its embedding)."""
    words = content_words(focus)
    if len(words) <= 1:
        return words[0] if words else ""
    variants = [re.sub(rf"\b{re.escape(word)}\b", " ", focus, flags=re.IGNORECASE)
                for word in words]
    vectors = retriever.embedder.embed([focus, *variants])
    similarity = np.asarray(vectors[1:] @ vectors[0])
    return words[int(np.argmin(similarity))]


def mentioned(word: str, retriever: HybridRetriever, doc_ids: Sequence[str]) -> bool:
    """Whether any passage of the documents holds ``word`` (or a word of the same stem)."""
    parts = [part for part in re.split(r"[^a-z0-9]+", word.lower()) if len(part) > 1]
    return bool(parts) and bool(retriever.workspace.keyword_search(
        " ".join(parts), 1, list(doc_ids) or None)) and all(
        retriever.workspace.keyword_search(part, 1, list(doc_ids) or None) for part in parts)
