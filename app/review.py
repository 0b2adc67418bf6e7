"""Document review without Qt: a page's text, the personal data on it, the redacted preview and
the redacted copy. The preview and the copy share one path (``app.privacy.export.redact_pages``):
the whole document is redacted at once, so a name found on page 1 is also hidden on page 7 and
placeholders are numbered the same way in both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.audit import NO_AUDIT, AuditTrail
from app.library_service import LibraryService
from core.errors import InputError
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.documents import Page, content_hash, file_hash
from rag.errors import DocumentRefused
from rag.loaders import load_bytes, read_bytes

if TYPE_CHECKING:  # Presidio and spaCy load when the first page is scanned, not at start-up
    from app.privacy.analyzer import PiiAnalyzer
    from app.privacy.export import RedactionReport
    from app.privacy.findings import Finding
    from app.privacy.policy import PrivacyPolicy
    from app.scan_page import ScannedPageImage


@dataclass(frozen=True)
class PageText:
    doc_id: str
    page: int
    pages: int
    text: str
    indexed: str = ""  # set when ``text`` is the original and the index holds a redacted copy

    def passage_span(self, passage: tuple[int, int] | None) -> tuple[int, int] | None:
        """A passage cited in the indexed text, as offsets into ``text``."""
        if passage is None or not self.indexed:
            return passage
        from app.privacy.alignment import original_span

        return original_span(self.indexed, self.text, *passage)


@dataclass(frozen=True)
class RedactedDocument:
    doc_id: str
    policy: str
    pages: tuple[Page, ...]

    def page(self, number: int) -> str:
        return next((page.text for page in self.pages if page.number == number), "")


class ReviewService:
    def __init__(self, library: LibraryService, analyzer: Callable[[], PiiAnalyzer],
                 policy_of: Callable[[str], PrivacyPolicy], *,
                 audit: AuditTrail = NO_AUDIT) -> None:
        self._library, self._analyzer, self._policy_of = library, analyzer, policy_of
        self._audit = audit

    def read_page(self, workspace: str, doc_id: str, page: int) -> PageText:
        """The page as indexed; where the index holds redacted text (strict policy), the
        original is read from the file on disk, and only if the file is unchanged."""
        record = self._library.document(workspace, doc_id)
        indexed = self._library.page_text(workspace, doc_id, page) or ""
        original = original_page(record.paths, doc_id, page) \
            if self._policy_of(workspace).redacts_index else None
        self._audit.record("review_open", workspace=workspace, doc_id=doc_id, page=page)
        if original is not None:
            return PageText(doc_id, page, record.pages, original, indexed)
        return PageText(doc_id, page, record.pages, indexed)

    def page_image(self, workspace: str, doc_id: str, page: int) -> ScannedPageImage | None:
        """The image of a page read by OCR, with its word boxes; None for a page with a text
        layer, or when no file on disk still holds the document."""
        scan = self._library.page_scan(workspace, doc_id, page)
        if scan is None:
            return None
        from app.scan_page import scanned_page_image

        record = self._library.document(workspace, doc_id)
        return scanned_page_image(doc_id, record.kind, record.paths, page, scan,
                                  self._library.scan_reader)

    def scan_page(self, page_text: PageText) -> tuple[PageText, list[Finding]]:
        return page_text, self._analyzer().analyze(page_text.text)

    def redact_document(self, workspace: str, doc_id: str, *,
                        progress: ProgressFn = no_progress,
                        cancel: CancelFn = never_cancel) -> RedactedDocument:
        """Every page of the indexed document, redacted as the exported copy is."""
        from app.privacy.export import redact_pages

        record = self._library.document(workspace, doc_id)
        pages = [Page(number, self._library.page_text(workspace, doc_id, number) or "")
                 for number in range(1, record.pages + 1)]
        policy = self._policy_of(workspace)
        redacted, _ = redact_pages(pages, self._analyzer(), policy, progress=progress,
                                   cancel=cancel)
        return RedactedDocument(doc_id, policy.name, tuple(redacted))

    def export_copy(self, workspace: str, source: Path, output: Path, *,
                    progress: ProgressFn = no_progress,
                    cancel: CancelFn = never_cancel) -> RedactionReport:
        if not source.is_file():
            raise InputError(f"The original file is no longer at {source}.")
        from app.privacy.export import export_redacted

        policy = self._policy_of(workspace)
        report = export_redacted(source, output, self._analyzer(), policy,
                                 progress=progress, cancel=cancel)
        self._audit.record("redacted_export", workspace=workspace, doc_id=file_hash(source),
                           policy=policy.name, pages=report.pages, removed=dict(report.counts))
        return report


def original_page(paths: Sequence[str], doc_id: str, page: int) -> str | None:
    """The text of ``page`` read again from the first file that still holds the document."""
    for name in paths:
        path = Path(name)
        try:
            data = read_bytes(path)
            if content_hash(data) == doc_id:
                return load_bytes(path, data).page(page).text
        except (DocumentRefused, KeyError, OSError):
            continue
    return None
