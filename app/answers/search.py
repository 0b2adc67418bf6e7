"""From a question to quoted evidence: retrieval that finds the clause, then sentence ranking.

1. If the question names documents (by title, file name or parties), only they are searched,
   with the naming words taken out of the query.
2. The question's kind adds keywords to the keyword search ("governed", "laws" for "which law").
3. Each passage found brings the passage that follows it (a clause heading often ends one
   passage and its text starts the next), and for facts stated in a preamble (parties, dates)
   the opening passage of each document in play.
4. The sentences of all of these are ranked (:class:`app.answers.evidence.EvidenceRanker`) and
   the best are returned as quotes, each verified word for word on its page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.answers.evidence import Evidence, EvidenceRanker
from app.answers.questions import QuestionKind, kind_of
from app.contracts.document import squash
from rag.retrieval import Hit, HybridRetriever
from rag.targeting import Target

MAX_QUOTES = 3
OPENING_PASSAGES = 2  # a cover page may come before the preamble
QUOTE_MARGIN = 0.35
# A question asking for a kind of fact ("who are the parties?") is short and matches passages
# less well than a general one; its own cues judge the sentences, so less similarity will do.
TYPED_RELEVANCE_SHARE = 1 / 3  # further quotes are shown only when scored this close to the best
PageText = Callable[[Hit], str | None]


@dataclass(frozen=True)
class Quote:
    """A sentence shown as evidence, cited as source ``number``."""

    number: int
    evidence: Evidence
    verified: bool
    detail: str

    @property
    def hit(self) -> Hit:
        return self.evidence.hit

    @property
    def text(self) -> str:
        return self.evidence.flat


@dataclass(frozen=True)
class EvidenceResult:
    kind: QuestionKind
    target: Target
    passages: tuple[Hit, ...]  # everything the sentences were drawn from
    ranked: tuple[Evidence, ...]
    quotes: tuple[Quote, ...]
    relevant: bool  # False: the best passage is below the relevance threshold

    @property
    def sources(self) -> tuple[Hit, ...]:
        """One source per quoted passage, numbered as the quotes cite them."""
        by_number = {quote.number: quote.hit for quote in self.quotes}
        return tuple(by_number[number] for number in sorted(by_number))


def find_evidence(question: str, retriever: HybridRetriever, ranker: EvidenceRanker, *,
                  page_text: PageText, top_k: int = 6, min_relevance: float = 0.3,
                  doc_ids: Sequence[str] | None = None,
                  target: Target | None = None,
                  kind: QuestionKind | None = None) -> EvidenceResult:
    """``target``: the documents the question names, already found (their naming words out of
    its focus); else found here, or ``doc_ids`` searched with the whole question. ``kind``: the
    fact asked for, when already understood (a follow-up's); else read from the question."""
    kind = kind or kind_of(question)
    if target is None:
        target = Target(tuple(doc_ids), (), question) if doc_ids else \
            retriever.named_in(question)
    hits = retriever.search(target.focus, top_k=top_k, doc_ids=target.doc_ids or None,
                            keywords=f"{target.focus} {kind.keywords}")
    best = max((hit.similarity or 0.0 for hit in hits), default=0.0)
    needed = min_relevance * (TYPED_RELEVANCE_SHARE if kind.fact is not None else 1.0)
    if not hits or (best < needed and not target.doc_ids):
        return EvidenceResult(kind, target, tuple(hits), (), (), False)
    passages = hits + retriever.following(hits)
    if kind.preamble:
        documents = target.doc_ids or tuple(dict.fromkeys(hit.doc_id for hit in hits[:2]))
        passages += [hit for hit in retriever.openings(documents, OPENING_PASSAGES)
                     if hit.chunk_id not in {known.chunk_id for known in passages}]
    ranked = ranker.rank(question, passages, kind=kind, focus=target.focus)
    return EvidenceResult(kind, target, tuple(passages), tuple(ranked),
                          quotes_from(ranked, page_text), True)


def quotes_from(ranked: Sequence[Evidence], page_text: PageText) -> tuple[Quote, ...]:
    """The best sentence, and up to two more scored close to it, numbered by passage."""
    if not ranked:
        return ()
    chosen = [item for item in ranked[:MAX_QUOTES] if item.score >= ranked[0].score - QUOTE_MARGIN]
    numbers: dict[str, int] = {}
    quotes = []
    for item in chosen:
        number = numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)
        verified, detail = verify(item, page_text(item.hit))
        quotes.append(Quote(number, item, verified, detail))
    return tuple(quotes)


LOW_QUALITY_SCAN = "low-quality scan: check the original"


def scan_warning(hit: Hit) -> str:
    """Said with every citation of a page OCR read with low confidence."""
    return f" ({LOW_QUALITY_SCAN})" if hit.low_quality_scan else ""


def verify(item: Evidence, page: str | None) -> tuple[bool, str]:
    """The sentence must be on its page, word for word (line breaks aside)."""
    name = item.hit.source_name
    if page is None:
        return False, f"{name} cannot be read any more"
    if page[item.start:item.end] == item.text or squash(item.text) in squash(page):
        return True, f"verified on page {item.page} of {name}{scan_warning(item.hit)}"
    return False, f"not found on page {item.page} of {name}: the document changed"
