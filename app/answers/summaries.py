""""Summarize X": a document's summary as a chat answer, every line cited.

A contract gets its contract summary (:func:`app.contracts.service.summarize_text`, the rules
rescored by the clause classifier), one line per term found with the quote it rests on. Any
other document gets its main points by section: the first sentence under each heading.
Both are read from the pages the workspace stores, so every quote is checked on its page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from app.answers.direct import plain
from app.answers.evidence import Evidence, sentences
from app.answers.search import PageText, Quote, verify
from app.contracts.document import from_pages
from app.contracts.service import NotAContract, summarize_text
from rag.retrieval import Hit, HybridRetriever
from rag.store import DocumentRecord

# "Summarize ...", "a summary of ...", "give me an overview", "the main points of ...".
_SUMMARY = re.compile(r"^\s*(?:please\s+)?summari[sz]e\b|\bsummary\b|\boverview\b|"
                      r"\b(?:main|key)\s+points\b", re.IGNORECASE)
MAX_POINTS = 12


def asks_for_summary(question: str) -> bool:
    return bool(_SUMMARY.search(question))


def summary_lines(record: DocumentRecord, retriever: HybridRetriever,
                  page_text: PageText) -> tuple[list[str], tuple[Quote, ...], str]:
    """The summary's lines with their [n], the quotes they cite, and how it was made."""
    pages = tuple((number, retriever.page_text(record.doc_id, number) or "")
                  for number in range(1, record.pages + 1))
    path = record.paths[0] if record.paths else record.title
    contract = from_pages(Path(path), record.kind, record.title, pages)
    try:
        summary = summarize_text(contract, embedder=retriever.embedder)
    except NotAContract:
        return _section_points(record, retriever, page_text)
    quotes: list[Quote] = []
    lines = []
    for field in summary.fields:
        if not field.found or not field.verified or field.citation is None:
            continue
        citation = field.citation
        hit = _page_hit(record, path, citation.page, citation.start, citation.end, citation.quote)
        quote = _quote(Evidence(hit, citation.start, citation.end,
                                pages[citation.page - 1][1][citation.start:citation.end]),
                       quotes, page_text)
        lines.append(f"{field.label}: {field.statement} [{quote.number}]")
    found = sum(1 for field in summary.fields if field.found)
    return lines, tuple(quotes), f"contract summary: {found} of {len(summary.fields)} terms found"


def _section_points(record: DocumentRecord, retriever: HybridRetriever,
                    page_text: PageText) -> tuple[list[str], tuple[Quote, ...], str]:
    """The first sentence under each heading, in the document's order."""
    passages = retriever.openings([record.doc_id], record.chunks)
    quotes: list[Quote] = []
    lines: list[str] = []
    seen: set[str] = set()
    for item in sentences(passages):
        if not item.heading or item.heading in seen or len(lines) >= MAX_POINTS:
            continue
        seen.add(item.heading)
        quote = _quote(item, quotes, page_text)
        lines.append(f"{plain(item.heading).rstrip(':.')}: {plain(item.text)} [{quote.number}]")
    return lines, tuple(quotes), f"not a contract: the first sentence of {len(lines)} sections"


def _page_hit(record: DocumentRecord, path: str, page: int, start: int, end: int,
              text: str) -> Hit:
    return Hit(f"{record.doc_id[:32]}-p{page}-{start}", record.doc_id, path, record.title, page,
               start, end, text, 0.0, low_quality_scan=page in record.low_quality_pages)


def _quote(item: Evidence, quotes: list[Quote], page_text: PageText) -> Quote:
    """The quote of ``item``, numbered after those before it (the same text: the same [n])."""
    for known in quotes:
        known_at = (known.hit.doc_id, known.evidence.page, known.evidence.start)
        if known_at == (item.hit.doc_id, item.page, item.start):
            return known
    verified, detail = verify(item, page_text(item.hit))
    quote = Quote(len(quotes) + 1, item, verified, detail)
    quotes.append(quote)
    return quote


def scope_record(records: Sequence[DocumentRecord],
                 doc_ids: Sequence[str]) -> DocumentRecord | None:
    """The one document to summarize: the one named, or the workspace's only one."""
    chosen = [record for record in records if record.doc_id in doc_ids] if doc_ids else records
    return chosen[0] if len(chosen) == 1 else None
