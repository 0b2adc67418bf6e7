"""The workspace policy applied to a loaded document and to a text (fast: a fake analyzer with
the real interface; the stored-index test with the real one is test_strict_workspace.py)."""

from __future__ import annotations

import json
from pathlib import Path

from app.privacy.alignment import original_span
from app.privacy.apply import IndexRedactor, finding_counts, index_transform
from app.privacy.findings import Finding
from app.privacy.policy import get_policy
from rag.documents import LoadedDocument, Page

TEXT = "Ann Lee, SSN 536-90-4399, works at Acme."
FINDINGS = [Finding("PERSON", 0, 7, 0.9), Finding("US_SSN", 13, 24, 1.0),
            Finding("ORGANIZATION", 35, 39, 0.6)]


class FixedAnalyzer:
    """Finds the values of FINDINGS wherever they appear."""

    def analyze(self, text: str) -> list[Finding]:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: list[str], **_: object) -> list[list[Finding]]:
        results = []
        for text in texts:
            found = []
            for finding in FINDINGS:
                value = TEXT[finding.start:finding.end]
                at = text.find(value)
                if at >= 0:
                    found.append(Finding(finding.entity_type, at, at + len(value), finding.score))
            results.append(found)
        return results


def test_strict_puts_typed_placeholders_in_every_page_and_the_title() -> None:
    redactor = index_transform(get_policy("strict"), FixedAnalyzer)  # type: ignore[arg-type]
    assert redactor is not None
    document = LoadedDocument(Path("x.txt"), "text", (Page(1, TEXT), Page(2, "Ann Lee again")),
                              title="Ann Lee")
    stored = redactor(document)
    assert stored.pages[0].text == "<PERSON>, SSN <US_SSN>, works at <ORGANIZATION>."
    assert stored.pages[1].text == "<PERSON> again"
    assert stored.title == "<PERSON>"


def test_policies_that_keep_the_index_have_no_transform() -> None:
    assert index_transform(get_policy("standard"), FixedAnalyzer) is None  # type: ignore[arg-type]


def test_history_text_is_redacted_as_the_index_is() -> None:
    redactor = IndexRedactor(FixedAnalyzer, get_policy("strict"))  # type: ignore[arg-type]
    assert redactor.redact_text("Is Ann Lee's SSN 536-90-4399?") == \
        "Is <PERSON>'s SSN <US_SSN>?"


def test_audit_counts_never_hold_values() -> None:
    counts = finding_counts(FINDINGS, get_policy("standard"))
    assert counts == {"PERSON": 1, "US_SSN": 1}
    assert "Ann" not in json.dumps(counts) and "536" not in json.dumps(counts)


def test_a_passage_of_the_redacted_page_is_found_in_the_original() -> None:
    original = "Ann Lee, SSN 536-90-4399, works at Acme. Her plan covers dental."
    redacted = "<PERSON>, SSN <US_SSN>, works at <ORGANIZATION>. Her plan covers dental."
    start = redacted.index("works")
    span = original_span(redacted, original, start, len(redacted))
    assert span is not None
    assert original[span[0]:span[1]] == "works at Acme. Her plan covers dental."
    span = original_span(redacted, original, 0, redacted.index(", works"))
    assert span is not None and original[span[0]:span[1]] == "Ann Lee, SSN 536-90-4399"


def test_texts_that_do_not_align_give_no_span() -> None:
    assert original_span("<PERSON> paid the fee.", "Ann Lee owes nothing.", 0, 5) is None
