"""The strip above the question box while the model loads.

It holds the one question asked before the model is ready (answered as soon as it is), offers
Cancel for the load, and says what happened when a load is cancelled or fails, so a question is
never silently dropped.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.style import named

LOADING = "Loading the model…"
QUEUED = "Loading the model… your question will be answered next."
CANCELLING = "Cancelling the model load…"
INDEXING = "Indexing your documents… your question will be answered when they are in."


class ModelWait(QFrame):
    """States: hidden (model ready), loading (maybe with a queued question), a closing note."""

    sig_cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "modelWait")
        self.label = QLabel(wordWrap=True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop loading the model")
        self.cancel_button.clicked.connect(self._on_cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.cancel_button)
        self.pending: str | None = None
        self.loading = False
        self.hide()

    def start_loading(self) -> None:
        self.loading = True
        self._show(QUEUED if self.pending else LOADING, cancellable=True)

    def hold(self, question: str, *, indexing: bool = False) -> None:
        """Keep ``question`` until the model is ready, or (``indexing``) until the documents
        being added are indexed; a later question replaces it."""
        self.pending = question
        self._show(INDEXING if indexing else QUEUED, cancellable=self.loading and not indexing)

    def release(self) -> str | None:
        """The model is ready: hide, and hand back the question to answer now."""
        question, self.pending, self.loading = self.pending, None, False
        self.hide()
        return question

    def drop(self, reason: str) -> str | None:
        """The load ended without a model: say so, and hand back the dropped question."""
        question, self.pending, self.loading = self.pending, None, False
        note = f"{reason} Your question was not asked; it is back in the box." if question \
            else reason
        self._show(note, cancellable=False)
        return question

    def _show(self, text: str, *, cancellable: bool) -> None:
        self.label.setText(text)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.show()

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(CANCELLING)
        self.sig_cancel_requested.emit()
