"""The empty state of the chat: what Enclave is and two ways to start; once the workspace has
documents, that they are ready and what to ask (the sample workspace suggests its question).
It stays until the first question of the workspace."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.flow_layout import wrapping_row
from ui.style import named

SAMPLE_QUESTION = "How much notice is needed to terminate the agreement?"
INTRO = (
    "<h2>Welcome to Enclave</h2>"
    "<p>Ask questions about your documents and get answers with citations you can check. "
    "Everything stays on this computer: no document, question or answer leaves it.</p>"
    "<p>New here? Open the <b>sample workspace</b>: a services agreement, a privacy policy and "
    "a patient intake form (all fictional). Then try a question such as "
    f"<i>“{SAMPLE_QUESTION}”</i></p>"
)
HOW_TO_READ = ("<p>Each answer quotes the passages it comes from; click a number such as "
               "<b>[1]</b> to open the page in the review pane on the right. Click a document "
               "in the list to review it and see the personal data it holds.</p>")


def ready_text(documents: int, sample: bool) -> str:
    noun = "document" if documents == 1 else "documents"
    if sample:
        lead = (f"<h2>The sample workspace is ready</h2><p>Its {documents} {noun} are "
                "indexed. Try the question below, or type your own in the box at the "
                "bottom.</p>")
    else:
        lead = (f"<h2>{documents} {noun} ready</h2><p>Type a question about them in the box "
                "at the bottom and press Enter.</p>")
    return lead + HOW_TO_READ


class WelcomePage(QWidget):
    sig_sample_requested = Signal()
    sig_add_requested = Signal()
    sig_question_chosen = Signal(str)  # the suggested question, clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel(INTRO, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.text.setMinimumWidth(240)  # wraps in a narrow window; reads best at up to 460 px
        self.text.setMaximumWidth(460)
        self.sample_button = named(QPushButton("Open the sample workspace"), "primary")
        self.sample_button.setDefault(True)
        self.add_button = QPushButton("Add your own documents…")
        self.question_button = named(QPushButton(f"Ask: “{SAMPLE_QUESTION}”"), "primary")
        self.question_button.hide()
        self.sample_button.clicked.connect(self.sig_sample_requested)
        self.add_button.clicked.connect(self.sig_add_requested)
        self.question_button.clicked.connect(
            lambda: self.sig_question_chosen.emit(SAMPLE_QUESTION))
        buttons = wrapping_row(self.sample_button, self.add_button, self.question_button,
                               align=Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.text)
        centred.addStretch(1)
        layout.addLayout(centred)
        layout.addSpacing(12)
        layout.addWidget(buttons)
        layout.addStretch(2)

    def set_documents(self, documents: int, *, sample: bool = False) -> None:
        """The introduction for an empty workspace, else what is ready and what to ask."""
        ready = documents > 0
        self.text.setText(ready_text(documents, sample) if ready else INTRO)
        self.sample_button.setVisible(not ready)
        self.add_button.setVisible(not ready)
        self.question_button.setVisible(ready and sample)
        self.question_button.setToolTip(html.escape(SAMPLE_QUESTION))
