"""The checks an answer passes before it is shown as checked.

- :func:`wording_problems`: a model's wording may stand as the answer only if every figure and
  name in it is in the quote it cites (:func:`app.answers.grounding.unsupported`), it states the
  kind of fact asked for, and most of its words come from the quote or the question.
- :func:`check_citations`: each [n] of an answer against the page it cites, and any text quoted
  beside it word for word on that page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.answers.answer import CitationCheck
from app.answers.grounding import unsupported
from app.answers.pages import PageReader
from app.answers.questions import QuestionKind
from app.answers.search import Quote, scan_warning
from app.contracts.phrasing import shared_word_ratio
from rag.retrieval import Hit

# Most of the wording's longer words must come from the evidence or the question: a small model
# that keeps the figures right can still invent what they mean ("... of the date it was signed").
MIN_SHARED_WORDS = 0.75
_CITATION = re.compile(r"\[(\d{1,3})(?:\s*,\s*(\d{1,3}))*\]")
_NUMBER = re.compile(r"\d{1,3}")
_QUOTE = re.compile(r"[\"“]([^\"”]{12,400})[\"”]")
_SPACE = re.compile(r"\s+")


def wording_problems(draft: str, given: Sequence[Quote], kind: QuestionKind,
                     question: str = "") -> list[str]:
    """Why the model's sentence may not be shown as the answer; empty when it may."""
    if len(draft.split()) < 2:
        return ["the model gave no usable sentence"]
    evidence = " ".join(quote.text for quote in given)
    problems = unsupported(draft, evidence)
    if not problems and kind.fact is not None and not kind.fact.search(draft):
        problems.append(f"the sentence does not state the {kind.key.replace('_', ' ')}")
    if not problems and shared_word_ratio(draft, evidence, question) < MIN_SHARED_WORDS:
        problems.append("the sentence uses words that are not in the evidence")
    return problems


def citing(draft: str, given: Sequence[Quote]) -> list[int]:
    """The quote that supports the whole sentence, else all of those given."""
    for quote in given:
        if not unsupported(draft, quote.text):
            return [quote.number]
    return sorted({quote.number for quote in given})


def with_marks(sentence: str, numbers: Sequence[int]) -> str:
    """``sentence`` with its citation marks before its final stop: "... notice [1]."."""
    marks = f" [{', '.join(map(str, numbers))}]"
    return f"{sentence[:-1]}{marks}{sentence[-1]}" if sentence[-1] in ".!?" else sentence + marks


def quote_checks(quotes: Sequence[Quote]) -> tuple[CitationCheck, ...]:
    """One check per cited passage (its first quote), in citation order."""
    firsts: dict[int, Quote] = {}
    for quote in quotes:
        firsts.setdefault(quote.number, quote)
    return tuple(CitationCheck(number, firsts[number].hit, firsts[number].verified,
                               firsts[number].detail) for number in sorted(firsts))


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
