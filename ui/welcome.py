"""The empty state of a workspace: what Enclave is, and two ways to start."""

from __future__ import annotations

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


class WelcomePage(QWidget):
    sig_sample_requested = Signal()
    sig_add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        text = QLabel(INTRO, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        text.setMinimumWidth(240)  # wraps in a narrow window; reads best at up to 460 px
        text.setMaximumWidth(460)
        self.sample_button = named(QPushButton("Open the sample workspace"), "primary")
        self.sample_button.setDefault(True)
        self.add_button = QPushButton("Add your own documents…")
        self.sample_button.clicked.connect(self.sig_sample_requested)
        self.add_button.clicked.connect(self.sig_add_requested)
        buttons = wrapping_row(self.sample_button, self.add_button,
                               align=Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(text)
        centred.addStretch(1)
        layout.addLayout(centred)
        layout.addSpacing(12)
        layout.addWidget(buttons)
        layout.addStretch(2)
