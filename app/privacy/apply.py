"""A workspace's policy applied where personal data could be stored.

- The index: :class:`IndexRedactor` is the text-transform hook rag's ingest calls on each
  loaded document before chunking, so the stored passages, the keyword index, the page copies
  and the vector metadata (the title) all hold the same redacted text, and citations are
  checked against that text. The original is read only from the file on disk.
- The conversation history: :meth:`IndexRedactor.redact_text` for questions and answers.
- The audit trail: :func:`finding_counts`, types and counts only, never values.
- The review pane, which shows the original page read from the file:
  :func:`app.privacy.alignment.original_span` finds a cited passage in it.

(Exports are in :mod:`app.privacy.export`.)
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.anonymize import Replacer, redact
from app.privacy.export import redact_pages
from app.privacy.findings import Finding
from app.privacy.policy import PrivacyPolicy
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.documents import LoadedDocument

DocumentTransform = Callable[[LoadedDocument], LoadedDocument]


class IndexRedactor:
    """What the index may store of a document under ``policy`` (typed placeholders under
    strict). Built per workspace; the analyzer is fetched on first use."""

    def __init__(self, analyzer: Callable[[], PiiAnalyzer], policy: PrivacyPolicy) -> None:
        self._analyzer, self.policy = analyzer, policy

    def __call__(self, document: LoadedDocument, *, progress: ProgressFn = no_progress,
                 cancel: CancelFn = never_cancel) -> LoadedDocument:
        pages, _ = redact_pages(document.pages, self._analyzer(), self.policy,
                                treatment=self.policy.index, progress=progress, cancel=cancel)
        title = self.redact_text(document.title) if document.title else ""
        return dataclasses.replace(document, pages=tuple(pages), title=title)

    def redact_text(self, text: str) -> str:
        """One text (a question, an answer, a title) redacted as the index is."""
        if not text.strip():
            return text
        findings = self._analyzer().analyze(text)
        return redact(text, findings, Replacer(self.policy.index),
                      self.policy.exempt_entities).text


def index_transform(policy: PrivacyPolicy,
                    analyzer: Callable[[], PiiAnalyzer]) -> IndexRedactor | None:
    """The ingest hook for ``policy``: None when the index keeps the text as it is."""
    return IndexRedactor(analyzer, policy) if policy.redacts_index else None


def finding_counts(findings: Sequence[Finding], policy: PrivacyPolicy) -> dict[str, int]:
    """What the audit trail may say about the personal data found: types and counts."""
    return dict(Counter(f.entity_type for f in findings
                        if f.entity_type not in policy.exempt_entities))

