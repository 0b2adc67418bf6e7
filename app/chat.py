"""ChatService: answer a question from a workspace's documents, evidence first.

1. Evidence (:mod:`app.answers.search`): the sentences of the documents that state the answer,
   found by retrieval and sentence ranking with no model, each verified word for word on its
   page. They are the answer's body, quoted with their [n] citation and page.
2. A short answer: the model words the evidence in one sentence, and that sentence is shown
   only if every figure and name in it is found in the evidence it cites
   (:func:`app.answers.grounding.unsupported`). Otherwise the evidence is shown with
   "Enclave could not phrase this reliably", never the unsupported sentence.
When retrieval finds nothing relevant it says so and does not ask the model at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.answers.evidence import EvidenceRanker
from app.answers.grounding import unsupported
from app.answers.phrasing import Phraser, evidence_context
from app.answers.search import EvidenceResult, Quote, find_evidence, scan_warning
from app.audit import NO_AUDIT, AuditTrail, sha256_text
from app.contracts.phrasing import shared_word_ratio
from core.errors import ModelError
from core.jobs import CancelFn, never_cancel
from models.prompts import Turn
from models.template_guard import TemplateRefused
from rag.documents import content_hash
from rag.errors import DocumentRefused
from rag.loaders import load_bytes, read_bytes
from rag.loaders.pdf import extract_page
from rag.retrieval import Hit, HybridRetriever

NOT_FOUND = ("Not found in your documents: nothing in this workspace is relevant enough to "
             "answer that. Try other words, or add the documents that cover it.")
NOT_PHRASED = "Enclave could not phrase this reliably. What the documents say:"
NOT_STATED = "Enclave found no sentence that states this directly. The closest passages:"
NO_TEMPLATE = "No short answer: the model's chat template cannot be used"
STOPPED = "Stopped before a short answer was checked. What the documents say:"
_CITATION = re.compile(r"\[(\d{1,3})(?:\s*,\s*(\d{1,3}))*\]")
_NUMBER = re.compile(r"\d{1,3}")
_QUOTE = re.compile(r"[\"“]([^\"”]{12,400})[\"”]")
_SPACE = re.compile(r"\s+")
PHRASED_QUOTES = 1  # the model sees the best quote only: with more it mixes their figures
# Most of the wording's longer words must come from the evidence or the question: a small model
# that keeps the figures right can still invent what they mean ("... of the date it was signed").
MIN_SHARED_WORDS = 0.75

TokenSink = Callable[[str], None]
QuoteSink = Callable[[tuple[Quote, ...]], None]


@dataclass(frozen=True)
class CitationCheck:
    """The check of one citation [n] against the page it cites."""

    number: int
    hit: Hit | None
    verified: bool
    detail: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # the short answer with its [n] when grounded, else why there is none
    sources: tuple[Hit, ...]
    citations: tuple[CitationCheck, ...] = field(default_factory=tuple)
    found: bool = True
    quotes: tuple[Quote, ...] = ()  # the evidence, best first
    grounded: bool = False  # True: ``text`` was checked against the quoted evidence
    draft: str = ""  # the model's wording, kept (never shown) when it failed the check
    problems: tuple[str, ...] = ()  # why the draft failed
    note: str = ""  # why no model was asked (it could not be installed or loaded), if so

    @property
    def all_citations_verified(self) -> bool:
        return all(citation.verified for citation in self.citations)


class ChatService:
    def __init__(self, retriever_for: Callable[[str], HybridRetriever], runtime: Any, *,
                 system_prompt: str = "", options: Any = None, top_k: int = 6,
                 min_relevance: float = 0.3, phrase: bool = True,
                 ensure_model: Callable[[], object] = lambda: None,
                 index_is_redacted: Callable[[str], bool] = lambda workspace: False,
                 audit: AuditTrail = NO_AUDIT,
                 answered_by: dict[str, str] | None = None) -> None:
        """``index_is_redacted(workspace)``: the workspace stores redacted text (its privacy
        policy), so citations are checked against the stored pages, never the files.
        ``answered_by``: which servers the sources and the model are on (audited)."""
        self._retriever_for, self.runtime = retriever_for, runtime
        self.system_prompt, self.options = system_prompt, options
        self.top_k, self.min_relevance, self.phrase = top_k, min_relevance, phrase
        self._ensure_model = ensure_model
        self._index_is_redacted, self._audit = index_is_redacted, audit
        self._answered_by = answered_by or {}

    def find_evidence(self, question: str, workspace: str,
                      doc_ids: Sequence[str] | None = None) -> EvidenceResult:
        retriever = self._retriever_for(workspace)
        return find_evidence(question, retriever, EvidenceRanker(retriever.embedder),
                             page_text=PageReader(retriever.page_text, from_files=not
                                                  self._index_is_redacted(workspace)).text,
                             top_k=self.top_k,
                             min_relevance=self.min_relevance, doc_ids=doc_ids)

    def ask(self, question: str, *, workspace: str, doc_ids: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: TokenSink = lambda piece: None,
            on_evidence: QuoteSink = lambda quotes: None,
            cancel: CancelFn = never_cancel) -> Answer:
        """``history`` is accepted for the callers' sake; an answer rests on evidence only."""
        self._audit.record("question", workspace=workspace, sha256=sha256_text(question))
        found = self.find_evidence(question, workspace, doc_ids)
        if not found.quotes:
            on_token(NOT_FOUND)
            answer = Answer(question, NOT_FOUND, (), found=False)
        else:
            on_evidence(found.quotes)
            answer = self._answer(question, found, cancel)
            on_token(answer.text)
        self._audit.record("answer", workspace=workspace, question_sha256=sha256_text(question),
                           found=answer.found, cited=_cited_pages(answer), **self._answered_by)
        return answer

    def _answer(self, question: str, found: EvidenceResult, cancel: CancelFn) -> Answer:
        quotes, sources = found.quotes, found.sources
        checks = tuple(_check_of(quote) for quote in _first_per_number(quotes))
        top = quotes[0]
        if found.kind.fact is not None and not top.evidence.fact:
            return Answer(question, NOT_STATED, sources, checks, True, quotes)
        if not self.phrase or cancel():
            return Answer(question, NOT_PHRASED, sources, checks, True, quotes)
        try:
            self._ensure_model()
        except ModelError as error:  # no room for the model, a missing file: evidence alone
            return Answer(question, NOT_PHRASED, sources, checks, True, quotes,
                          note=f"{error.message} The evidence below needs no model.")
        given = quotes[:PHRASED_QUOTES]
        try:
            draft = Phraser(self.runtime, self.options).phrase(
                question, evidence_context([(q.number, q.hit.source_name, q.hit.page, q.text)
                                            for q in given]), cancel)
        except TemplateRefused as refused:  # the evidence needs no model: shown as it is
            return Answer(question, f"{NO_TEMPLATE} ({refused.message.rstrip('.')}). "
                          "What the documents say:",
                          sources, checks, True, quotes, False, "", (refused.message,))
        if cancel():
            return Answer(question, STOPPED, sources, checks, True, quotes, False, draft)
        problems = tuple(phrase_problems(draft, given, found, question))
        if problems:
            return Answer(question, NOT_PHRASED, sources, checks, True, quotes, False, draft,
                          problems)
        marks = f" [{', '.join(map(str, _citing(draft, given)))}]"
        text = f"{draft[:-1]}{marks}{draft[-1]}" if draft[-1] in ".!?" else draft + marks
        return Answer(question, text, sources, checks, True, quotes, True, draft)


