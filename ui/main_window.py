"""The main window: a streamed chat with the active model, and the offline indicator."""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.egress import guard
from app.services import Services
from models.jobs import CancelFn
from models.prompts import PromptRequest, Turn
from ui.errors import install_exception_hooks, show_error
from ui.worker import Job, JobRunner


class MainWindow(QMainWindow):
    model_loaded = Signal(object)
    model_failed = Signal(object)
    answer_finished = Signal(str)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.runner = JobRunner(self)
        self._answer_job: Job | None = None
        self._history: list[Turn] = []
        self._answer_parts: list[str] = []
        self._question = ""
        self.setWindowTitle("Enclave")
        self.resize(1000, 700)
        self._build()
        install_exception_hooks(self)
        self._offline_timer = QTimer(self)
        self._offline_timer.timeout.connect(self._refresh_offline_label)
        self._offline_timer.start(1000)
        self._refresh_offline_label()

    def _build(self) -> None:
        self.transcript = QTextBrowser(openExternalLinks=False)
        self.question_edit = QLineEdit(placeholderText="Ask a question…")
        self.ask_button = QPushButton("Ask")
        self.stop_button = QPushButton("Stop")
        self.ask_button.setEnabled(False)
        self.stop_button.setEnabled(False)
        row = QHBoxLayout()
        for widget in (self.question_edit, self.ask_button, self.stop_button):
            row.addWidget(widget)
        layout = QVBoxLayout()
        layout.addWidget(self.transcript)
        layout.addLayout(row)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.model_label = QLabel("Loading model…")
        self.offline_label = QLabel()
        self.statusBar().addWidget(self.model_label)
        self.statusBar().addPermanentWidget(self.offline_label)
        self.ask_button.clicked.connect(self._on_ask)
        self.question_edit.returnPressed.connect(self._on_ask)
        self.stop_button.clicked.connect(self._on_stop)
        QShortcut(QKeySequence("Escape"), self, self._on_stop)

    # ----- model
    def start_loading_model(self) -> None:
        Job(self.services.ensure_model_loaded).on_success(self._on_model_loaded).on_failure(
            self._on_model_failed).start(self.runner)

    def _on_model_loaded(self, info: object) -> None:
        self.model_label.setText(f"Model: {getattr(info, 'name', info)}")
        self.ask_button.setEnabled(True)
        self.model_loaded.emit(info)

    def _on_model_failed(self, error: BaseException) -> None:
        self.model_label.setText("No model loaded")
        self.model_failed.emit(error)
        show_error(self, error)

    # ----- chat
    def _on_ask(self) -> None:
        question = self.question_edit.text().strip()
        if not question or not self.ask_button.isEnabled():
            return
        self.question_edit.clear()
        self._question, self._answer_parts = question, []
        self.transcript.append(f"<p><b>You:</b> {html.escape(question)}</p>")
        self.transcript.append("<p><b>Enclave:</b> </p>")
        self._set_busy(True)
        request = PromptRequest(self.services.settings.llm.system_prompt, question,
                                history=tuple(self._history[-4:]))
        self._answer_job = (
            Job(self._answer, request).on_item(self._on_token).on_success(self._on_answered)
            .on_failure(self._on_answer_failed).start(self.runner)
        )

    def _answer(self, request: PromptRequest, *, emit: object, cancel: CancelFn) -> str:
        stream = self.services.runtime.stream(request, self.services.generation_options(),
                                              cancel=cancel)
        for piece in stream:
            emit(piece)  # type: ignore[operator]
        return self.services.runtime.last_stats.stop_reason

    def _on_token(self, piece: object) -> None:
        self._answer_parts.append(str(piece))
        cursor = self.transcript.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(str(piece))
        self.transcript.setTextCursor(cursor)

    def _on_answered(self, stop_reason: object) -> None:
        if stop_reason == "cancelled":
            self.transcript.append("<p><i>[stopped]</i></p>")
        self._history.append(Turn(self._question, "".join(self._answer_parts)))
        self._set_busy(False)
        self.answer_finished.emit(str(stop_reason))

    def _on_answer_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.answer_finished.emit("failed")
        show_error(self, error)

    def _on_stop(self) -> None:
        if self._answer_job is not None:
            self._answer_job.cancel()

    def _set_busy(self, busy: bool) -> None:
        self.ask_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # ----- status
    def _refresh_offline_label(self) -> None:
        egress = guard()
        state = "Offline" if egress.installed else "Egress guard OFF"
        self.offline_label.setText(f"{state} · {egress.blocked_count} blocked")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self._offline_timer.stop()
        self.runner.shutdown()
        super().closeEvent(event)
