"""Summarizing a contract: read it, find the clauses, phrase, check and flag. Qt-free.

The GUI calls :func:`summarize_contract` in a worker (it takes ``progress`` and ``cancel``)
and renders the :class:`ContractSummary`; the CLI does the same and exports it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from app.audit import NO_AUDIT, AuditTrail
from app.contracts import grounding, tracked
from app.contracts.document import ContractText, Passage, from_loaded, from_pages
from app.contracts.facts import MONEY
from app.contracts.fields import FIELDS, FieldSpec, spec_of
from app.contracts.finder import Match, choose_all, field_candidates
from app.contracts.risks import find_risks
from app.contracts.semantic import complement_for
from app.contracts.statements import NOT_FOUND, statement_for
from app.contracts.summary import Citation, ContractSummary, FieldResult
from core.errors import InputError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from rag.documents import file_hash, normalise_text
from rag.embedder import Embedder
from rag.loaders import load_document, read_bytes

log = logging.getLogger(__name__)

# Fields that, found together, mark a document as a contract.
CONTRACT_EVIDENCE = ("parties", "governing_law", "term", "assignment", "indemnification",
                     "confidentiality", "termination_for_convenience", "cap_on_liability")
_CONTRACT_WORDS = re.compile(r"\b(?:agreement|contract|hereby|hereto|hereunder|witnesseth|"
                             r"in witness whereof|the parties|shall|amendment)\b", re.IGNORECASE)
_PROMISE = re.compile(r"\b(?:agree[sd]?|promises?|undertakes?|agreement|contract|arrangement)\b",
                      re.IGNORECASE)
MIN_EVIDENCE = 2
STRONG_WORDING = 8  # contract words in the first two pages that make one clause enough


class NotAContract(InputError):
    """The document was read but does not look like a contract."""


class Phraser(Protocol):
    """Rewords a field's template statement in plain language (e.g. with the local model)."""

    def phrase(self, label: str, statement: str, quote: str) -> str: ...


def load_contract(path: Path, password: str | None = None) -> ContractText:
    """Pages and passages of a PDF, DOCX, TXT or HTML file (tracked changes accepted)."""
    path = Path(path)
    if path.suffix.lower() == ".docx" and path.is_file():
        accepted = tracked.accepted_text(read_bytes(path))
        if accepted is not None:
            pages = ((1, normalise_text(accepted.text)),)
            return from_pages(path, "docx", path.stem, pages, notes=(accepted.note,))
    return from_loaded(load_document(path, password))


def looks_like_contract(contract: ContractText, matches: dict[str, Match | None]) -> bool:
    """Contract clauses found, weighed against how much contract wording the opening has; or
    a plainly written agreement: a promise, a term, and parties (or a price) named."""
    evidence = sum(1 for key in CONTRACT_EVIDENCE if matches.get(key) is not None)
    opening = " ".join(text for _, text in contract.pages[:2])
    words = len(_CONTRACT_WORDS.findall(opening))
    if words >= STRONG_WORDING:
        return evidence >= 1
    return evidence >= MIN_EVIDENCE + (0 if words >= 3 else 2) or \
        informal_agreement(opening, matches)


def informal_agreement(opening: str, matches: dict[str, Match | None]) -> bool:
    """"This is a hosting agreement between A and B ... The term is 12 months": no legal
    boilerplate, but what makes a contract is there (parties who promise, for a time)."""
    if not _PROMISE.search(opening):
        return False
    has_term = matches.get("term") is not None or matches.get("effective_date") is not None
    named = matches.get("parties") is not None or bool(MONEY.search(opening))
    return has_term and named


def refusal(contract: ContractText, matches: dict[str, Match | None]) -> str:
    """Why the document is not taken for a contract, naming what was and was not found."""
    found = [spec_of(key).label.lower() for key in CONTRACT_EVIDENCE if matches.get(key)]
    seen = (f"only {' and '.join(found)} turned up, without the parties' promises and term "
            "that make a contract") if found else (
        "no parties, term, governing law or other contract clauses were found")
    return (f"{contract.path.name} does not look like a contract: {seen}, so there is nothing "
            "to summarize.")


