"""A contract dropped on the window: added to the workspace (so its pages can be reviewed and a
quote opens at its clause), then summarized."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.audit import NO_AUDIT, AuditTrail
from app.contracts.service import summarize_contract
from app.contracts.summary import ContractSummary
from app.library_service import LibraryService
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.embedder import Embedder


def summarize_into_workspace(library: LibraryService, path: Path, workspace: str, *,
                             audit: AuditTrail = NO_AUDIT,
                             embedder: Callable[[], Embedder] | None = None,
                             progress: ProgressFn = no_progress,
                             cancel: CancelFn = never_cancel) -> tuple[ContractSummary, str]:
    """The summary and the document id the contract has in ``workspace`` ("" if refused).
    ``embedder`` (the app's, built on first use, so here in the worker) lets the clause finder
    look for fields by meaning too."""
    progress(0.05, f"Adding {path.name} to the workspace")
    report = library.ingest([path], workspace=workspace, cancel=cancel)
    doc_id = report.results[0].doc_id if report.results else ""
    summary = summarize_contract(path, progress=lambda f, m: progress(0.3 + 0.7 * f, m),
                                 embedder=embedder() if embedder else None, audit=audit,
                                 cancel=cancel)
    return summary, doc_id
