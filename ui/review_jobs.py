"""The slow parts of document review, as plain functions run in Jobs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services import Services
from models.errors import InputError
from models.jobs import CancelFn, ProgressFn


@dataclass(frozen=True)
class PageText:
    doc_id: str
    page: int
    pages: int
    text: str


def read_page(services: Services, workspace: str, doc_id: str, page: int) -> PageText:
    store = services.library().workspace(workspace).store
    record = next((r for r in store.documents() if r.doc_id == doc_id), None)
    if record is None:
        raise InputError("This document is no longer in the workspace.")
    text = store.page_text(doc_id, page)
    return PageText(doc_id, page, record.pages, text or "")


def scan_page(services: Services, page_text: PageText) -> tuple[PageText, list[Any]]:
    return page_text, services.pii_analyzer().analyze(page_text.text)


def redacted_text(text: str, findings: list[Any], policy: Any) -> str:
    from app.privacy.anonymize import Replacer, redact

    replacer = Replacer(policy.treatment_for_export())
    return redact(text, findings, replacer, policy.exempt_entities).text


def export_copy(services: Services, workspace: str, source: Path, output: Path, *,
                progress: ProgressFn, cancel: CancelFn) -> Any:
    from app.privacy.export import export_redacted

    if not source.is_file():
        raise InputError(f"The original file is no longer at {source}.")
    return export_redacted(source, output, services.pii_analyzer(),
                           services.privacy_policy(workspace), progress=progress,
                           cancel=cancel)
