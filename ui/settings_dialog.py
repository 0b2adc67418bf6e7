"""Settings: the installed models (import, verify, use), generation settings and the
redaction policy of the current workspace. Bad values are refused with the reason."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import Services
from app.settings import updated
from core.errors import InputError
from models.adapters.catalog import describe_adapter
from models.catalog import describe_model
from ui.errors import show_error
from ui.worker import Job, JobRunner

COLUMNS = ["Name", "In use", "Family", "Parameters", "Quantization", "Context", "Template",
           "Size", "Checksum"]
CHECKSUM_COLUMN = COLUMNS.index("Checksum")


def verify_all(services: Services, infos: list[Any], *, emit: Any, cancel: Any) -> None:
    for info in infos:
        emit((info.id, services.catalog.verify(info, cancel=cancel)))


class SettingsDialog(QDialog):
    sig_model_chosen = Signal(str)

    def __init__(self, services: Services, runner: JobRunner, workspace: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.workspace = services, runner, workspace
        self.setWindowTitle("Settings")
        self.resize(980, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(self._models_box(), 1)
        layout.addWidget(self._settings_box())
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.message = QLabel()
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._verify_job: Job | None = None
        self.list_models()

    def done(self, result: int) -> None:
        if self._verify_job is not None:
            self._verify_job.cancel()
        super().done(result)

    # ----- models
    def _models_box(self) -> QGroupBox:
        box = QGroupBox("Installed models")
        layout = QVBoxLayout(box)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(COLUMNS)
        self.table.setRootIsDecorated(False)
        self.table.setColumnWidth(0, 240)
        layout.addWidget(self.table)
        layout.addWidget(self._import_help())
        row = QHBoxLayout()
        self.import_button = QPushButton("Import GGUF…")
        self.use_button = QPushButton("Use")
        self.import_progress = QProgressBar(maximum=1000)
        self.import_progress.hide()
        self.import_button.clicked.connect(self.choose_import)
        self.use_button.clicked.connect(self._on_use)
        row.addWidget(self.import_button)
        row.addWidget(self.import_progress, 1)
        row.addStretch(1)
        row.addWidget(self.use_button)
        layout.addLayout(row)
        return box

    def _import_help(self) -> QLabel:
        from app.guide import families_text

        text = QLabel(
            "<small>A <b>GGUF</b> is one file holding a language model packed to run on this "
            "computer's processor (e.g. <i>Phi-4-mini-instruct-Q4_K_M.gguf</i>). Families that "
            f"work: {families_text()}. On a machine without internet, copy the file over on a "
            "USB drive or a share, then <b>Import GGUF…</b>: Enclave copies it into its data "
            "folder and checks its checksum. Help → User Guide → Models says more.</small>",
            wordWrap=True)
        text.setTextFormat(Qt.TextFormat.RichText)
        return text

    def list_models(self) -> None:
        infos = self.services.catalog.list()
        active = self.services.settings.active_model
        self.table.clear()
        for info in infos:
            in_use = info.id == active or (active is None and info.embedded)
            described = describe_model(info)
            item = QTreeWidgetItem([info.name, "✓ in use" if in_use else "",
                                    *(described[name] for name in COLUMNS[2:-1]), "checking…"])
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            self.table.addTopLevelItem(item)
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        if self._verify_job is not None:
            self._verify_job.cancel()
        self._verify_job = Job(verify_all, self.services, infos).on_item(
            self._on_verified).start(self.runner)

    def _on_verified(self, result: object) -> None:
        assert isinstance(result, tuple)
        model_id: str = result[0]
        ok: bool = result[1]
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == model_id:
                item.setText(CHECKSUM_COLUMN, "✓ verified" if ok else "✗ does not match")

    def choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a model", "", "GGUF models (*.gguf)")
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> Job:
        self.import_progress.show()
        self.import_button.setEnabled(False)
        return (Job(self.services.models.import_file, path)
                .on_progress(lambda f, _m: self.import_progress.setValue(int(f * 1000)))
                .on_success(self._on_imported).on_failure(self._on_import_failed)
                .start(self.runner))

    def _on_imported(self, info: Any) -> None:
        self.import_progress.hide()
        self.import_button.setEnabled(True)
        self.list_models()

    def _on_import_failed(self, error: BaseException) -> None:
        self.import_progress.hide()
        self.import_button.setEnabled(True)
        show_error(self, error)

    def _on_use(self) -> None:
        item = self.table.currentItem()
        if item is not None:
            self.sig_model_chosen.emit(item.data(0, Qt.ItemDataRole.UserRole))
            self.list_models()

    # ----- settings
    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Answers and privacy")
        form = QFormLayout(box)
        llm = self.services.settings.llm
        self.temperature_edit = QLineEdit(str(llm.temperature))
        self.max_tokens_edit = QLineEdit(str(llm.max_tokens))
        self.threads_edit = QLineEdit(str(llm.threads))
        self.policy_combo = QComboBox()
        self.policy_help = QLabel(wordWrap=True)  # what the chosen policy stores and exports
        self.policy_help.setTextFormat(Qt.TextFormat.RichText)
        self._fill_policies()
        form.addRow("Temperature (0–2):", self.temperature_edit)
        form.addRow("Longest answer (tokens):", self.max_tokens_edit)
        form.addRow("Threads (0 = automatic):", self.threads_edit)
        label = f"Redaction policy of “{self.workspace}”:" if self.workspace else \
            "Default redaction policy:"
        form.addRow(label, self.policy_combo)
        form.addRow("", self.policy_help)
        if self.workspace:
            form.addRow(f"Adapter for “{self.workspace}”:", self._adapter_row())
        form.addRow(QLabel("<small>Thread changes apply the next time a model loads.</small>"))
        return box

    # ----- adapters (LoRA, one per workspace)
    def _adapter_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.adapter_combo = QComboBox()
        self.adapter_import_button = QPushButton("Import adapter…")
        self.adapter_import_button.clicked.connect(self.choose_adapter_import)
        layout.addWidget(self.adapter_combo, 1)
        layout.addWidget(self.adapter_import_button)
        self.list_adapters()
        return row

    def list_adapters(self) -> None:
        """None, then every adapter installed, with its base model and size."""
        models = self.services.models
        current = models.adapter_for(self.workspace)
        self.adapter_combo.clear()
        self.adapter_combo.addItem("None (the model as it is)", "")
        for info in models.adapters.list():
            described = describe_adapter(info)
            self.adapter_combo.addItem(
                f"{info.name} (for {described['Base model']}, rank {described['Rank']}, "
                f"{described['Size']}, sha256 {info.sha256[:12]}…)", info.id)
        self.adapter_combo.setCurrentIndex(
            max(0, self.adapter_combo.findData(current.id if current else "")))

    def choose_adapter_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a LoRA adapter", "",
                                              "LoRA adapters (*.gguf)")
        if name:
            self.import_adapter(Path(name))

    def import_adapter(self, path: Path) -> Job:
        self.adapter_import_button.setEnabled(False)
        return (Job(self.services.models.import_adapter, path)
                .on_success(self._on_adapter_imported).on_failure(self._on_adapter_failed)
                .start(self.runner))

    def _on_adapter_imported(self, info: Any) -> None:
        self.adapter_import_button.setEnabled(True)
        self.list_adapters()
        self.adapter_combo.setCurrentIndex(self.adapter_combo.findData(info.id))
        self.message.setText(f"Adapter {info.name} imported; Save to use it here.")

    def _on_adapter_failed(self, error: BaseException) -> None:
        self.adapter_import_button.setEnabled(True)
        show_error(self, error, title="Adapter not imported")

    def _chosen_adapters(self) -> dict[str, str]:
        chosen = dict(self.services.settings.llm.workspace_adapters)
        adapter_id = self.adapter_combo.currentData() if self.workspace else None
        if self.workspace and adapter_id:
            chosen[self.workspace] = adapter_id
        elif self.workspace:
            chosen.pop(self.workspace, None)
        return chosen

    def _fill_policies(self) -> None:
        from app.privacy.policy import POLICIES

        self.policy_combo.addItems(sorted(POLICIES))
        self.policy_combo.currentTextChanged.connect(self._explain_policy)
        self.policy_combo.setCurrentText(self.services.privacy_policy(self.workspace).name)
        self._explain_policy(self.policy_combo.currentText())

    def _explain_policy(self, name: str) -> None:
        from app.guide import describe_policy
        from app.privacy.policy import POLICIES

        if name in POLICIES:
            self.policy_help.setText(
                f"<small>{html.escape(describe_policy(POLICIES[name]))}</small>")

    def save(self) -> None:
        redacted_before = self._index_redacted()
        try:
            self.services.settings = self._validated()
        except InputError as error:
            show_error(self, error, title="Settings not saved")
            return
        self.services.save()
        self.message.setText("Settings saved.")
        if self.workspace and self._index_redacted() != redacted_before:
            self.reindex(self.workspace)

    def _index_redacted(self) -> bool:
        return bool(self.workspace) and self.services.privacy_policy(self.workspace).redacts_index

    def reindex(self, workspace: str) -> Job:
        """The workspace's policy now stores text differently: index its documents again."""
        return (Job(self.services.library().reindex, workspace)
                .on_progress(lambda _f, note: self.message.setText(f"Re-indexing: {note}"))
                .on_success(lambda report: self.message.setText(
                    f"Re-indexed under the new privacy policy: {report.summary()}"))
                .on_failure(lambda error: show_error(self, error)).start(self.runner))

    def _validated(self) -> Any:
        settings = updated(self.services.settings, "llm",
                           temperature=self.temperature_edit.text().strip(),
                           max_tokens=self.max_tokens_edit.text().strip(),
                           threads=self.threads_edit.text().strip(),
                           workspace_adapters=self._chosen_adapters())
        privacy = settings.privacy
        policy = self.policy_combo.currentText()
        if self.workspace:
            policies = {**privacy.workspace_policies, self.workspace: policy}
            return updated(settings, "privacy", workspace_policies=policies)
        return updated(settings, "privacy", default_policy=policy)
