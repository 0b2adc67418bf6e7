"""The checks an answer passes before it is shown as checked.

- :func:`wording_problems`: a model's wording may stand as the answer only if every figure and
  name in it is in the quote it cites (:func:`app.answers.grounding.unsupported`), it states the
  kind of fact asked for, and most of its words come from the quote or the question.
- :func:`checked_sentences`: an instruction model's answer of several sentences, each checked
  against the quote it cites; the sentences that fail are dropped.
- :func:`check_citations`: each [n] of an answer against the page it cites, and any text quoted
  beside it word for word on that page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


_BREAK = re.compile(r"(?<=[.!?])(\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])?\s+(?=[A-Z\"“(])")


def sentences_of(draft: str) -> list[str]:
    """The sentences of a wording, each with the citation marks written after it."""
    parts, start = [], 0
    for found in _BREAK.finditer(draft):
        parts.append(draft[start:found.start()] + (found.group(1) or ""))
        start = found.end()
    parts.append(draft[start:])
    return [part.strip() for part in parts if part.strip()]


@dataclass(frozen=True)
class Checked:
    """An instruction model's wording, sentence by sentence."""

    kept: tuple[tuple[str, tuple[int, ...]], ...]  # each sentence kept, with the quotes it cites
    dropped: tuple[str, ...]  # each sentence dropped, and why

    @property
    def text(self) -> str:
        return " ".join(with_marks(sentence, numbers) for sentence, numbers in self.kept)


def checked_sentences(draft: str, given: Sequence[Quote], question: str = "") -> Checked:
    """Each sentence of ``draft`` against the quotes it cites (a sentence citing none, against
    the quote that holds its figures and names and most of its words): kept when every figure
    and name in it is in them and most of its words come from them or the question."""
    kept, dropped = [], []
    for part in sentences_of(draft):
        sentence = _CITATION.sub("", part).strip()
        sentence = re.sub(r"\s+([.!?,;:])", r"\1", sentence)
        numbers, problem = _cited_quotes(part, sentence, given)
        evidence = " ".join(quote.text for quote in given if quote.number in numbers)
        problems = [problem] if problem else unsupported(sentence, evidence)
        if not problems and shared_word_ratio(sentence, evidence, question) < MIN_SHARED_WORDS:
            problems.append("it uses words that are not in the quote it cites")
        if problems:
            shown = sentence if len(sentence) <= 80 else sentence[:79] + "\u2026"
            dropped.append(f"\u201c{shown}\u201d: {'; '.join(problems)}")
        else:
            kept.append((sentence, numbers))
    return Checked(tuple(kept), tuple(dropped))


def _cited_quotes(part: str, sentence: str, given: Sequence[Quote]) -> tuple[tuple[int, ...], str]:
    if len(sentence.split()) < 2:
        return (), "no usable sentence"
    known = {quote.number for quote in given}
    cited = cited_numbers(part)
    if cited:
        if not set(cited) <= known:
            return (), "it cites a source it was not given"
        return tuple(cited), ""
    holding = [quote for quote in given if not unsupported(sentence, quote.text)]
    if not holding:
        return (), "it cites no quote"
    best = max(holding, key=lambda quote: shared_word_ratio(sentence, quote.text))
    return (best.number,), ""


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
