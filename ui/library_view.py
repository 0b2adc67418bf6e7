"""The document library of the current workspace: drop or add files, watch a batch, browse.

Ingest runs as one Job per batch (files dropped while a batch runs wait for the next one).
Each batch shows a progress bar with the file being read and a Cancel button; its per-file
results (indexed, unchanged, failed with the reason) stay listed below until the next batch.

A workspace indexed by an earlier version's embedding model keeps being searched with it; a
notice offers to update its index (re-embedding as a Job, with the same progress bar and Cancel;
files dropped meanwhile wait for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import Services
from core.display import one_line
from ui.elided_label import ElidedLabel
from ui.errors import show_error
from ui.flow_layout import wrapping_row
from ui.index_upgrade import IndexUpgradeNotice
from ui.style import named
from ui.worker import Job, JobRunner

STATUS_TEXT = {"indexed": "Indexed", "replaced": "Updated", "unchanged": "Skipped (unchanged)",
               "duplicate": "Skipped (duplicate)", "refused": "Failed"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_HINT = "Drop files or folders here, or use Add files…"
LISTED_HINT = "Click a document to review it. Drop more files here to add them."
DOCUMENT_FILTER = ("Documents (*.pdf *.docx *.txt *.md *.html *.htm *.eml *.png *.jpg *.jpeg "
                   "*.tif *.tiff);;All files (*)")  # images and scans are read by OCR


class Listing(NamedTuple):
    documents: list[Any]
    outdated_embedder: str | None  # the earlier embedder of the workspace's vectors, if any
    policy_outdated: bool = False  # its text was stored under another privacy policy


def list_documents(services: Services, workspace: str) -> Listing:
    library = services.library()
    return Listing(library.documents(workspace), library.outdated_embedder(workspace),
                   library.policy_outdated(workspace))


class LibraryView(QWidget):
    sig_documents_listed = Signal(int)
    sig_ingest_finished = Signal(object)  # rag.ingest.IngestReport
    sig_document_activated = Signal(object)  # rag.store.DocumentRecord
    sig_summarize_requested = Signal(object)  # rag.store.DocumentRecord, as a contract
    sig_busy_changed = Signal(bool)  # documents are being added (or re-embedded), or no longer

    def __init__(self, services: Services, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.workspace: str | None = None
        self.documents: list[Any] = []
        self._ingest_job: Job | None = None
        self._pending: list[Path] = []
        self.setAcceptDrops(True)
        self._build()

    # ----- layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._header())
        self.filter_edit = QLineEdit(placeholderText="Filter documents…", clearButtonEnabled=True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        layout.addWidget(self.filter_edit)
        self.table = self._documents_table()
        layout.addWidget(self.table, 3)
        self.hint = QLabel(EMPTY_HINT, wordWrap=True,
                           alignment=Qt.AlignmentFlag.AlignCenter)
        self.hint.setObjectName("hint")
        layout.addWidget(self.hint)
        self.upgrade = IndexUpgradeNotice(self.reembed)
        layout.addWidget(self.upgrade)
        layout.addWidget(self._progress_row())
        self.results = self._results_list()
        layout.addWidget(self.results, 2)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.title = named(QLabel("Documents"), "sectionTitle")
        self.add_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(False)
        self.add_button.clicked.connect(self.choose_files)
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self._on_remove)
        row.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        buttons = (self.add_button, self.add_folder_button, self.remove_button)
        row.addWidget(wrapping_row(*buttons, align=Qt.AlignmentFlag.AlignRight), 1)
        return row

    def _documents_table(self) -> QTreeWidget:
        table = QTreeWidget()
        table.setHeaderLabels(["Name", "Type", "Pages", "Size"])
        table.setRootIsDecorated(False)
        table.setSortingEnabled(True)
        table.setAlternatingRowColors(True)
        table.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.itemSelectionChanged.connect(self._on_selection_changed)
        table.itemActivated.connect(self._on_item_activated)
        table.itemClicked.connect(self._on_item_clicked)  # one click opens it for review
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_context_menu)
        table.setToolTip("Click a document to review it; Ctrl- or Shift-click to select "
                         "several (to remove them)")
        _fit_columns(table)
        return table

    def _progress_row(self) -> QWidget:
        self.progress_box = QWidget()
        column = QVBoxLayout(self.progress_box)
        column.setContentsMargins(0, 0, 0, 0)
        self.progress_label = ElidedLabel()  # a long file name never widens the pane
        self.progress_bar = QProgressBar(maximum=1000, textVisible=False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_ingest)
        column.addWidget(self.progress_label)  # a line of its own: the step, the file
        row = QHBoxLayout()
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        column.addLayout(row)
        self.progress_box.hide()
        return self.progress_box

    def _results_list(self) -> QTreeWidget:
        results = QTreeWidget()
        results.setHeaderLabels(["File", "Result", "Details"])
        results.setRootIsDecorated(False)
        _fit_columns(results, stretch=2)
        results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        results.setColumnWidth(0, 170)
        results.hide()
        return results

    # ----- workspace and listing
    def set_workspace(self, name: str | None) -> None:
        self.workspace = name
        self.results.clear()
        self.results.hide()
        self.upgrade.clear()
        self.title.setText("Documents")
        self.refresh()

    def refresh(self) -> None:
        if self.workspace is None:
            self._on_listed(Listing([], None))
            return
        Job(list_documents, self.services, self.workspace).on_success(
            self._on_listed).on_failure(lambda error: show_error(self, error)).start(self.runner)

    def _on_listed(self, listing: Listing) -> None:
        self.documents = list(listing.documents)
        if self._ingest_job is None:
            self.upgrade.offer(listing.outdated_embedder)
        if self._ingest_job is None and listing.policy_outdated:
            self._start_reindex()
        self.table.setSortingEnabled(False)
        self.table.clear()
        for record in self.documents:
            self.table.addTopLevelItem(_document_item(record))
        self.table.setSortingEnabled(True)
        self._on_filter_changed(self.filter_edit.text())
        self.hint.setText(LISTED_HINT if self.documents else EMPTY_HINT)
        self.sig_documents_listed.emit(len(self.documents))

    def _on_filter_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is None:
                continue
            item.setHidden(bool(needle) and needle not in item.text(0).lower())

    # ----- updating the index of a workspace an earlier version made
    def reembed(self) -> None:
        if self.workspace is None or self._ingest_job is not None:
            return
        self.upgrade.hide()
        self.progress_bar.setValue(0)
        self.progress_label.setText("Updating the index…")
        self.progress_box.show()
        self.sig_busy_changed.emit(True)
        self._ingest_job = (
            Job(self.services.library().reembed, self.workspace)
            .on_progress(self._on_reembed_progress).on_success(self._on_reembedded)
            .on_failure(self._on_reembed_failed).start(self.runner))

    def _on_reembed_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        self.progress_label.setText(f"Updating the index: {message}")

    def _on_reembedded(self, passages: int) -> None:
        self.upgrade.done(passages)
        self._batch_done()

    def _on_reembed_failed(self, error: BaseException) -> None:
        self._batch_done()
        show_error(self, error)

    # ----- indexing again under a privacy policy changed elsewhere (settings.json, the CLI)
    def _start_reindex(self) -> None:
        self.results.clear()
        self.progress_bar.setValue(0)
        self.progress_label.setText("The privacy policy changed: indexing the documents again…")
        self.progress_box.show()
        self._ingest_job = (
            Job(self.services.library().reindex_if_outdated, self.workspace)
            .on_progress(self._on_ingest_progress).on_success(self._on_ingested)
            .on_failure(self._on_ingest_failed).start(self.runner))
        self.sig_busy_changed.emit(True)

    # ----- adding documents
    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add documents", "", DOCUMENT_FILTER)
        self.add_paths([Path(name) for name in names])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of documents")
        if folder:
            self.add_paths([Path(folder)])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt's name
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def add_paths(self, paths: Sequence[Path]) -> None:
        if not paths:
            return
        if self.workspace is None:
            QMessageBox.information(self, "Enclave", "Create a workspace first.")
            return
        self._pending.extend(paths)
        if self._ingest_job is None:
            self._start_batch()

    def _start_batch(self) -> None:
        paths, self._pending = self._pending, []
        self.results.clear()
        self.progress_bar.setValue(0)
        self.progress_label.setText(f"Listing {_plural(len(paths), 'item')}…")
        self.progress_box.show()
        library = self.services.library()
        self._ingest_job = (
            Job(library.ingest, paths, workspace=self.workspace)
            .on_progress(self._on_ingest_progress).on_success(self._on_ingested)
            .on_failure(self._on_ingest_failed).start(self.runner))
        self.sig_busy_changed.emit(True)

    @property
    def is_ingesting(self) -> bool:
        return self._ingest_job is not None

    def cancel_ingest(self) -> None:
        if self._ingest_job is not None:
            self._pending.clear()
            self.progress_label.setText("Cancelling…")
            self._ingest_job.cancel()

    def _on_ingest_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        if fraction < 1.0:
            self.progress_label.setText(ingest_step_text(fraction, message))

    def _on_ingested(self, report: Any) -> None:
        for result in report.results:
            self.results.addTopLevelItem(_result_item(result))
        self.results.show()
        self.progress_label.setText(report.summary())
        self._batch_done()
        self.sig_ingest_finished.emit(report)

    def _on_ingest_failed(self, error: BaseException) -> None:
        self._batch_done()
        self.progress_label.setText("Import cancelled.")
        show_error(self, error)
        self.sig_ingest_finished.emit(None)

    def _batch_done(self) -> None:
        self._ingest_job = None
        self.progress_box.hide()
        self.refresh()
        if self._pending:
            self._start_batch()
        else:
            self.sig_busy_changed.emit(False)

    # ----- selection, opening, removing
    def selected_records(self) -> list[Any]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self.table.selectedItems()]

    def _on_selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectedItems()))

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        from PySide6.QtWidgets import QApplication

        if QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier:
            self.sig_document_activated.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _on_context_menu(self, position: Any) -> None:
        from PySide6.QtWidgets import QMenu

        item = self.table.itemAt(position)
        if item is None:
            return
        record = item.data(0, Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction("Review", lambda: self.sig_document_activated.emit(record))
        menu.addAction("Summarize as a contract",
                       lambda: self.sig_summarize_requested.emit(record))
        menu.addSeparator()
        menu.addAction("Remove…", self._on_remove)
        menu.exec(self.table.viewport().mapToGlobal(position))

    def _on_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        self.sig_document_activated.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _on_remove(self) -> None:
        records = self.selected_records()
        if not records or not self._confirm_remove(records):
            return
        Job(self._purge, [record.doc_id for record in records]).on_success(
            lambda _: self.refresh()).on_failure(lambda e: show_error(self, e)).start(self.runner)

    def _confirm_remove(self, records: list[Any]) -> bool:
        names = ", ".join(one_line(record.title or Path(record.paths[0]).name)
                      for record in records[:3])
        more = f" and {len(records) - 3} more" if len(records) > 3 else ""
        answer = QMessageBox.question(
            self, "Remove documents",
            f"Remove {names}{more} from this workspace? Its text and index entries are "
            "deleted; the original files on disk are not touched.")
        return answer == QMessageBox.StandardButton.Yes

    def _purge(self, doc_ids: list[str]) -> int:
        library, workspace = self.services.library(), self.workspace
        if workspace is None:
            return 0
        return sum(len(library.purge(workspace, doc_id)) for doc_id in doc_ids)


class _SortItem(QTreeWidgetItem):
    """Sorts the numeric columns by number, not text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        mine, theirs = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return self.text(column).lower() < other.text(column).lower()