def phrase_problems(draft: str, given: Sequence[Quote], found: EvidenceResult,
                    question: str = "") -> list[str]:
    """Why the model's sentence may not be shown as the answer; empty when it may."""
    if len(draft.split()) < 2:
        return ["the model gave no usable sentence"]
    evidence = " ".join(quote.text for quote in given)
    problems = unsupported(draft, evidence)
    if not problems and found.kind.fact is not None and not found.kind.fact.search(draft):
        problems.append(f"the sentence does not state the {found.kind.key.replace('_', ' ')}")
    if not problems and shared_word_ratio(draft, evidence, question) < MIN_SHARED_WORDS:
        problems.append("the sentence uses words that are not in the evidence")
    return problems


def _citing(draft: str, given: Sequence[Quote]) -> list[int]:
    """The quote that supports the whole sentence, else all of those given."""
    for quote in given:
        if not unsupported(draft, quote.text):
            return [quote.number]
    return sorted({quote.number for quote in given})


def _first_per_number(quotes: Sequence[Quote]) -> list[Quote]:
    firsts: dict[int, Quote] = {}
    for quote in quotes:
        firsts.setdefault(quote.number, quote)
    return [firsts[number] for number in sorted(firsts)]


def _check_of(quote: Quote) -> CitationCheck:
    return CitationCheck(quote.number, quote.hit, quote.verified, quote.detail)


