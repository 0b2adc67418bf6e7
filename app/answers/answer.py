"""What the answer pipeline hands back: the answer shown, its quoted evidence, the check of each
citation, and ``why``: the trace of the decisions that led to it, step by step."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.answers.search import Quote
from rag.retrieval import Hit

NOT_FOUND = ("Not found in your documents: nothing in this workspace is relevant enough to "
             "answer that. Try other words, or add the documents that cover it.")
NOT_PHRASED = "Enclave could not phrase this reliably. What the documents say:"
NOT_STATED = "Enclave found no sentence that states this directly. The closest passages:"
NO_TEMPLATE = "No short answer: the model's chat template cannot be used"
STOPPED = "Stopped before a short answer was checked. What the documents say:"
CLOSEST = "Closest passages, not an answer:"
# What an answer is: a checked answer on top of its evidence; an honest no (nothing of the
# kind asked about in the documents searched, the closest passages below it); weak evidence
# (the quotes under a notice); nothing relevant at all; or stopped by the user.
OUTCOMES = ("answered", "declined", "weak", "not_found", "stopped")


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
    text: str  # the answer with its [n] when grounded, else why there is none
    sources: tuple[Hit, ...]
    citations: tuple[CitationCheck, ...] = field(default_factory=tuple)
    found: bool = True
    quotes: tuple[Quote, ...] = ()  # the evidence, best first
    grounded: bool = False  # True: ``text`` was checked against the quoted evidence
    draft: str = ""  # the model's wording, kept (never shown) when it failed the check
    problems: tuple[str, ...] = ()  # why the draft failed
    why: tuple[str, ...] = ()  # each step's decision, in order: why this answer was shown
    outcome: str = "answered"  # one of OUTCOMES
    direct: bool = False  # ``text`` is the quote's own words (no model)
    note: str = ""  # why the model could not be used (not installed, not loaded, its template)

    @property
    def all_citations_verified(self) -> bool:
        return all(citation.verified for citation in self.citations)
