"""Help: the user guide (app.guide), offline, topics on the left and the page on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QTextBrowser, QWidget

from app.guide import topics


class HelpDialog(QDialog):
    def __init__(self, data_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Enclave user guide")
        self.resize(900, 620)
        self.pages = topics(data_folder)
        self.list = QListWidget()
        self.list.addItems(list(self.pages))
        self.list.setMaximumWidth(220)
        self.page = QTextBrowser()
        self.page.setOpenExternalLinks(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.page, 1)
        self.list.currentTextChanged.connect(self._on_topic)
        self.show_topic("The window")

    def show_topic(self, title: str) -> None:
        titles = list(self.pages)
        self.list.setCurrentRow(titles.index(title) if title in titles else 0)

    def _on_topic(self, title: str) -> None:
        if title in self.pages:
            self.page.setMarkdown(self.pages[title])
