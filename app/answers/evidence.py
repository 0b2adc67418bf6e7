"""Evidence first: the sentences of the retrieved passages that answer the question, ranked.

No model is involved. Every sentence of every passage is a candidate, kept with its exact
offsets on its page. A candidate's score adds its embedding similarity to the question, the
share of the question's content words it contains, whether it states the kind of fact the
question asks for (a duration for "how much notice", a jurisdiction for "which law"...) and
the drafting cues of that kind. The candidates are embedded in one batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.answers.questions import QuestionKind, kind_of
from app.contracts.document import split_spans, squash
from rag.embedder import Embedder
from rag.retrieval import Hit
from rag.store import STOPWORDS

SIMILARITY_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.6
FACT_WEIGHT = 0.8
MISSING_FACT_PENALTY = 0.6
CUE_WEIGHT = 0.35
PREAMBLE_WEIGHT = 0.5  # parties and dates are stated in a document's opening lines
PREAMBLE_CHARS = 2000
MIN_CHARS, MAX_CHARS = 20, 1200
EMBEDDED_CANDIDATES = 40  # the best by the cheap scores are embedded, the rest keep those
EMBED_CHARS = 320  # a sentence's opening says what it is about; shorter inputs embed faster
_TERM = re.compile(r"[a-z0-9]+")
# A short first line with no sentence end, in heading form ("## 6. Governing law",
# "14. GOVERNING LAW", "Term and Termination"), followed by a line break and a capital letter.
_HEADING_LINE = re.compile(
    r"[ \t]*(?P<mark>#{1,6}\s*|\*\*|(?:Section|SECTION|Article|ARTICLE)\s+)?"
    r"(?P<number>\d{1,2}(?:\.\d{1,2})*\.?\s+)?"
    r"(?P<words>[A-Z][A-Za-z&,'’ /-]{2,60})[.:]?(?:\*\*)?[ \t]*\n(?=\s*[A-Z(\d])")
_SMALL_WORDS = frozenset({"of", "and", "or", "the", "to", "for", "in", "on", "a", "an", "by"})
_QUESTION_FILLER = frozenset("""
much many long agreement contract document say says state states
stated need needed required require does do did
""".split())  # noqa: SIM905


@dataclass(frozen=True)
class Evidence:
    """One sentence of a retrieved passage; ``start``/``end`` index into its page's text."""

    hit: Hit
    start: int
    end: int
    text: str
    score: float = 0.0
    fact: str = ""
    heading: str = ""  # the heading line above the sentence, if it shared its block

    @property
    def page(self) -> int:
        return self.hit.page

    @property
    def flat(self) -> str:
        return squash(self.text)


def sentences(hits: Sequence[Hit]) -> list[Evidence]:
    """The sentences (or clause items) of the passages, each once, with page offsets; a
    heading line is split off and kept as the context of the sentences under it."""
    seen: set[tuple[str, int, int]] = set()
    found = []
    for hit in hits:
        for start, end, heading in _spans(hit.text):
            key = (hit.doc_id, hit.page, hit.start + start)
            text = hit.text[start:end]
            if key in seen or not MIN_CHARS <= len(text.strip()) <= MAX_CHARS:
                continue
            seen.add(key)
            found.append(Evidence(hit, hit.start + start, hit.start + end, text,
                                  heading=heading))
    return found


def _spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for start, end in split_spans(text):
        heading = ""
        line = _HEADING_LINE.match(text, start, end)
        if line and line.end() < end and _is_heading(line):
            heading = squash(text[start:line.end()]).lstrip("#* ")
            start = line.end()
            while start < end and text[start].isspace():
                start += 1
        spans.append((start, end, heading))
    return spans


def _is_heading(line: re.Match[str]) -> bool:
    """Numbered or marked, or in capitals or title case: not a wrapped line of a sentence."""
    words = line.group("words").split()
    title_case = all(word[0].isupper() or word.lower() in _SMALL_WORDS for word in words)
    return bool(line.group("mark") or line.group("number")) or title_case


def content_terms(text: str, *, extra_stopwords: frozenset[str] = frozenset()) -> set[str]:
    """Lower-case content words, plural cut, then cut to five letters (a crude stem:
    "terminate" ~ "termination", "parties" ~ "party")."""
    return {_stem(term) for term in _TERM.findall(text.lower())
            if len(term) > 2 and term not in STOPWORDS and term not in extra_stopwords}


def _stem(term: str) -> str:
    if term.endswith("ies") and len(term) > 4:
        term = term[:-3] + "y"
    elif term.endswith("s") and not term.endswith("ss"):
        term = term[:-1]
    return term[:5]


class EvidenceRanker:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def rank(self, question: str, hits: Sequence[Hit], *, kind: QuestionKind | None = None,
             focus: str = "") -> list[Evidence]:
        """Candidates best first. ``focus`` is the question without the words that name a
        document, which would otherwise match every sentence of that document."""
        return self.order(question, sentences(hits), kind=kind, focus=focus)

    def order(self, question: str, candidates: Sequence[Evidence], *,
              kind: QuestionKind | None = None, focus: str = "") -> list[Evidence]:
        """``candidates`` (sentences), best first for the question, scored as :meth:`rank`."""
        kind = kind or kind_of(question)
        if not candidates:
            return []
        asked = focus or question
        terms = content_terms(asked, extra_stopwords=_QUESTION_FILLER)
        scored = sorted((_scored(item, terms, kind) for item in candidates),
                        key=lambda item: -item.score)
        head, tail = scored[:EMBEDDED_CANDIDATES], scored[EMBEDDED_CANDIDATES:]
        vectors = self.embedder.embed([asked] + [item.flat[:EMBED_CHARS] for item in head])
        similarities = np.asarray(vectors[1:] @ vectors[0])
        head = [replace(item, score=item.score + SIMILARITY_WEIGHT * float(similarity))
                for item, similarity in zip(head, similarities, strict=True)]
        return sorted(head, key=lambda item: -item.score) + tail


def _scored(item: Evidence, terms: set[str], kind: QuestionKind) -> Evidence:
    """The score without embedding similarity: keywords, the fact asked for, the cues."""
    text = item.flat
    overlap = len(terms & content_terms(f"{item.heading} {text}")) / len(terms) if terms else 0.0
    score = KEYWORD_WEIGHT * overlap
    fact = ""
    if kind.fact is not None:
        match = kind.fact.search(text)
        fact = match.group(0).strip() if match else ""
        score += FACT_WEIGHT if fact else -MISSING_FACT_PENALTY
    score += CUE_WEIGHT * sum(weight for pattern, weight in kind.cues if pattern.search(text))
    if kind.preamble and item.page == 1 and item.start < PREAMBLE_CHARS:
        score += PREAMBLE_WEIGHT
    return Evidence(item.hit, item.start, item.end, item.text, score, fact)
