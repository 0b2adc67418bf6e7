"""The main window: workspaces and documents on the left, the chat in the middle, the review
pane on the right, and the status bar (model, memory, Offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QSplitter, QTabWidget

from app.services import Services
from app.settings import updated
from core.errors import Cancelled
from ui.audit_view import AuditView
from ui.chat_view import ChatView
from ui.contracts_view import ContractsView
from ui.errors import install_exception_hooks, show_error
from ui.first_run import SAMPLE_WORKSPACE, copy_samples
from ui.help_dialog import HelpDialog
from ui.library_view import LibraryView
from ui.review_view import ReviewView
from ui.settings_dialog import SettingsDialog
from ui.status import StatusWidgets
from ui.style import STYLE_SHEET
from ui.worker import Job, JobRunner
from ui.workspaces import WorkspacesView

ABOUT = ("<h3>Enclave</h3><p>A private document assistant. Your documents, questions and "
         "answers never leave this computer: every network connection is blocked.</p>")


def prepare_sample(services: Services) -> tuple[str, list[Path]]:
    paths = copy_samples(services.paths.root)
    return services.workspaces().create(SAMPLE_WORKSPACE), paths


class MainWindow(QMainWindow):
    sig_model_loaded = Signal(object)
    sig_model_failed = Signal(object)
    sig_answer_finished = Signal(str)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.runner = JobRunner(self, max_threads=4)  # quick listings never wait behind a load
        self.workspace: str | None = None
        self._workspace_known = False
        self._load_job: Job | None = None
        self.setWindowTitle("Enclave")
        self.setStyleSheet(STYLE_SHEET)
        self._fit_to_screen(1360, 820)
        self._build()
        self.actions_by_name = _menus(self)
        self.status = StatusWidgets(self.statusBar())
        self._connect()
        install_exception_hooks(self)
        self._restore_layout()
        self.chat.question_edit.setFocus()  # type a question as soon as the window shows
        self.workspaces.refresh()

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The preferred size, or the whole screen when it is smaller (1280x720, 150 %)."""
        available = self.screen().availableGeometry()
        self.resize(min(width, available.width()), min(height, available.height()))

    def _build(self) -> None:
        self.workspaces = WorkspacesView(self.services, self.runner)
        self.library = LibraryView(self.services, self.runner)
        self.chat = ChatView(self.services, self.runner)
        self.review = ReviewView(self.services, self.runner)
        self.contracts = ContractsView(self.services, self.runner)
        self.middle = QTabWidget()
        self.middle.addTab(self.chat, "Chat")
        self.middle.addTab(self.contracts, "Contracts")
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.workspaces)
        self.left.addWidget(self.library)
        self.left.setSizes([180, 600])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.left, self.middle, self.review):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([380, 560, 420])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.setAcceptDrops(True)

    def _connect(self) -> None:
        self.workspaces.sig_workspace_selected.connect(self._on_workspace_selected)
        self.workspaces.sig_workspace_renamed.connect(self.chat.on_workspace_renamed)
        self.library.sig_documents_listed.connect(self._on_documents_listed)
        self.library.sig_document_activated.connect(self._on_document_activated)
        self.library.sig_busy_changed.connect(self.chat.set_indexing)
        self.library.sig_summarize_requested.connect(self.summarize_record)
        self.chat.sig_citation_clicked.connect(self._on_citation_clicked)
        self.contracts.sig_quote_clicked.connect(self.review.open_target)
        self.contracts.sig_summary_shown.connect(lambda summary: self.library.refresh())
        self.chat.sig_answer_finished.connect(self.sig_answer_finished)
        self.chat.welcome.sig_sample_requested.connect(self.open_sample)
        self.chat.welcome.sig_add_requested.connect(self.library.choose_files)
        self.chat.sig_model_wanted.connect(self.start_loading_model)
        self.chat.model_wait.sig_cancel_requested.connect(self.cancel_model_load)

    # ----- drops anywhere on the window go to the library
    def dragEnterEvent(self, event: Any) -> None:  # Qt's name
        self.library.dragEnterEvent(event)

    def dropEvent(self, event: Any) -> None:  # Qt's name
        self.library.dropEvent(event)

    # ----- model
    def start_loading_model(self) -> None:
        """Load the active model in a worker; questions asked meanwhile wait in the chat."""
        if self.is_loading_model:
            return
        self.chat.set_model_ready(False)
        self.status.model_label.setText("Loading model…")
        self._load_job = Job(self.services.models.ensure_loaded) \
            .on_success(self._on_model_loaded).on_failure(self._on_model_failed) \
            .start(self.runner)

    @property
    def is_loading_model(self) -> bool:
        return self._load_job is not None and not self._load_job.is_done

    def cancel_model_load(self) -> None:
        if self._load_job is not None:
            self._load_job.cancel()

    def _on_model_loaded(self, info: Any) -> None:
        self._load_job = None  # over, even if its thread has not quite returned yet
        self.status.model_label.setText(f"Model: {getattr(info, 'name', info)}")
        self.chat.set_model_ready(True)
        self.sig_model_loaded.emit(info)

    def _on_model_failed(self, error: BaseException) -> None:
        self._load_job = None
        cancelled = isinstance(error, Cancelled)
        self.status.model_label.setText("No model loaded")
        self.chat.set_model_unavailable("Model loading was cancelled." if cancelled else
                                        "The model could not be loaded.")
        self.sig_model_failed.emit(error)
        show_error(self, error)

    def use_model(self, model_id: str) -> None:
        if self.chat.is_answering or self.is_loading_model:
            QMessageBox.information(self, "Enclave", "Stop the current answer (or cancel the "
                                    "model load) before switching models.")
            return
        try:
            self.services.models.use(model_id)
        except Exception as error:  # shown to the user
            show_error(self, error)
            return
        self.start_loading_model()

    # ----- workspaces and documents
    def _on_workspace_selected(self, name: object) -> None:
        if name == self.workspace and self._workspace_known:
            return
        self._workspace_known = True
        self.workspace = name if isinstance(name, str) else None
        self.setWindowTitle(f"{self.workspace} — Enclave" if self.workspace else "Enclave")
        self.library.set_workspace(self.workspace)
        self.chat.set_workspace(self.workspace)
        self.contracts.set_workspace(self.workspace)
        self.review.set_workspace(self.workspace)
        if self.workspace is None:
            self.chat.show_welcome(True)
        elif self.workspace != self.services.settings.last_workspace:
            self.services.settings = updated(self.services.settings, "",
                                             last_workspace=self.workspace)
            self.services.save()

    def _on_documents_listed(self, count: int) -> None:
        """The welcome page stays until the workspace's first question; with documents it
        says they are ready (and suggests the sample's question)."""
        self.chat.welcome.set_documents(count, sample=self.workspace == SAMPLE_WORKSPACE)
        self.contracts.set_library(self.library.documents)
        self.chat.show_welcome(True)

    def _on_document_activated(self, record: Any) -> None:
        if self.workspace is not None:
            self.review.open_record(self.workspace, record)

    def summarize_record(self, record: Any) -> None:
        """A library document summarized as a contract, in the Contracts tab."""
        if record.paths:
            self.middle.setCurrentWidget(self.contracts)
            self.contracts.summarize(Path(record.paths[0]))

    def _on_citation_clicked(self, ref: Any) -> None:
        if self.workspace is not None:
            self.review.open_citation(self.workspace, ref)

    def open_sample(self) -> Job:
        self._set_sample_busy(True)
        return Job(prepare_sample, self.services).on_success(self._on_sample_ready) \
            .on_failure(self._on_sample_failed).start(self.runner)

    def _set_sample_busy(self, busy: bool) -> None:
        button = self.chat.welcome.sample_button
        button.setEnabled(not busy)
        button.setText("Importing the sample documents…" if busy else "Open the sample workspace")

    def _on_sample_failed(self, error: BaseException) -> None:
        self._set_sample_busy(False)
        show_error(self, error)

    def _on_sample_ready(self, result: Any) -> None:
        name, paths = result
        self._on_workspace_selected(name)
        self.library.add_paths(paths)
        self.library.sig_ingest_finished.connect(self._on_sample_ingested)
        self.workspaces.refresh(select=name)

    def _on_sample_ingested(self, report: object) -> None:
        self.library.sig_ingest_finished.disconnect(self._on_sample_ingested)
        self._set_sample_busy(False)

    # ----- dialogs
    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.services, self.runner, self.workspace, self)
        dialog.sig_model_chosen.connect(self.use_model)
        dialog.show()
        return dialog

    def open_audit_trail(self) -> AuditView:
        view = AuditView(self.services.paths.audit_file, self.runner, self)
        view.show()
        return view

    def show_about(self) -> None:
        QMessageBox.about(self, "About Enclave", ABOUT)

    def show_help(self, topic: str = "The window") -> HelpDialog:
        dialog = HelpDialog(self.services.paths.root, self)
        dialog.show_topic(topic)
        dialog.show()
        return dialog

    # ----- layout memory
    def _ui_settings(self) -> QSettings:
        return QSettings(str(self.services.paths.root / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        stored = self._ui_settings()
        for key, restore in (("geometry", self.restoreGeometry), ("state", self.restoreState),
                             ("splitter", self.splitter.restoreState),
                             ("left", self.left.restoreState)):
            value = stored.value(key)
            if value is not None:
                restore(value)

    def _save_layout(self) -> None:
        stored = self._ui_settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("state", self.saveState())
        stored.setValue("splitter", self.splitter.saveState())
        stored.setValue("left", self.left.saveState())
        stored.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt's name
        self._save_layout()
        self.status.stop()
        self.chat.stop()
        self.library.cancel_ingest()
        self.runner.shutdown()
        super().closeEvent(event)


def _menus(window: MainWindow) -> dict[str, Any]:
    from ui.menus import build_menus

    return build_menus(window)
