"""The side list of workspaces (matters): create, rename, delete, choose.

Listing, creating, renaming and deleting open the index, so they run in Jobs; the operations
themselves are app.workspaces.WorkspaceService's (a rename carries the conversation along).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import Services
from ui.errors import show_error
from ui.flow_layout import wrapping_row
from ui.style import named
from ui.worker import Job, JobRunner


class WorkspacesView(QWidget):
    sig_workspace_selected = Signal(object)  # str, or None when there is none
    sig_workspace_renamed = Signal(str, str)

    def __init__(self, services: Services, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.names: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(named(QLabel("Workspaces"), "sectionTitle"))
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemDoubleClicked.connect(lambda item: self.rename_current())
        layout.addWidget(self.list, 1)
        layout.addWidget(self._buttons())

    def _buttons(self) -> QWidget:
        self.new_button = QPushButton("New…")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.new_button.clicked.connect(self.ask_new)
        self.rename_button.clicked.connect(self.rename_current)
        self.delete_button.clicked.connect(self.delete_current)
        return wrapping_row(self.new_button, self.rename_button, self.delete_button)

    @property
    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item else None

    def refresh(self, select: str | None = None) -> None:
        Job(self.services.workspaces().names).on_success(
            lambda names: self._on_listed(names, select)).on_failure(self._on_error) \
            .start(self.runner)

    def _on_listed(self, names: list[str], select: str | None) -> None:
        self.names = names
        wanted = select or self.current or self.services.settings.last_workspace
        self.list.blockSignals(True)
        self.list.clear()
        for name in names:
            QListWidgetItem(name, self.list)
        matches = self.list.findItems(wanted, Qt.MatchFlag.MatchExactly) if wanted else []
        self.list.setCurrentItem(matches[0] if matches else self.list.item(0))
        self.list.blockSignals(False)
        self._update_buttons()
        self.sig_workspace_selected.emit(self.current)

    def _on_current_changed(self, current: Any, previous: Any) -> None:
        self._update_buttons()
        self.sig_workspace_selected.emit(self.current)

    def _update_buttons(self) -> None:
        for button in (self.rename_button, self.delete_button):
            button.setEnabled(self.current is not None)

    # ----- operations
    def create_named(self, name: str) -> Job:
        return Job(self.services.workspaces().create, name).on_success(
            lambda created: self.refresh(select=created)).on_failure(self._on_error) \
            .start(self.runner)

    def ask_new(self) -> None:
        name, ok = QInputDialog.getText(self, "New workspace", "Name of the workspace "
                                        "(for example a client or matter):")
        self._back_to_window()
        if ok and name.strip():
            self.create_named(name.strip())

    def rename_current(self) -> None:
        old = self.current
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "Rename workspace", "New name:", text=old)
        self._back_to_window()
        if ok and new.strip() and new.strip() != old:
            Job(self.services.workspaces().rename, old, new.strip()).on_success(
                lambda name: self._on_renamed(old, name)).on_failure(self._on_error) \
                .start(self.runner)

    def _back_to_window(self) -> None:
        """A closed dialog may leave no window active (no window manager, or one that does not
        hand focus back): the window's shortcuts (Ctrl+O) would then do nothing."""
        window = self.window()
        window.activateWindow()
        window.raise_()
        self.setFocus()

    def _on_renamed(self, old: str, new: str) -> None:
        self.sig_workspace_renamed.emit(old, new)
        self.refresh(select=new)

    def delete_current(self) -> None:
        name = self.current
        if name is None:
            return
        answer = QMessageBox.question(
            self, "Delete workspace",
            f"Delete the workspace “{name}”, its index and its conversation? The original "
            "files on disk are not touched.")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(name)

    def delete(self, name: str) -> Job:
        return Job(self.services.workspaces().delete, name).on_success(self._on_deleted) \
            .on_failure(self._on_error).start(self.runner)

    def _on_deleted(self, name: str) -> None:
        self.refresh()

    def _on_error(self, error: BaseException) -> None:
        show_error(self, error)
