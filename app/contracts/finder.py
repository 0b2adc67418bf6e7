"""Clause finder: score every passage of every page against each field and keep the best.

Plain pattern scoring (see :mod:`app.contracts.fields`) over sentences with their clause
heading. It is deterministic, needs no model and reads hundreds of pages per second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.contracts.document import ContractText, Passage
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


@dataclass(frozen=True)
class Match:
    field: str
    passage: Passage
    score: float


def score(spec: FieldSpec, passage: Passage, heading: str = "") -> float:
    """The passage's score for the field, or 0.0 when it is not a candidate."""
    text = passage.text
    if spec.first_pages and passage.page > spec.first_pages:
        return 0.0
    if not all(pattern.search(text) for pattern in spec.required):
        return 0.0
    total = 1.0 + sum(weight for pattern, weight in spec.cues + COMMON_CUES
                      if pattern.search(text))
    if spec.heading is not None and spec.heading.search(heading or text[:HEADING_CHARS]):
        total += HEADING_WEIGHT
    if spec.first_pages:
        total -= PAGE_PENALTY * (passage.page - 1)
    if len(text) < spec.min_chars:
        total -= SHORT_PENALTY
    return total - (ANNEX_PENALTY if passage.annex else 0.0)


def headings(passages: Sequence[Passage]) -> list[str]:
    """For each passage, the short heading-like passage before it (or its own opening words)."""
    found, current = [], ""
    for passage in passages:
        found.append(current + " " + passage.text[:HEADING_CHARS] if current else
                     passage.text[:HEADING_CHARS])
        current = passage.text if len(passage.text) < 70 and not passage.text.endswith(".") \
            else ""
    return found


def find_clauses(
    contract: ContractText,
    fields: Sequence[FieldSpec] = FIELDS,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> dict[str, Match | None]:
    """The best passage for each field over all pages (None when nothing scores high enough)."""
    best: dict[str, Match | None] = {spec.key: None for spec in fields}
    leads = headings(contract.passages)
    total = max(1, len(contract.passages))
    for number, passage in enumerate(contract.passages):
        if number % 200 == 0:
            check_cancelled(cancel)
            progress(number / total, f"Reading page {passage.page} of {contract.page_count}")
        for spec in fields:
            value = score(spec, passage, leads[number])
            current = best[spec.key]
            if value >= spec.min_score and (current is None or value > current.score):
                best[spec.key] = Match(spec.key, passage, value)
    return best
