from __future__ import annotations

import json

from app.privacy.apply import audit_record, text_for_index
from app.privacy.findings import Finding
from app.privacy.policy import get_policy

TEXT = "Ann Lee, SSN 536-90-4399, works at Acme."
FINDINGS = [Finding("PERSON", 0, 7, 0.9), Finding("US_SSN", 13, 24, 1.0),
            Finding("ORGANIZATION", 35, 39, 0.6)]


def test_index_text_follows_the_workspace_policy() -> None:
    assert text_for_index(TEXT, FINDINGS, get_policy("standard")) == \
        "<PERSON_1>, SSN <US_SSN_1>, works at Acme."
    assert text_for_index(TEXT, FINDINGS, get_policy("strict")).count("[REDACTED]") == 3
    assert text_for_index(TEXT, FINDINGS, get_policy("open-index")) == TEXT


def test_audit_records_never_hold_raw_values() -> None:
    for name in ("standard", "strict", "hashed"):
        record = json.dumps(audit_record(TEXT, FINDINGS, get_policy(name)))
        assert "Ann Lee" not in record and "536-90-4399" not in record
    assert audit_record(TEXT, FINDINGS, get_policy("standard"))["counts"] == \
        {"PERSON": 1, "US_SSN": 1}
    assert len(audit_record(TEXT, FINDINGS, get_policy("hashed"))["hashes"]) == 2
