"""A jurisdiction is not personal data: the state whose laws govern a contract, the courts a
dispute goes to ("governed by the laws of the State of New York", "the courts located in Cook
County, Illinois") names a legal system, not where a person lives. A place found right after
such a cue is dropped; a place in an address or after "resides in" stays."""

from __future__ import annotations

from collections.abc import Sequence

import regex

from app.privacy.findings import Finding

PLACE_TYPES = frozenset({"LOCATION", "ORGANIZATION"})
_CUE = regex.compile(
    r"(?:\blaws?\s+of|\bgoverned\s+by|\bconstrued\s+(?:in\s+accordance\s+with|under)|"
    r"\bjurisdiction\s+of|\bcourts?\s+(?:of|in|located\s+in|sitting\s+in|for)|\bvenue\s+in|"
    r"\bforum\s+in|\barbitration\s+in|\bincorporated\s+(?:in|under)|\borganized\s+under)"
    r"(?:\s+(?:the|and|or|any|federal|state|county|exclusive|courts?|located|in|of|for|"
    r"applicable|sitting|competent|non-exclusive)\b)*[\s,]*$",
    regex.IGNORECASE)
_JURISDICTION = regex.compile(r"^(?:the\s+)?(?:state|commonwealth|province|county|district|"
                              r"republic|kingdom|laws?)\b", regex.IGNORECASE)
LOOK_BACK = 80


def is_jurisdiction(text: str, finding: Finding) -> bool:
    if finding.entity_type not in PLACE_TYPES:
        return False
    before = text[max(0, finding.start - LOOK_BACK):finding.start]
    span = text[finding.start:finding.end]
    if finding.entity_type == "ORGANIZATION" and not _JURISDICTION.match(span):
        return False  # "governed by Acme Holdings" is a party
    return bool(_CUE.search(before))


def drop_jurisdictions(text: str, findings: Sequence[Finding]) -> list[Finding]:
    return [finding for finding in findings if not is_jurisdiction(text, finding)]
