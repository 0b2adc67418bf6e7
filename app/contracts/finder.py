"""Clause finder: score every passage of every page against each field and keep the best.

Plain pattern scoring (see :mod:`app.contracts.fields`) over sentences with their clause
heading. It is deterministic, needs no model and reads hundreds of pages per second.

Three pieces of legal drafting are read as well:

- a definition (``"Change of Control" means ...``) has its defined term as its heading, so the
  definitions section answers a field the way a clause titled with the field's name does;
- a field often sits in more than one place (an exclusive grant in the licence clause and a
  restriction in the covenants); other passages that score nearly as well as the best one, away
  from it, are kept as further quotes (at most ``MAX_QUOTES``);
- a quote that refers to another clause ("as set forth in Section 12.2") brings that clause in
  as a further quote when it is itself a candidate for the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.contracts.document import ContractText, Passage, squash
from app.contracts.facts import DATE, REFERS_BACK
from app.contracts.fields import (
    ANNEX_PENALTY,
    COMMON_CUES,
    FIELDS,
    HEADING_WEIGHT,
    PAGE_PENALTY,
    SHORT_PENALTY,
    FieldSpec,
)
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress

HEADING_CHARS = 90
PAGE_CHARS = 4000  # about a printed page of a contract
MAX_QUOTES = 3
EXTRA_MARGIN = 1.0  # a further quote scores at most this much below the best one
OPENING_PASSAGES = 40  # cover-page windows are read among the first passages only
WINDOW_PASSAGES = 6
WINDOW_CHARS = 500
WINDOW_PENALTY = 1.0  # a window wins over its own passages only when it adds a cue
LIST_ITEMS = 6
LIST_CHARS = 1200
_SENTENCE_DONE = re.compile(r"[.!?][\"”')]?$")
_LIST_ITEM = re.compile(r"^\(?(?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s")
SIGNATURE_LINE_CHARS = 160
_SIGNED_ON = re.compile(r"(?:\bdated?\s*:?\s*|^[A-Z][\w ./-]{0,40},\s*)(?:" + DATE.pattern + ")",
                        re.IGNORECASE)
NEARBY = 1  # passages this close to a kept quote are the same place, not another one
_DEFINITION = re.compile(r"^\W{0,3}(?:\d+(?:\.\d+)*\.?\s+)?[\"“]([A-Z][^\"”]{1,60})[\"”]\s+"
                         r"(?:shall\s+)?(?:means?|has the meaning|shall have the meaning|"
                         r"refers? to|includes?)\b")
# "9.5 Limitation of Liability." : a run-in clause title, every word capitalized but the small ones
_TITLE = re.compile(r"^\W{0,3}(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:[A-Z][\w'’/-]*|of|and|or|to|for|on|in|"
                    r"the|&)\s*){1,8}\.$")
_REFERENCE = re.compile(r"\b(?:Section|Sections|Article|Clause|Paragraph)\s+(\d+(?:\.\d+)*)",
                        re.IGNORECASE)
_NUMBERED = re.compile(r"^\W{0,3}(?:(?:Section|Article|Clause)\s+)?(\d+(?:\.\d+)*)\.?\s",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    field: str
    passage: Passage
    score: float


def score(spec: FieldSpec, passage: Passage, heading: str = "") -> float:
    """The passage's score for the field, or 0.0 when it is not a candidate."""
    text = passage.text
    page = reading_page(passage)
    if spec.first_pages and page > spec.first_pages:
        return 0.0
    if not all(pattern.search(text) for pattern in spec.required):
        return 0.0
    total = 1.0 + sum(weight for pattern, weight in spec.cues + COMMON_CUES
                      if pattern.search(text))
    if spec.heading is not None and spec.heading.search(heading or text[:HEADING_CHARS]):
        total += HEADING_WEIGHT
    if spec.first_pages:
        total -= PAGE_PENALTY * (page - 1)
    if len(text) < spec.min_chars:
        total -= SHORT_PENALTY
    return total - (ANNEX_PENALTY if passage.annex else 0.0)


