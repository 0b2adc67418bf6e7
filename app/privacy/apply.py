"""A workspace policy applied where personal data could be stored: the index and the audit log.

(Exports are in :mod:`app.privacy.export`.) The ingest pipeline calls :func:`text_for_index`
before chunks are embedded and stored; the audit writer calls :func:`audit_record`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from app.privacy.anonymize import Replacer, redact, value_hash
from app.privacy.findings import Finding
from app.privacy.policy import AuditRecord, PrivacyPolicy, Treatment


def text_for_index(text: str, findings: Sequence[Finding], policy: PrivacyPolicy,
                   salt: bytes = b"enclave") -> str:
    """What the index may store of ``text`` under ``policy``."""
    if policy.index is Treatment.KEEP:
        return text
    return redact(text, findings, Replacer(policy.index, salt), policy.exempt_entities).text


def audit_record(text: str, findings: Sequence[Finding], policy: PrivacyPolicy,
                 salt: bytes = b"enclave") -> dict[str, Any]:
    """What the audit log may store about the personal data in ``text``: never raw values."""
    kept = [f for f in findings if f.entity_type not in policy.exempt_entities]
    record: dict[str, Any] = {"policy": policy.name,
                              "counts": dict(Counter(f.entity_type for f in kept))}
    if policy.audit is AuditRecord.HASH:
        record["hashes"] = sorted({f"{f.entity_type}:{value_hash(text[f.start:f.end], salt)}"
                                   for f in kept})
    return record
