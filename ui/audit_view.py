"""The audit trail in a window: every record, newest first, and whether the chain is intact.

Reading and verifying the file happen on a worker thread; the table is filled on the Qt thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit import AuditLog, Verification
from app.audit_verify import documents_held
from ui.errors import show_error
from ui.worker import Job, JobRunner

COLUMNS = ["#", "Time (UTC)", "User", "Action", "Details"]


@dataclass(frozen=True)
class AuditSnapshot:
    records: list[dict[str, Any]]
    verification: Verification


def read_audit(path: Path) -> AuditSnapshot:
    log = AuditLog(path)  # an emptied trail beside stored documents is a failure
    return AuditSnapshot(log.records()[::-1],
                         log.verify(documents_held=documents_held(path.parent / "index")))


class AuditView(QDialog):
    sig_loaded = Signal(object)

    def __init__(self, audit_file: Path, runner: JobRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.audit_file, self.runner = audit_file, runner
        self.setWindowTitle("Audit trail")
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.status = QLabel("Reading the audit trail…")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._buttons())
        self.refresh()

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        export = QPushButton("Export CSV…")
        export.clicked.connect(self.choose_export)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(export, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        return buttons

    def refresh(self) -> Job:
        return Job(read_audit, self.audit_file).on_success(self._on_loaded) \
            .on_failure(lambda error: show_error(self, error)).start(self.runner)

    def _on_loaded(self, snapshot: AuditSnapshot) -> None:
        self.table.setRowCount(len(snapshot.records))
        for row, record in enumerate(snapshot.records):
            cells = [str(record.get("seq", "")), str(record.get("time", "")),
                     str(record.get("user", "")), str(record.get("action", "")),
                     json.dumps(record.get("details", {}), sort_keys=True)]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.status.setText(snapshot.verification.message())
        self.sig_loaded.emit(snapshot)

    def choose_export(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "Export audit trail",
                                                "enclave-audit.csv", "CSV (*.csv)")
        if target:
            self.export_to(Path(target))

    def export_to(self, target: Path) -> Job:
        return Job(AuditLog(self.audit_file).export_csv, target) \
            .on_success(lambda count: self.status.setText(f"{count} record(s) written to "
                                                          f"{target.name}")) \
            .on_failure(lambda error: show_error(self, error)).start(self.runner)
