"""ChatService: answer a question from a workspace's documents, with checked citations.

It retrieves passages, numbers them as sources [1], [2]... for the prompt (the runtime trims
them to fit the model's context), streams the answer, and then checks every citation: the
cited passage, and any text the answer quotes next to it, must be found verbatim in the source
document at the cited page. When retrieval finds nothing relevant it says so and does not ask
the model at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.jobs import CancelFn, never_cancel
from models.prompts import PromptRequest, Turn
from rag.documents import content_hash
from rag.errors import DocumentRefused
from rag.loaders import load_bytes, read_bytes
from rag.loaders.pdf import extract_page
from rag.retrieval import Hit, HybridRetriever

NOT_FOUND = ("Not found in your documents: nothing in this workspace is relevant enough to "
             "answer that. Try other words, or add the documents that cover it.")
_CITATION = re.compile(r"\[(\d{1,3})(?:\s*,\s*(\d{1,3}))*\]")
_NUMBER = re.compile(r"\d{1,3}")
_QUOTE = re.compile(r"[\"“]([^\"”]{12,400})[\"”]")
_SPACE = re.compile(r"\s+")

TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class Citation:
    number: int
    hit: Hit | None
    verified: bool
    detail: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    sources: tuple[Hit, ...]
    citations: tuple[Citation, ...] = field(default_factory=tuple)
    found: bool = True

    @property
    def all_citations_verified(self) -> bool:
        return all(citation.verified for citation in self.citations)


class ChatService:
    def __init__(self, retriever_for: Callable[[str], HybridRetriever], runtime: Any, *,
                 system_prompt: str, options: Any = None, top_k: int = 6,
                 min_relevance: float = 0.3,
                 ensure_model: Callable[[], object] = lambda: None) -> None:
        self._retriever_for, self.runtime = retriever_for, runtime
        self.system_prompt, self.options = system_prompt, options
        self.top_k, self.min_relevance = top_k, min_relevance
        self._ensure_model = ensure_model

    def retrieve(self, question: str, workspace: str,
                 doc_ids: Sequence[str] | None = None) -> list[Hit]:
        hits = self._retriever_for(workspace).search(question, top_k=self.top_k,
                                                     doc_ids=doc_ids)
        return [hit for hit in hits if (hit.similarity or 0.0) >= self.min_relevance]

    def ask(self, question: str, *, workspace: str, doc_ids: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: TokenSink = lambda piece: None,
            cancel: CancelFn = never_cancel) -> Answer:
        sources = self.retrieve(question, workspace, doc_ids)
        if not sources:
            on_token(NOT_FOUND)
            return Answer(question, NOT_FOUND, (), found=False)
        self._ensure_model()
        request = PromptRequest(self.system_prompt, question, number_sources(sources),
                                tuple(history))
        guard = SourceEchoGuard(on_token)
        stream = self.runtime.stream(request, self.options, cancel=cancel)
        for piece in stream:
            if not guard.feed(piece):
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
                break
        text = guard.finish().strip()
        pages = PageReader(self._retriever_for(workspace).workspace.store.page_text)
        citations = check_citations(text, sources, pages.text)
        return Answer(question, text, tuple(sources), tuple(citations))


def number_sources(hits: Sequence[Hit]) -> str:
    return "\n".join(f"[{number}] ({hit.source_name}, page {hit.page}) {_one_line(hit.text)}"
                     for number, hit in enumerate(hits, 1))


def cited_numbers(text: str) -> list[int]:
    numbers: list[int] = []
    for match in _CITATION.finditer(text):
        for number in map(int, _NUMBER.findall(match.group(0))):
            if number not in numbers:
                numbers.append(number)
    return numbers


def check_citations(text: str, sources: Sequence[Hit],
                    page_text: Callable[[Hit], str | None] | None = None) -> list[Citation]:
    """One Citation per distinct [n] in the answer, each checked against its page."""
    read_page = page_text or PageReader().text
    citations = []
    for number in cited_numbers(text):
        if not 1 <= number <= len(sources):
            citations.append(Citation(number, None, False, "the answer cites a source that "
                                                          "was not given"))
            continue
        hit = sources[number - 1]
        citations.append(_check(number, hit, read_page(hit), _quotes_near(text, number)))
    return citations


def _check(number: int, hit: Hit, page: str | None, quotes: list[str]) -> Citation:
    if page is None:
        return Citation(number, hit, False, f"{hit.source_name} cannot be read any more")
    if page[hit.start:hit.end] != hit.text and hit.text not in page:
        return Citation(number, hit, False, f"passage not found on page {hit.page}")
    flat = _flat(page)
    for quote in quotes:
        if _flat(quote) not in flat:
            return Citation(number, hit, False, f"quoted text not on page {hit.page}: "
                                                f"\"{quote[:60]}\"")
    return Citation(number, hit, True, f"verified on page {hit.page} of {hit.source_name}")


def _quotes_near(text: str, number: int) -> list[str]:
    """Quoted spans in the sentences that carry citation [number]."""
    quotes = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if number in cited_numbers(sentence):
            quotes += [match.group(1) for match in _QUOTE.finditer(sentence)]
    return quotes


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class SourceEchoGuard:
    """Passes the answer on as it streams, but stops a (base) model that goes on to write
    numbered sources of its own, "[7] (file, page 3) ...", after its answer."""

    _ECHO = re.compile(r"\n\s*\[\d+\]\s*\(")
    _MAYBE = re.compile(r"\n\s*(\[\d*\]?\s*)?")

    def __init__(self, sink: TokenSink) -> None:
        self._sink, self._text, self._sent = sink, "", 0

    def feed(self, piece: str) -> bool:
        """False once the model has started echoing sources: stop generating."""
        self._text += piece
        echo = self._ECHO.search(self._text)
        if echo:
            self._text = self._text[:echo.start()]
            self._send(len(self._text))
            return False
        newline = self._text.rfind("\n")
        undecided = newline >= 0 and self._MAYBE.fullmatch(self._text[newline:])
        self._send(newline if undecided else len(self._text))
        return True

    def finish(self) -> str:
        self._send(len(self._text))
        return self._text

    def _send(self, end: int) -> None:
        if end > self._sent:
            self._sink(self._text[self._sent:end])
            self._sent = end


class PageReader:
    """The text of a cited page, extracted again from the file on disk (when the file still
    holds the indexed content), else from the copy kept at ingest time."""

    def __init__(self, stored: Callable[[str, int], str | None] | None = None) -> None:
        self._stored = stored
        self._cache: dict[tuple[str, int], str | None] = {}

    def text(self, hit: Hit) -> str | None:
        key = (hit.doc_id, hit.page)
        if key not in self._cache:
            self._cache[key] = self._from_file(hit) or (self._stored(*key) if self._stored
                                                        else None)
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
