"""What the analyzer returns, and how overlapping candidates become one finding per span."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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
    starts = [f.start for f in pool]
    longest = max((f.end - f.start for f in pool), default=0)
    pool = [f for f in pool if not _outranked(f, _neighbours(pool, starts, longest, f))]
    accepted = _Accepted()
    for candidate in sorted(pool, key=lambda f: (f.start - f.end, -f.score)):
        clashes = accepted.overlapping(candidate)
        if not clashes:
            accepted.add(candidate)
        elif not any(kept.contains(candidate) for kept in clashes) and \
                candidate.score > max(kept.score for kept in clashes):
            accepted.replace(clashes, candidate)
    return accepted.items


def _neighbours(pool: list[Finding], starts: list[int], longest: int, finding: Finding
                ) -> list[Finding]:
    """The findings of ``pool`` (sorted by start) that overlap ``finding``: only those that
    start less than the longest span before it are looked at (long texts have thousands)."""
    low, high = bisect_right(starts, finding.start - longest), bisect_left(starts, finding.end)
    return [other for other in pool[low:high] if finding.start < other.end]


class _Accepted:
    """Findings that never overlap one another, kept sorted (so their ends are sorted too):
    the ones overlapping a candidate are found by bisection."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self._ends: list[int] = []

    def overlapping(self, candidate: Finding) -> list[Finding]:
        index, found = bisect_right(self._ends, candidate.start), []
        while index < len(self.items) and self.items[index].start < candidate.end:
            found.append(self.items[index])
            index += 1
        return found

    def add(self, finding: Finding) -> None:
        index = bisect_right(self._ends, finding.start)
        self.items.insert(index, finding)
        self._ends.insert(index, finding.end)

    def replace(self, clashes: list[Finding], finding: Finding) -> None:
        index = self.items.index(clashes[0])
        del self.items[index:index + len(clashes)], self._ends[index:index + len(clashes)]
        self.add(finding)
