"""Contracts: drop a contract, get a cited summary whose quotes open the review pane.

The contract is also added to the current workspace, so the review pane can show the page a
quote comes from with the passage highlighted. Summarizing runs in a Job with progress and
Cancel; the summary itself comes from app.contracts (Qt-free, deterministic, grounded).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.contracts.export import shown_quote
from app.contracts.intake import summarize_into_workspace
from app.services import Services
from core.errors import InputError
from ui.elided_label import ElidedLabel
from ui.errors import show_error
from ui.flow_layout import wrapping_row
from ui.review_view import Target
from ui.worker import Job, JobRunner

DROP_HINT = ("<p style='margin:30px; color:gray' align='center'>Drop a contract here (PDF, "
             "DOCX, TXT) or choose one, to get each key term with its quote and page.</p>")


def display_title(summary: Any) -> str:
    """The contract's title; a bare file name ("acme_msa_v3.pdf") reads as words."""
    title = str(summary.title).strip()
    source = Path(str(summary.source))
    if not title or title in (source.name, source.stem):
        title = re.sub(r"[_]+", " ", source.stem).strip() or source.name
    return title


def summary_html(summary: Any) -> str:
    seen: dict[tuple[int, int, int], str] = {}  # a quote shown once; later fields point to it
    rows = "".join(_field_row(index, field, seen) for index, field in enumerate(summary.fields))
    risks = "".join(f"<li><b>{html.escape(risk.title)}</b>: {html.escape(risk.explanation)}</li>"
                    for risk in summary.risks) or "<li>None found.</li>"
    return (f"<h3>{html.escape(display_title(summary))}</h3>"
            f"<p style='color:gray'>{html.escape(summary.source)}</p>"
            f"<p>{html.escape(summary.overview)}</p>"
            f"<table cellpadding='4' width='100%'>{rows}</table>"
            f"<h4>Unusual or risky terms</h4><ul>{risks}</ul>")


def _field_row(index: int, field: Any, seen: dict[tuple[int, int, int], str]) -> str:
    statement = html.escape(field.statement)
    if field.found and not field.verified:
        statement = f"<span style='color:#b00020'>UNVERIFIED</span> {statement}"
    quote = ""
    if field.citation is not None:  # the best quote, then the field's other places
        for number, citation in enumerate((field.citation, *field.more_citations)):
            link = f"<a href='quote:{index}:{number}'>p. {citation.page}</a>"
            key = (citation.page, citation.start, citation.end)
            if key in seen:
                quote += f"<br>{link} <i>(the passage quoted for {html.escape(seen[key])})</i>"
                continue
            seen[key] = field.label
            text = shown_quote(citation.quote)  # whole, reflowed, Markdown markup hidden
            quote += f"<br>{link} <i>“{html.escape(text)}”</i>"
    return f"<tr><td valign='top' width='26%'><b>{html.escape(field.label)}</b></td>" \
           f"<td>{statement}{quote}</td></tr>"