def cited_numbers(text: str) -> list[int]:
    numbers: list[int] = []
    for match in _CITATION.finditer(text):
        for number in map(int, _NUMBER.findall(match.group(0))):
            if number not in numbers:
                numbers.append(number)
    return numbers


def check_citations(text: str, sources: Sequence[Hit],
                    page_text: Callable[[Hit], str | None] | None = None) -> list[CitationCheck]:
    """One CitationCheck per distinct [n] in the answer, each checked against its page."""
    read_page = page_text or PageReader().text
    citations = []
    for number in cited_numbers(text):
        if not 1 <= number <= len(sources):
            citations.append(CitationCheck(number, None, False, "the answer cites a source that "
                                                          "was not given"))
            continue
        hit = sources[number - 1]
        citations.append(_check(number, hit, read_page(hit), _quotes_near(text, number)))
    return citations


def _check(number: int, hit: Hit, page: str | None, quotes: list[str]) -> CitationCheck:
    if page is None:
        return CitationCheck(number, hit, False, f"{hit.source_name} cannot be read any more")
    if page[hit.start:hit.end] != hit.text and hit.text not in page:
        return CitationCheck(number, hit, False, f"passage not found on page {hit.page}")
    flat = _flat(page)
    for quote in quotes:
        if _flat(quote) not in flat:
            return CitationCheck(number, hit, False, f"quoted text not on page {hit.page}: "
                                                f"\"{quote[:60]}\"")
    return CitationCheck(number, hit, True, f"verified on page {hit.page} of {hit.source_name}"
                                            f"{scan_warning(hit)}")


def _quotes_near(text: str, number: int) -> list[str]:
    """Quoted spans in the sentences that carry citation [number]."""
    quotes = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if number in cited_numbers(sentence):
            quotes += [match.group(1) for match in _QUOTE.finditer(sentence)]
    return quotes


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _cited_pages(answer: Answer) -> list[str]:
    """Document id and page ("<doc_id>:<page>") of each cited source, for the audit trail."""
    return sorted({f"{check.hit.doc_id}:{check.hit.page}" for check in answer.citations
                   if check.hit is not None})


class PageReader:
    """The text of a cited page, extracted again from the file on disk (when the file still
    holds the indexed content), else from the copy kept at ingest time."""

    def __init__(self, stored: Callable[[str, int], str | None] | None = None, *,
                 from_files: bool = True) -> None:
        self._stored, self._from_files = stored, from_files
        self._cache: dict[tuple[str, int], str | None] = {}

    def text(self, hit: Hit) -> str | None:
        key = (hit.doc_id, hit.page)
        if key not in self._cache:
            from_file = self._from_file(hit) if self._from_files else None
            self._cache[key] = from_file or (self._stored(*key) if self._stored else None)
        return self._cache[key]

    @staticmethod
    def _from_file(hit: Hit) -> str | None:
        path = Path(hit.path)
        try:
            data = read_bytes(path)
            if content_hash(data) != hit.doc_id:
                return None
            if data[:1024].find(b"%PDF-") >= 0:
                return extract_page(data, hit.page)
            return load_bytes(path, data).page(hit.page).text
        except (DocumentRefused, KeyError, IndexError, OSError):
            return None