def ingest_step_text(fraction: float, message: str) -> str:
    """A step before the first file is a sentence ("Loading the search model…"); then the
    file being read, with the batch's share done."""
    if message.endswith("…"):
        return message
    return f"Reading {one_line(message)} ({fraction:.0%})"


def display_name(record: Any) -> str:
    return one_line(Path(record.paths[0]).name if record.paths else
                    record.title or record.doc_id[:8])


def _document_item(record: Any) -> QTreeWidgetItem:
    item = _SortItem([display_name(record), kind_label(record), str(record.pages),
                      _size(record.bytes)])
    item.setData(0, Qt.ItemDataRole.UserRole, record)
    item.setData(2, SORT_ROLE, record.pages)
    item.setData(3, SORT_ROLE, record.bytes)
    item.setToolTip(0, "\n".join(map(one_line, record.paths)))
    item.setToolTip(1, scan_tooltip(record))
    for column in (2, 3):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def kind_label(record: Any) -> str:
    """The type column: the format, and whether pages were read from scans (OCR)."""
    kind = record.kind.upper()
    if getattr(record, "low_quality_pages", ()):
        return f"{kind} · low-quality scan"
    return f"{kind} · scan" if getattr(record, "scanned_pages", ()) else kind


def scan_tooltip(record: Any) -> str:
    scanned, low = getattr(record, "scanned_pages", ()), getattr(record, "low_quality_pages", ())
    if not scanned:
        return ""
    lines = [f"Read by OCR: page(s) {', '.join(map(str, scanned[:20]))}"]
    if low:
        lines.append(f"Low OCR confidence, check against the original: page(s) "
                     f"{', '.join(map(str, low[:20]))}")
    return "\n".join(lines)


def _result_item(result: Any) -> QTreeWidgetItem:
    text = STATUS_TEXT.get(result.status, result.status)
    detail = one_line(result.message) or (f"{_plural(result.pages, 'page')}, "
                                          f"{_plural(result.chunks, 'passage')}"
                                          if result.pages else "")
    item = QTreeWidgetItem([one_line(Path(result.path).name), text, detail])
    item.setToolTip(2, detail)
    item.setData(0, Qt.ItemDataRole.UserRole, result)
    colour = {"refused": "#c62828", "indexed": "#2e7d32", "replaced": "#2e7d32"}.get(
        result.status)
    if colour:
        item.setForeground(1, _brush(colour))
    return item


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fit_columns(tree: QTreeWidget, stretch: int = 0) -> None:
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def _brush(colour: str) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(colour))


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if count < 1024 or unit == "MB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return ""
