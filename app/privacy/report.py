"""What a redacted copy reports: the pages written and the counts removed per type, never values
(its own module, so the text and the scan exporters share it without importing each other)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RedactionReport:
    source: Path
    output: Path
    pages: int
    counts: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())