def summarize_contract(
    path: Path,
    *,
    password: str | None = None,
    phraser: Phraser | None = None,
    allow_non_contract: bool = False,
    embedder: Embedder | None = None,
    audit: AuditTrail = NO_AUDIT,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> ContractSummary:
    """Summarize the contract at ``path``; raises NotAContract or a rag DocumentRefused.
    With ``embedder``, fields the rules miss are looked for by meaning too (see
    :mod:`app.contracts.semantic`)."""
    started = time.perf_counter()
    progress(0.0, f"Reading {Path(path).name}")
    contract = load_contract(path, password)
    check_cancelled(cancel)
    summary = summarize_text(contract, phraser=phraser, allow_non_contract=allow_non_contract,
                             embedder=embedder, progress=progress, cancel=cancel)
    audit.record("contract_summary", doc_id=file_hash(Path(path)),
                 phrased_by_model=phraser is not None)
    return _with_seconds(summary, time.perf_counter() - started)


def summarize_text(
    contract: ContractText,
    *,
    phraser: Phraser | None = None,
    allow_non_contract: bool = False,
    embedder: Embedder | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> ContractSummary:
    def scaled(fraction: float, message: str) -> None:
        progress(0.05 + 0.75 * fraction, message)

    candidates = field_candidates(contract, progress=scaled, cancel=cancel)
    found = choose_all(contract, FIELDS, candidates)
    matches = {key: quotes[0] if quotes else None for key, quotes in found.items()}
    if not allow_non_contract and not looks_like_contract(contract, matches):
        raise NotAContract(refusal(contract, matches))  # judged on the rules' clauses alone
    if embedder is not None:
        progress(0.8, "Looking for the remaining terms by meaning")
        candidates = complement_for(embedder).rescore(candidates, cancel=cancel)
        found = choose_all(contract, FIELDS, candidates)
        matches = {key: quotes[0] if quotes else None for key, quotes in found.items()}
    results = []
    for number, spec in enumerate(FIELDS):
        check_cancelled(cancel)
        progress(0.8 + 0.2 * number / len(FIELDS), f"Checking {spec.label.lower()}")
        results.append(field_result(spec, matches.get(spec.key), contract, phraser,
                                    found.get(spec.key, [])[1:]))
    progress(1.0, "Summary ready")
    return assemble(contract, tuple(results))


def field_result(spec: FieldSpec, match: Match | None, contract: ContractText,
                 phraser: Phraser | None = None,
                 further: Sequence[Match] = ()) -> FieldResult:
    """The field's statement built from its best quote; ``further`` places are cited too."""
    if match is None:
        return FieldResult(spec.key, spec.label, False, NOT_FOUND)
    citation = citation_of(match.passage)
    statement = statement_for(spec.key, citation.quote, [other.passage.text for other in further])
    page_text = contract.page_text(citation.page)
    wording = "template"
    if phraser is not None:
        phrased = _phrased(phraser, spec.label, statement, citation, page_text)
        statement, wording = phrased, ("model" if phrased != statement else wording)
    result = verified_result(spec.key, spec.label, statement, citation, page_text, wording)
    more = tuple(citation_of(other.passage) for other in further
                 if not grounding.quote_problems(citation_of(other.passage),
                                                 contract.page_text(other.passage.page)))
    return replace(result, more_citations=more)


def verified_result(key: str, label: str, statement: str, citation: Citation,
                    page_text: str | None, wording: str = "template") -> FieldResult:
    problems = grounding.check(statement, citation, page_text)
    return FieldResult(key, label, True, statement, citation, not problems, problems, wording)


def citation_of(passage: Passage) -> Citation:
    return Citation(passage.page, passage.text, passage.start, passage.end, passage.annex)


def _phrased(phraser: Phraser, label: str, statement: str, citation: Citation,
             page_text: str) -> str:
    """The phraser's wording when it passes the grounding check; the template's otherwise."""
    try:
        candidate = " ".join(phraser.phrase(label, statement, citation.quote).split())
    except Exception:  # a model failure must never lose the deterministic statement
        log.warning("phrasing %s by the model failed; the template statement stays", label,
                    exc_info=True)
        return statement
    ok = candidate and len(candidate) <= 240 and not grounding.check(candidate, citation,
                                                                        page_text)
    return candidate if ok else statement


def assemble(contract: ContractText, results: tuple[FieldResult, ...]) -> ContractSummary:
    by_key = {result.key: result for result in results}
    risks = find_risks(by_key, contract.passages)
    return ContractSummary(
        source=contract.path.name, title=contract.title, kind=contract.kind,
        page_count=contract.page_count, overview=overview(contract, by_key, len(risks)),
        fields=results, risks=risks, notes=contract.notes)


def overview(contract: ContractText, fields: dict[str, FieldResult], risk_count: int) -> str:
    found = [result for result in fields.values() if result.found]
    # not "<title>: N page(s).": the window, the exports and the CLI show both above it
    sentences: list[str] = []
    for key in ("parties", "term", "governing_law"):
        result = fields.get(key)
        if result is not None and result.found and result.verified:
            sentences.append(result.statement)
    sentences.append(f"{len(found)} of {len(fields)} terms found; "
                     f"{sum(1 for r in found if not r.verified)} unverified; "
                     f"{risk_count} unusual or risky term(s) flagged.")
    return " ".join(sentences)


def _with_seconds(summary: ContractSummary, seconds: float) -> ContractSummary:
    return replace(summary, seconds=round(seconds, 3))


__all__ = ["NotAContract", "Phraser", "load_contract", "summarize_contract", "summarize_text"]
