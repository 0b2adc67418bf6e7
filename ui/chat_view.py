"""The chat of the current workspace: streamed answers, Stop, citations as links, history.

Each question runs ``ChatService.ask`` in a Job; tokens arrive as items and are appended to
the transcript as they come. When the answer is complete the transcript is drawn again with
its citations as links ``cite:<exchange>:<n>``; clicking one emits ``sig_citation_clicked``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.history import (
    CitationRef,
    Exchange,
    citation_refs,
    evidence_refs,
    quote_refs,
    to_markdown,
)
from app.services import Services
from core.disk import write_whole
from core.jobs import CancelFn
from models.prompts import Turn
from ui.errors import show_error
from ui.flow_layout import wrapping_row
from ui.model_wait import ModelWait
from ui.style import named
from ui.transcript import parse_quote_href, transcript_html
from ui.welcome import WelcomePage
from ui.worker import Job, JobRunner

HISTORY_TURNS = 4


def ask(services: Services, question: str, workspace: str, history: list[Turn], *,
        emit: Any, cancel: CancelFn) -> Any:
    """The evidence arrives first (a tuple of quotes), then the checked short answer."""
    return services.chat().ask(question, workspace=workspace, history=history, on_token=emit,
                               on_evidence=emit, cancel=cancel)


class ChatView(QWidget):
    sig_answer_finished = Signal(str)  # "answered", "stopped", "not found" or "failed"
    sig_citation_clicked = Signal(object)  # app.history.CitationRef
    sig_model_wanted = Signal()  # a question came while no model is loaded or loading

    def __init__(self, services: Services, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.history = services.history()
        self.workspace: str | None = None
        self.exchanges: list[Exchange] = []
        self.streamed: list[str] = []
        self._job: Job | None = None
        self._stop_requested = False
        self._model_ready = False
        self._indexing = False  # documents are being added: a question waits for them
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._toolbar())
        self.stack = QStackedWidget()
        self.welcome = WelcomePage()
        self.welcome.sig_question_chosen.connect(self.ask_typed)
        self.transcript = named(QTextBrowser(openLinks=False), "transcript")
        self.transcript.anchorClicked.connect(self._on_anchor_clicked)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.transcript)
        self.stack.setCurrentWidget(self.transcript)
        layout.addWidget(self.stack, 1)
        self.model_wait = ModelWait()
        layout.addWidget(self.model_wait)
        layout.addLayout(self._input_row())

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.title = named(QLabel("Chat"), "sectionTitle")
        row.addWidget(self.title)
        self.new_button = QPushButton("New chat")
        self.regenerate_button = QPushButton("Regenerate")
        self.copy_button = QPushButton("Copy")
        self.export_button = QPushButton("Export…")
        self.new_button.clicked.connect(self.new_chat)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.copy_button.clicked.connect(self.copy_last_answer)
        self.export_button.clicked.connect(self.choose_export)
        buttons = (self.new_button, self.regenerate_button, self.copy_button, self.export_button)
        row.addWidget(wrapping_row(*buttons, align=Qt.AlignmentFlag.AlignRight), 1)
        return row

    def _input_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.question_edit = named(QLineEdit(), "question")
        self.question_edit.setPlaceholderText("Ask a question about this workspace…")
        self.question_edit.setMinimumHeight(34)
        self.ask_button = named(QPushButton("Ask"), "primary")
        self.ask_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.ask_button.clicked.connect(self._on_ask)
        self.question_edit.returnPressed.connect(self._on_ask)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.question_edit, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        self._update_buttons()
        return row

    # ----- state
    def set_model_ready(self, ready: bool) -> None:
        """False while a model loads; True answers the question asked meanwhile, if any."""
        self._model_ready = ready
        if not ready:
            self.model_wait.start_loading()
        else:
            self._ask_held_question()
        self._update_buttons()

    def set_indexing(self, busy: bool) -> None:
        """While documents are being indexed a question waits for them: asked earlier, it
        would search an index without them and find nothing."""
        self._indexing = busy
        if not busy:
            self._ask_held_question()
        self._update_buttons()

    def _ask_held_question(self) -> None:
        if self.model_wait.pending is not None and self._model_ready and self._indexing:
            self.model_wait.hold(self.model_wait.pending, indexing=True)
        elif self._model_ready and not self._indexing \
                and (queued := self.model_wait.release()) is not None:
            self.ask_question(queued)

    def set_model_unavailable(self, reason: str) -> None:
        """The load was cancelled or failed: drop the queued question visibly, keep its text."""
        self._model_ready = False
        question = self.model_wait.drop(reason)
        if question and not self.question_edit.text():
            self.question_edit.setText(question)
        self._update_buttons()

    @property
    def is_answering(self) -> bool:
        return self._job is not None

    def _update_buttons(self) -> None:
        busy, has = self.is_answering, bool(self.exchanges)
        can_ask = not busy and self.workspace is not None and self.model_wait.pending is None
        self.ask_button.setEnabled(can_ask)
        self.stop_button.setEnabled(busy)
        self.regenerate_button.setEnabled(can_ask and self._model_ready and has)
        for button in (self.copy_button, self.export_button):
            button.setEnabled(has and not busy)
        self.new_button.setEnabled(has and not busy)

    def set_workspace(self, name: str | None) -> None:
        self.stop()
        self.workspace = name
        conversation = self.history.load(name) if name else None
        self.exchanges = conversation.exchanges if conversation else []
        if conversation and conversation.notice:
            QMessageBox.warning(self, "Conversation kept aside", conversation.notice)
        self.redraw()

    def on_workspace_renamed(self, old: str, new: str) -> None:
        """The conversation file moved with the workspace; an answer still streaming is saved
        under the new name."""
        if self.workspace == old:
            self.workspace = new

    def show_welcome(self, visible: bool) -> None:
        self.stack.setCurrentWidget(self.welcome if visible and not self.exchanges
                                    else self.transcript)

    def redraw(self) -> None:
        self.transcript.setHtml(transcript_html(self.exchanges, self._shade()))
        self.transcript.moveCursor(QTextCursor.MoveOperation.End)
        self._update_buttons()

    def _shade(self) -> str:
        return self.palette().color(QPalette.ColorRole.AlternateBase).name()

    # ----- asking
    def ask_typed(self, question: str) -> None:
        """As if ``question`` were typed and Ask pressed (it may wait for the model)."""
        self.question_edit.setText(question)
        self._on_ask()

    def _on_ask(self) -> None:
        question = self.question_edit.text().strip()
        if question and self.ask_button.isEnabled():
            self.question_edit.clear()
            if self._model_ready and not self._indexing:
                self.ask_question(question)
            else:  # answered when the model is ready and the documents are in (ModelWait)
                self.model_wait.hold(question, indexing=self._model_ready)
                self._update_buttons()
                if not self._model_ready and not self.model_wait.loading:
                    self.sig_model_wanted.emit()

    def ask_question(self, question: str) -> None:
        history = [item.turn() for item in self.exchanges[-HISTORY_TURNS:]]
        self.exchanges.append(Exchange(question))
        self.streamed, self._stop_requested = [], False
        self.stack.setCurrentWidget(self.transcript)
        self.redraw()
        self._job = (Job(ask, self.services, question, self.workspace, history)
                     .on_item(self._on_token).on_success(self._on_answered)
                     .on_failure(self._on_failed).start(self.runner))
        self._update_buttons()

    def _on_token(self, piece: object) -> None:
        if isinstance(piece, tuple):
            self._on_evidence(piece)
            return
        self.streamed.append(str(piece))
        if self.exchanges and self.exchanges[-1].quotes:
            return  # drawn with its evidence when the answer is complete
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(str(piece))
        self.transcript.setTextCursor(cursor)
        self.transcript.ensureCursorVisible()

    def _on_evidence(self, quotes: tuple[Any, ...]) -> None:
        """Show the quoted evidence at once, while the short answer is being checked."""
        exchange = self.exchanges[-1]
        exchange.quotes, exchange.citations = quote_refs(quotes), evidence_refs(quotes)
        self.redraw()

    def _on_answered(self, answer: Any) -> None:
        exchange = self.exchanges[-1]
        exchange.answer = answer.text or "".join(self.streamed).strip()
        if getattr(answer, "note", ""):  # the model could not be used: evidence alone
            exchange.answer = f"{answer.note}\n\n{exchange.answer}"
        exchange.citations = citation_refs(answer)
        exchange.quotes = quote_refs(answer.quotes)
        exchange.grounded = answer.grounded if answer.quotes else None
        exchange.outcome = answer.outcome
        exchange.stopped = self._stop_requested
        outcome = "stopped" if self._stop_requested else (
            "answered" if answer.found else "not found")
        self._finish(outcome)

    def _on_failed(self, error: BaseException) -> None:
        exchange = self.exchanges[-1]
        exchange.answer = "".join(self.streamed).strip() or "(no answer)"
        exchange.stopped = True
        self._finish("failed")
        show_error(self, error)

    def _finish(self, outcome: str) -> None:
        self._job = None
        self.redraw()
        self._save()
        self.sig_answer_finished.emit(outcome)

    def stop(self) -> None:
        if self._job is not None:
            self._stop_requested = True
            self._job.cancel()

    def _save(self) -> None:
        if self.workspace is not None:
            self.history.save(self.workspace, self.exchanges)

    # ----- toolbar actions
    def new_chat(self) -> None:
        if not self.is_answering:
            self.exchanges = []
            self._save()
            self.redraw()

    def regenerate(self) -> None:
        if self.exchanges and self.regenerate_button.isEnabled():
            question = self.exchanges.pop().question
            self.ask_question(question)

    def copy_last_answer(self) -> None:
        if self.exchanges:
            QGuiApplication.clipboard().setText(self.exchanges[-1].answer)

    def choose_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export conversation",
                                              f"{self.workspace or 'conversation'}.md",
                                              "Markdown (*.md);;PDF (*.pdf)")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Job:
        text = to_markdown(self.workspace or "", self.exchanges)
        return Job(write_export, text, path).on_failure(
            lambda error: show_error(self, error)).start(self.runner)

    # ----- citations
    def _on_anchor_clicked(self, url: QUrl) -> None:
        """An answer's [n] opens its source with the passage's first quote marked; a quote's
        own [n] opens it with that quote marked."""
        target = parse_quote_href(url.toString())
        if target is None or target[0] >= len(self.exchanges):
            return
        exchange = self.exchanges[target[0]]
        ref = exchange.citation(target[1])
        if ref is not None and target[2] is not None and target[2] < len(exchange.quotes):
            ref = exchange.quotes[target[2]].citation(ref)
        if ref is not None:
            self.sig_citation_clicked.emit(ref)

    def citation(self, exchange_index: int, number: int) -> CitationRef | None:
        return self.exchanges[exchange_index].citation(number)


def write_export(markdown: str, path: Path) -> Path:
    """Whole or not at all; a full disk is one line naming the folder and the space needed."""
    data: bytes | str = markdown
    if path.suffix.lower() == ".pdf":
        from ui.pdf_export import markdown_to_pdf

        data = markdown_to_pdf(markdown, path.stem)
    write_whole(path, data, "The conversation was not exported")
    return path