def reading_page(passage: Passage) -> int:
    """The page a passage would be on in print: a text, Word or HTML file is one long page,
    so its offset counts pages of ``PAGE_CHARS`` (a PDF page's offset rarely reaches one)."""
    return passage.page + passage.start // PAGE_CHARS


def headings(passages: Sequence[Passage]) -> list[str]:
    """For each passage, the short heading-like passage before it (or its own opening words);
    a definition's heading is the term it defines."""
    found, current = [], ""
    for passage in passages:
        defined = _DEFINITION.match(passage.text)
        if defined:
            found.append(defined.group(1))
        else:
            found.append(current + " " + passage.text[:HEADING_CHARS] if current else
                         passage.text[:HEADING_CHARS])
        current = passage.text if len(passage.text) < 70 and (
            not passage.text.endswith(".") or _TITLE.match(passage.text)) else ""
    return found


def find_all_clauses(
    contract: ContractText,
    fields: Sequence[FieldSpec] = FIELDS,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> dict[str, list[Match]]:
    """For each field its quotes, the best first (empty when nothing scores high enough)."""
    return choose_all(contract, fields,
                      field_candidates(contract, fields, progress=progress, cancel=cancel))


def choose_all(contract: ContractText, fields: Sequence[FieldSpec],
               candidates: dict[str, list[Match]]) -> dict[str, list[Match]]:
    """Each field's quotes from its candidates (see :func:`chosen`), with the date fallbacks."""
    sections = section_starts(contract.passages)
    found = {spec.key: chosen(spec, candidates[spec.key], sections) for spec in fields}
    return with_fallbacks(found, contract)


def field_candidates(
    contract: ContractText,
    fields: Sequence[FieldSpec] = FIELDS,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> dict[str, list[Match]]:
    """For each field every passage and window that scores above 0, in reading order (windows
    after the passages), whether or not it reaches the field's ``min_score``."""
    candidates: dict[str, list[Match]] = {spec.key: [] for spec in fields}
    leads = headings(contract.passages)
    total = max(1, len(contract.passages))
    for number, passage in enumerate(contract.passages):
        if number % 200 == 0:
            check_cancelled(cancel)
            progress(number / total, f"Reading page {passage.page} of {contract.page_count}")
        for spec in fields:
            value = score(spec, passage, leads[number])
            if value > 0:  # a candidate: a clause a quote refers to needs no more
                candidates[spec.key].append(Match(spec.key, passage, value))
    windows = [(window, True) for window in opening_windows(contract)]
    windows += [(window, False) for window in list_windows(contract)]
    for window, opening in windows:
        for spec in fields:
            if opening == bool(spec.first_pages):
                value = score(spec, window, leads[window.index]) - WINDOW_PENALTY
                if value >= spec.min_score - EXTRA_MARGIN:
                    candidates[spec.key].append(Match(spec.key, window, value))
    return candidates


def opening_windows(contract: ContractText) -> list[Passage]:
    """Runs of short passages at the start of a page in the opening, read as one: a cover page
    sets parties and date on lines of their own ("by and between / NAME / NAME / Dated: ...")."""
    opening = contract.passages[:OPENING_PASSAGES]
    windows = []
    for number, first in enumerate(opening):
        last = first
        for following in opening[number + 1:number + WINDOW_PASSAGES]:
            if following.page != first.page or following.end - first.start > WINDOW_CHARS:
                break
            last = following
        if last is not first:
            text = squash(contract.page_text(first.page)[first.start:last.end])
            windows.append(Passage(first.index, first.page, first.start, last.end, text,
                                   first.annex))
    return windows


def list_windows(contract: ContractText) -> list[Passage]:
    """A clause that introduces a list ("except (a) ...; (b) ...") read with its items: the
    clause's meaning is split across them."""
    passages, windows = contract.passages, []
    for number, lead in enumerate(passages):
        if _SENTENCE_DONE.search(lead.text):
            continue
        last = lead
        for item in passages[number + 1:number + 1 + LIST_ITEMS]:
            if item.page != lead.page or not _LIST_ITEM.match(item.text) or \
                    item.end - lead.start > LIST_CHARS:
                break
            last = item
        if last is not lead:
            text = squash(contract.page_text(lead.page)[lead.start:last.end])
            windows.append(Passage(lead.index, lead.page, lead.start, last.end, text, lead.annex))
    return windows


def signature_date(contract: ContractText) -> Passage | None:
    """A contract undated at the top is dated by its signatures: the last short dated line
    ("Date: March 3, 2021", "Houston, 2 April 2020") on the last pages of the main text."""
    last_page = max((p.page for p in contract.passages if not p.annex), default=0)
    lines = [passage for passage in contract.passages if not passage.annex and
             passage.page >= last_page - 1 and len(passage.text) <= SIGNATURE_LINE_CHARS and
             _SIGNED_ON.search(passage.text)]
    return lines[-1] if lines else None


def with_fallbacks(found: dict[str, list[Match]],
                   contract: ContractText) -> dict[str, list[Match]]:
    """An undated opening is dated by the signatures. Without a dated effective-date clause, a
    contract takes effect on its date: the dated opening is quoted for the effective date too
    (after any undated effective clause; before it when that clause points back to the
    contract's date, "commences on the date above")."""
    if "agreement_date" in found and not found["agreement_date"]:
        signed = signature_date(contract)
        found["agreement_date"] = [Match("agreement_date", signed, 0.0)] if signed else []
    effective, dated = found.get("effective_date"), found.get("agreement_date")
    if effective is None or not dated:
        return found
    if not any(DATE.search(match.passage.text) for match in effective):
        fallback = Match("effective_date", dated[0].passage, dated[0].score)
        if effective and REFERS_BACK.search(effective[0].passage.text):
            # "commences on the date above": the date is the contract's, quoted first
            found["effective_date"] = [fallback, *effective[:MAX_QUOTES - 1]]
        else:
            found["effective_date"] = [*effective[:MAX_QUOTES - 1], fallback]
    return found


def find_clauses(
    contract: ContractText,
    fields: Sequence[FieldSpec] = FIELDS,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> dict[str, Match | None]:
    """The best passage for each field over all pages (None when nothing scores high enough)."""
    found = find_all_clauses(contract, fields, progress=progress, cancel=cancel)
    return {key: matches[0] if matches else None for key, matches in found.items()}


def chosen(spec: FieldSpec, candidates: list[Match], sections: dict[str, int]) -> list[Match]:
    """The best candidate, then others close to it in score from other places, then clauses
    the kept quotes refer to (any candidate of the field: the reference vouches for it)."""
    near = [match for match in candidates if match.score >= spec.min_score - EXTRA_MARGIN]
    ranked = sorted(near, key=lambda match: (-match.score, match.passage.index))
    if not ranked or ranked[0].score < spec.min_score:
        return []
    kept = [ranked[0]]
    floor = max(spec.min_score, ranked[0].score - EXTRA_MARGIN)
    for match in ranked[1:]:
        if len(kept) < MAX_QUOTES and match.score >= floor and _elsewhere(match, kept):
            kept.append(match)
    by_index = {match.passage.index: match for match in reversed(candidates)}  # passages first
    for reference in referenced(kept, sections):
        target = by_index.get(reference)
        if len(kept) < MAX_QUOTES and target is not None and _elsewhere(target, kept):
            kept.append(target)
    return kept


def _elsewhere(match: Match, kept: Sequence[Match]) -> bool:
    return all(abs(match.passage.index - other.passage.index) > NEARBY for other in kept)


def section_starts(passages: Sequence[Passage]) -> dict[str, int]:
    """Clause number ("12.2") -> index of the passage that opens that clause (first wins)."""
    starts: dict[str, int] = {}
    for passage in passages:
        numbered = _NUMBERED.match(passage.text)
        if numbered and not passage.annex:
            starts.setdefault(numbered.group(1).rstrip("."), passage.index)
    return starts


def referenced(kept: Sequence[Match], sections: dict[str, int]) -> list[int]:
    """Indexes of the passages opening the clauses that the kept quotes refer to, and the
    passage after each (a clause heading is often its own passage)."""
    found: list[int] = []
    for match in kept:
        for number in _REFERENCE.findall(match.passage.text):
            start = sections.get(number.rstrip("."))
            if start is not None and start != match.passage.index:
                found += [start, start + 1]
    return found
