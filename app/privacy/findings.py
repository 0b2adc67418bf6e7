"""What the analyzer returns, and how overlapping candidates become one finding per span."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Finding:
    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str = ""

    def shifted(self, offset: int) -> Finding:
        return replace(self, start=self.start + offset, end=self.end + offset)

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Finding) -> bool:
        return self.start <= other.start and other.end <= self.end


STRONG_PATTERN = 0.7
NER_RECOGNIZERS = frozenset({"FilteredSpacyRecognizer", "SpacyRecognizer"})


def _is_ner(finding: Finding) -> bool:
    return finding.recognizer in NER_RECOGNIZERS


def _outranked(finding: Finding, others: list[Finding]) -> bool:
    """NER guesses give way to strong pattern matches they overlap, organisations (never
    redacted by default) to anything else they overlap."""
    if not _is_ner(finding):
        return False
    return any(other.overlaps(finding) and other is not finding and (
        (other.score >= STRONG_PATTERN and not _is_ner(other)
         and other.entity_type != finding.entity_type)
        or (finding.entity_type == "ORGANIZATION" and other.entity_type != "ORGANIZATION"))
        for other in others)


def resolve_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    """One finding per stretch of text. A strong pattern match (checksum, label, shape) beats
    the statistical NER it overlaps ("36.106.174.11 at noon" is an IP address, not a date);
    then the longer span wins over what it contains (redacting more is the safe side), and
    on a partial overlap the higher score wins."""
    pool = sorted(candidates, key=lambda f: f.start)
    pool = [f for f in pool if not _outranked(f, _neighbours(pool, f))]
    accepted: list[Finding] = []
    for candidate in sorted(pool, key=lambda f: (f.start - f.end, -f.score)):
        clashes = [kept for kept in accepted if kept.overlaps(candidate)]
        if not clashes:
            accepted.append(candidate)
        elif not any(kept.contains(candidate) for kept in clashes) and \
                candidate.score > max(kept.score for kept in clashes):
            accepted = [kept for kept in accepted if kept not in clashes] + [candidate]
    return sorted(accepted, key=lambda f: (f.start, f.end))


def _neighbours(pool: list[Finding], finding: Finding) -> list[Finding]:
    """The findings of ``pool`` (sorted by start) that may overlap ``finding``."""
    return [other for other in pool if other.start < finding.end and finding.start < other.end]