class ContractsView(QWidget):
    sig_summary_shown = Signal(object)  # app.contracts.ContractSummary
    sig_quote_clicked = Signal(object)  # ui.review_view.Target
    sig_exported = Signal(object)  # the path written

    def __init__(self, services: Services, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.workspace: str | None = None
        self.summary: Any = None
        self._source: Path | None = None
        self._doc_id = ""
        self._job: Job | None = None
        self._job_workspace: str | None = None
        self._kept: dict[str, tuple[Any, Path | None, str]] = {}  # per workspace
        self.library_records: list[Any] = []
        self._build()

    def _build(self) -> None:
        self.choose_button = QPushButton("Choose contract…")
        self.library_button = QPushButton("From the library…")
        self.library_button.setToolTip("Summarize a document already in this workspace")
        self.library_button.clicked.connect(self.choose_from_library)
        self.export_button = QPushButton("Export…")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.status = ElidedLabel("")  # names the contract: never widens the pane
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setHtml(DROP_HINT)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_row(self.choose_button, self.library_button, self.export_button,
                                      self.cancel_button))
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.view.anchorClicked.connect(self._on_anchor_clicked)
        self.choose_button.clicked.connect(self._on_choose)
        self.export_button.clicked.connect(self._on_export)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.setAcceptDrops(True)
        self._set_busy(False)

    def set_workspace(self, workspace: str | None) -> None:
        """Each workspace shows only its own summary: the last one made there, or none."""
        if self.workspace is not None and self.summary is not None:
            self._kept[self.workspace] = (self.summary, self._source, self._doc_id)
        if self._job is not None:
            self._job.cancel()
        self.workspace = workspace
        self.summary, self._source, self._doc_id = self._kept.get(workspace or "",
                                                                  (None, None, ""))
        self.view.setHtml(summary_html(self.summary) if self.summary is not None else DROP_HINT)
        self.status.setText("")
        self._set_busy(False)

    # ----- input
    def dragEnterEvent(self, event: Any) -> None:  # Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:  # Qt's name
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            self.summarize(files[0])
            event.acceptProposedAction()

    def _on_choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a contract", "",
                                              "Contracts (*.pdf *.docx *.txt *.md *.html)")
        if name:
            self.summarize(Path(name))

    def set_library(self, records: list[Any]) -> None:
        """The workspace's documents, offered by "From the library…"."""
        self.library_records = [record for record in records if record.paths]
        self._set_busy(self._job is not None and not self._job.is_done)

    def choose_from_library(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        names = [Path(record.paths[0]).name for record in self.library_records]
        if not names:
            return
        name, ok = QInputDialog.getItem(self, "Summarize a library document",
                                        "Contract to summarize:", names, 0, False)
        if ok and name in names:
            self.summarize(Path(self.library_records[names.index(name)].paths[0]))

    def summarize(self, path: Path) -> Job | None:
        if self.workspace is None:
            show_error(self, InputError("Choose or create a workspace first."))
            return None
        self._source, self._job_workspace = path, self.workspace
        self._set_busy(True)
        self.status.setText(f"Summarizing {path.name}…")
        self._job = (Job(summarize_into_workspace, self.services.library(), path, self.workspace,
                         audit=self.services.audit, embedder=self.services.embedder)
                     .on_progress(self._on_progress).on_success(self._on_summarized)
                     .on_failure(self._on_failed).start(self.runner))
        return self._job

    # ----- results
    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.status.setText(message)

    def _on_summarized(self, result: object) -> None:
        if self._job_workspace != self.workspace:  # finished as the user left its workspace
            assert isinstance(result, tuple)
            self._kept[self._job_workspace or ""] = (result[0], self._source, str(result[1]))
            return
        self.summary, self._doc_id = result  # type: ignore[misc]
        self._set_busy(False)
        self.view.setHtml(summary_html(self.summary))
        pages = self.summary.page_count
        self.status.setText(f"{pages} page{'' if pages == 1 else 's'} in "
                            f"{self.summary.seconds:.1f} s")
        self.sig_summary_shown.emit(self.summary)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.status.setText("Not summarized.")
        show_error(self, error)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("quote:") or self.summary is None or self._source is None:
            return
        field_index, _, number = text.split(":", 1)[1].partition(":")
        field = self.summary.fields[int(field_index)]
        citation = (field.citation, *field.more_citations)[int(number or 0)]
        self.sig_quote_clicked.emit(Target(
            self.workspace or "", self._doc_id, str(self._source), self._source.name,
            citation.page, (citation.start, citation.end), citation.quote))

    def _on_cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _on_export(self) -> None:
        if self.summary is None:
            return
        stem = self._source.stem if self._source is not None else "contract"
        folder = self._source.parent if self._source is not None else Path.home()
        name, _ = QFileDialog.getSaveFileName(self, "Export summary",
                                              str(folder / f"{stem}.summary.md"),
                                              "Markdown (*.md);;Word (*.docx);;PDF (*.pdf)")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Job:
        from app.contracts import export_summary

        return Job(export_summary, self.summary, path).on_success(self._on_exported) \
            .on_failure(lambda error: show_error(self, error)).start(self.runner)

    def _on_exported(self, path: object) -> None:
        self.status.setText(f"Saved {Path(str(path)).name} in {Path(str(path)).parent}")
        self.sig_exported.emit(path)

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.choose_button.setEnabled(not busy)
        self.library_button.setEnabled(not busy and bool(self.library_records))
        self.export_button.setEnabled(not busy and self.summary is not None)
        self.progress.setVisible(busy)
