"""The notice the library shows for a workspace indexed by an earlier version's embedding model:
what that means, and a button to update its index (the library runs the job)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class IndexUpgradeNotice(QWidget):
    def __init__(self, on_update: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(wordWrap=True)
        self.button = QPushButton("Update index")
        self.button.clicked.connect(on_update)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self._offering = False
        self.hide()

    def offer(self, outdated: str | None) -> None:
        """Offer the update when ``outdated`` names an earlier embedder; a result shown by
        :meth:`done` stays until the workspace changes."""
        if not outdated:
            if self._offering:
                self.clear()
            return
        self.label.setText(
            f"These documents were indexed by an earlier version's embedding model ({outdated});"
            " searches keep using it. Updating the index moves them to the current model, from "
            "the stored passages (the files are not needed); you can keep working meanwhile.")
        self.button.show()
        self._offering = True
        self.show()

    def done(self, passages: int) -> None:
        self.label.setText(f"Index updated: {passages} passages now use the current embedding "
                           "model.")
        self.button.hide()
        self._offering = False
        self.show()

    def clear(self) -> None:
        self._offering = False
        self.hide()
