"""What a contract summary is, and its JSON form with a documented schema."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 2  # 2: a field may cite the clause in more than one place (more_citations)


@dataclass(frozen=True)
class Citation:
    page: int  # 1-based page of the quote
    quote: str  # verbatim text of the document (whitespace collapsed)
    start: int = 0  # character offsets of the quote in that page's text
    end: int = 0
    annex: str = ""  # "Exhibit A" when the quote lies in an exhibit or schedule


@dataclass(frozen=True)
class FieldResult:
    key: str
    label: str
    found: bool
    statement: str  # one plain-language line; "Not found." when absent
    citation: Citation | None = None
    verified: bool = False  # True only when the grounding check passed
    problems: tuple[str, ...] = ()  # why it is unverified
    wording: str = "template"  # "model" when the local model reworded the statement
    more_citations: tuple[Citation, ...] = ()  # the same field found in other places

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every quote of the field, the best first."""
        return ((self.citation,) if self.citation else ()) + self.more_citations


@dataclass(frozen=True)
class RiskItem:
    key: str
    title: str
    explanation: str
    field: str  # the field it comes from
    citation: Citation | None = None
    verified: bool = False


@dataclass(frozen=True)
class ContractSummary:
    source: str
    title: str
    kind: str
    page_count: int
    overview: str
    fields: tuple[FieldResult, ...]
    risks: tuple[RiskItem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    def field(self, key: str) -> FieldResult:
        for result in self.fields:
            if result.key == key:
                return result
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_version"] = SCHEMA_VERSION
        data["fields"] = [_field_dict(result) for result in self.fields]
        return data


def _field_dict(result: FieldResult) -> dict[str, Any]:
    data = asdict(result)
    data["problems"] = list(result.problems)
    data["more_citations"] = [asdict(citation) for citation in result.more_citations]
    return data


_CITATION = {
    "type": ["object", "null"],
    "required": ["page", "quote", "start", "end", "annex"],
    "additionalProperties": False,
    "properties": {
        "page": {"type": "integer", "minimum": 1, "description": "1-based page of the quote"},
        "quote": {"type": "string", "minLength": 1,
                  "description": "verbatim document text, whitespace collapsed"},
        "start": {"type": "integer", "minimum": 0,
                  "description": "offset of the quote in the page text"},
        "end": {"type": "integer", "minimum": 0},
        "annex": {"type": "string", "description": "exhibit or schedule holding the quote"},
    },
}

SUMMARY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Enclave contract summary",
    "type": "object",
    "required": ["schema_version", "source", "title", "kind", "page_count", "overview",
                 "fields", "risks", "notes", "seconds"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "source": {"type": "string", "description": "file name of the contract"},
        "title": {"type": "string"},
        "kind": {"type": "string", "description": "pdf, docx, text, html or email"},
        "page_count": {"type": "integer", "minimum": 1},
        "overview": {"type": "string", "description": "short overall summary"},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "found", "statement", "citation", "verified",
                             "problems", "wording", "more_citations"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string"},
                    "label": {"type": "string"},
                    "found": {"type": "boolean"},
                    "statement": {"type": "string",
                                  "description": "plain-language line; 'Not found.' if absent"},
                    "citation": _CITATION,
                    "verified": {"type": "boolean",
                                 "description": "quote and figures checked against the page"},
                    "problems": {"type": "array", "items": {"type": "string"}},
                    "wording": {"enum": ["template", "model"],
                                "description": "who worded the statement"},
                    "more_citations": {
                        "type": "array", "items": {**_CITATION, "type": "object"},
                        "description": "the field found in other places too, each cited"},
                },
            },
        },
        "risks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "title", "explanation", "field", "citation", "verified"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string"}, "title": {"type": "string"},
                    "explanation": {"type": "string"}, "field": {"type": "string"},
                    "citation": _CITATION, "verified": {"type": "boolean"},
                },
            },
        },
        "notes": {"type": "array", "items": {"type": "string"},
                  "description": "how the document was read (tracked changes, unreadable pages)"},
        "seconds": {"type": "number", "minimum": 0},
    },
}
