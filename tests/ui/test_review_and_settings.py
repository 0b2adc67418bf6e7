"""Review (personal data, redacted preview and export), settings, and workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from app.history import Exchange
from app.markdown_text import plain
from tests.fake_runtime import FakeRuntime
from tests.models.tiny_gguf import FAMILIES as TINY_FAMILIES
from tests.models.tiny_gguf import write_tiny_gguf
from ui.first_run import copy_samples
from ui.settings_dialog import CHECKSUM_COLUMN, COLUMNS

from .conftest import WindowFactory, create_workspace, wait_ingested


def test_review_highlights_personal_data_and_exports_a_redacted_copy(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Clinic")
    intake = next(p for p in copy_samples(tmp_path) if p.name == "patient_intake.md")
    wait_ingested(qtbot, window, [intake])
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    item = window.library.table.topLevelItem(0)
    with qtbot.waitSignal(window.review.sig_scan_finished, timeout=120_000) as blocker:
        window.library.table.itemActivated.emit(item, 0)
    counts = blocker.args[0]
    assert counts["PERSON"] >= 2 and counts["EMAIL_ADDRESS"] == 1
    assert "Person" in window.review.legend.text()
    assert "background-color:#ffd6a5" in window.review.text_view.toHtml()
    with qtbot.waitSignal(window.review.sig_redaction_finished, timeout=120_000):
        window.review.redacted_check.setChecked(True)  # redacted in a worker, whole document
    preview = window.review.text_view.toPlainText()
    assert "eleanor.marsh@example.com" not in preview and "<EMAIL_ADDRESS_1>" in preview
    output = tmp_path / "intake.redacted.txt"
    with qtbot.waitSignal(window.review.sig_export_finished, timeout=60_000):
        window.review.export_to(output)
    exported = output.read_text(encoding="utf-8")
    assert "Eleanor" not in exported
    # the preview and the copy come from one redaction path (the preview shows the Markdown
    # as read: markup hidden, wrapped lines joined)
    assert preview in plain(exported)


def test_settings_refuse_bad_values_with_a_message(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str]) -> None:
    window = make_window(FakeRuntime())
    dialog = window.open_settings()
    assert dialog.table.topLevelItemCount() == 1
    embedded = dialog.table.topLevelItem(0)
    assert embedded is not None
    shown = {name: embedded.text(column) for column, name in enumerate(COLUMNS)}
    assert shown["Family"] == "Gemma 3" and shown["Quantization"] == "Q4_K_M"
    assert shown["Parameters"].endswith("M") and shown["Template"] == "plain prompt"
    dialog.temperature_edit.setText("hot")
    dialog.save()
    assert any("'hot'" in text for text in answered_dialogs)
    assert window.services.settings.llm.temperature == 0.2
    dialog.temperature_edit.setText("0.7")
    dialog.policy_combo.setCurrentText("strict")
    dialog.save()
    assert window.services.settings.llm.temperature == 0.7
    assert dialog.message.text() == "Settings saved."
    qtbot.waitUntil(lambda: "verified" in dialog.table.topLevelItem(0).text(CHECKSUM_COLUMN),
                    timeout=60_000)
    dialog.close()


def test_settings_dialog_imports_a_model_showing_its_family_and_refuses_an_alien_one(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str],
        tmp_path: Path) -> None:
    granite = write_tiny_gguf(tmp_path / "granite.gguf", "granite3",
                              chat_template=TINY_FAMILIES["granite3"].template)
    alien = write_tiny_gguf(tmp_path / "alien.gguf", "granite3", chat_template=None,
                            general_architecture="enclave-unknown")
    dialog = make_window(FakeRuntime()).open_settings()
    with qtbot.waitSignal(dialog.table.model().rowsInserted, timeout=60_000):
        dialog.import_file(granite)
    rows = [dialog.table.topLevelItem(index) for index in range(dialog.table.topLevelItemCount())]
    shown = {row.text(0): {name: row.text(column) for column, name in enumerate(COLUMNS)}
             for row in rows if row is not None}
    imported = next(value for name, value in shown.items() if name.startswith("Granite 3.3"))
    assert imported["Family"] == "IBM Granite 3" and imported["Template"] == "Granite"
    assert imported["Parameters"].endswith("K") and imported["Quantization"] == "F32"
    dialog.import_file(alien)
    qtbot.waitUntil(lambda: bool(answered_dialogs), timeout=60_000)
    assert "Supported model families" in answered_dialogs[-1]
    assert dialog.table.topLevelItemCount() == 2
    dialog.close()


def test_workspaces_are_created_renamed_with_their_conversation_and_deleted(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Matter One")
    note = tmp_path / "note.txt"
    note.write_text("A short note about the lease renewal in 2027.")
    wait_ingested(qtbot, window, [note])
    create_workspace(qtbot, window, "Matter Two")
    assert window.workspaces.names == ["Matter One", "Matter Two"]
    window.workspaces.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: window.workspace == "Matter One", timeout=10_000)
    assert window.services.settings.last_workspace == "Matter One"
    window.services.history().save("Matter One", [Exchange("When is the renewal?", "2027.")])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kw: ("Lease", True)))
    with qtbot.waitSignal(window.workspaces.sig_workspace_renamed, timeout=60_000):
        window.workspaces.rename_current()
    qtbot.waitUntil(lambda: window.workspace == "Lease", timeout=30_000)
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    assert [item.question for item in window.chat.exchanges] == ["When is the renewal?"]
    window.workspaces.delete_current()
    qtbot.waitUntil(lambda: window.workspaces.names == ["Matter Two"], timeout=30_000)
