"""Turning findings into redacted text. Detection (the analyzer) stays apart from this.

Replacements are consistent inside one document: the same value of the same type always gets
the same placeholder (``<PERSON_1>``) or hash, and every other mention of a value that was
found somewhere is replaced too, so a redacted copy contains none of the values found in it.
"""

from __future__ import annotations

import hashlib
import hmac
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from app.privacy.findings import Finding
from app.privacy.policy import Treatment

REDACTED = "[REDACTED]"


def normalise(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass
class Replacer:
    """Chooses the replacement of each value; one per document (placeholder numbers)."""

    treatment: Treatment
    salt: bytes = b"enclave"
    _numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    _per_type: Counter[str] = field(default_factory=Counter)

    def __call__(self, entity_type: str, value: str) -> str:
        return _OPERATORS[self.treatment](self, entity_type, value)

    def placeholder(self, entity_type: str, value: str) -> str:
        key = (entity_type, normalise(value))
        if key not in self._numbers:
            self._per_type[entity_type] += 1
            self._numbers[key] = self._per_type[entity_type]
        return f"<{entity_type}_{self._numbers[key]}>"

    def hashed(self, entity_type: str, value: str) -> str:
        return f"<{entity_type}:{value_hash(value, self.salt)}>"


def value_hash(value: str, salt: bytes) -> str:
    """A salted, truncated HMAC of the normalised value: the same value, the same hash."""
    return hmac.new(salt, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def mask(value: str) -> str:
    return regex.sub(r"[\p{L}\p{N}]", "*", value)


_OPERATORS = {
    Treatment.KEEP: lambda replacer, entity_type, value: value,
    Treatment.TYPE: lambda replacer, entity_type, value: f"<{entity_type}>",
    Treatment.PLACEHOLDER: Replacer.placeholder,
    Treatment.REDACT: lambda replacer, entity_type, value: REDACTED,
    Treatment.MASK: lambda replacer, entity_type, value: mask(value),
    Treatment.HASH: Replacer.hashed,
}


@dataclass(frozen=True)
class Redaction:
    text: str
    counts: Counter[str]


def found_values(text: str, findings: Sequence[Finding]) -> dict[str, str]:
    """Each found value (two characters or more) and its type."""
    return {text[f.start:f.end]: f.entity_type for f in findings if f.end - f.start >= 2}


def redact(text: str, findings: Sequence[Finding], replacer: Replacer,
           exempt: frozenset[str] = frozenset(),
           known: dict[str, str] | None = None) -> Redaction:
    """``text`` with every finding replaced, and every other mention of a value found here or
    listed in ``known`` (values found elsewhere in the same document, with their types)."""
    spans = [f for f in findings if f.entity_type not in exempt]
    values = {**(known or {}), **found_values(text, spans)}
    spans += _other_mentions(text, spans, values)
    spans.sort(key=lambda f: f.start)
    pieces, position, counts = [], 0, Counter[str]()
    for finding in spans:
        if finding.start < position:
            continue
        pieces += [text[position:finding.start],
                   replacer(finding.entity_type, text[finding.start:finding.end])]
        position = finding.end
        counts[finding.entity_type] += 1
    pieces.append(text[position:])
    return Redaction(_sweep("".join(pieces), values, replacer, counts), counts)


def _sweep(text: str, values: dict[str, str], replacer: Replacer, counts: Counter[str]) -> str:
    """A last pass over the redacted text: any mention of a found value still there (never
    inside one of our placeholders) is replaced too."""
    if not values:
        return text
    folded = {normalise(value): entity for value, entity in values.items()}
    pattern = mentions_pattern(values)

    def replace(match: regex.Match[str]) -> str:
        before, after = text[max(0, match.start() - 1):match.start()], text[match.end():][:1]
        entity_type = folded.get(normalise(match.group()))
        if entity_type is None or before == "<" or after in ("_", ":"):
            return match.group()
        counts[entity_type] += 1
        return replacer(entity_type, match.group())

    return pattern.sub(replace, text)


def _other_mentions(text: str, findings: Sequence[Finding], types: dict[str, str]
                    ) -> list[Finding]:
    """Repeats of found values (any case) that the analyzer did not flag at that place."""
    if not types:
        return []
    pattern = mentions_pattern(types)
    folded = {normalise(value): entity for value, entity in types.items()}
    covered = _Coverage(findings)
    mentions = []
    for match in pattern.finditer(text):
        entity_type = folded.get(normalise(match.group()))
        if entity_type and not covered.overlaps(match.start(), match.end()):
            mentions.append(Finding(entity_type, match.start(), match.end(), 0.5, "Repeat"))
    return mentions


_REPLACEMENT = regex.compile(r"<[A-Z_]+(?:_\d+|:[0-9a-f]{12})?>|\[REDACTED\]|<!-- page \d+ -->")


def without_replacements(text: str) -> str:
    """``text`` with our placeholders, hashes, redaction and page marks blanked (for leak
    checks: a found value "Person" must not match the placeholder "<PERSON_1>")."""
    return _REPLACEMENT.sub("\x00", text)  # a stop: words around a mark are not joined


def mentions_pattern(values: Iterable[str]) -> regex.Pattern[str]:
    """Whole-word mentions of any of ``values``, in any case and with any white space."""
    alternatives = (r"\s+".join(map(regex.escape, value.split()))
                    for value in sorted(values, key=len, reverse=True) if value.strip())
    return regex.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(alternatives) +
                         r")(?![\p{L}\p{N}])", regex.IGNORECASE)


class _Coverage:
    """Which stretches of text are already findings (non-overlapping, sorted)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        spans = sorted((f.start, f.end) for f in findings)
        self._starts = [start for start, _ in spans]
        self._spans = spans

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect_left(self._starts, end)
        return any(s < end and start < e for s, e in self._spans[max(0, index - 8):index])
