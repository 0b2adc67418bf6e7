"""Review (personal data, redacted preview and export), settings, and workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.first_run import copy_samples

from .conftest import ScriptedRuntime, WindowFactory, create_workspace, wait_ingested


def test_review_highlights_personal_data_and_exports_a_redacted_copy(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(ScriptedRuntime())
    create_workspace(qtbot, window, "Clinic")
    intake = next(p for p in copy_samples(tmp_path) if p.name == "patient_intake.md")
    wait_ingested(qtbot, window, [intake])
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    item = window.library.table.topLevelItem(0)
    with qtbot.waitSignal(window.review.scan_finished, timeout=120_000) as blocker:
        window.library.table.itemActivated.emit(item, 0)
    counts = blocker.args[0]
    assert counts["PERSON"] >= 2 and counts["EMAIL_ADDRESS"] == 1
    assert "Person" in window.review.legend.text()
    assert "background-color:#ffd6a5" in window.review.text_view.toHtml()
    window.review.redacted_check.setChecked(True)
    preview = window.review.text_view.toPlainText()
    assert "eleanor.marsh@example.com" not in preview and "<EMAIL_ADDRESS_1>" in preview
    output = tmp_path / "intake.redacted.txt"
    with qtbot.waitSignal(window.review.export_finished, timeout=60_000):
        window.review.export_to(output)
    assert "Eleanor" not in output.read_text(encoding="utf-8")


def test_settings_refuse_bad_values_with_a_message(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str]) -> None:
    window = make_window(ScriptedRuntime())
    dialog = window.open_settings()
    assert dialog.table.topLevelItemCount() == 1
    assert dialog.table.topLevelItem(0).text(2)  # quantization
    dialog.temperature_edit.setText("hot")
    dialog.save()
    assert any("'hot'" in text for text in answered_dialogs)
    assert window.services.settings.llm.temperature == 0.2
    dialog.temperature_edit.setText("0.7")
    dialog.policy_combo.setCurrentText("strict")
    dialog.save()
    assert window.services.settings.llm.temperature == 0.7
    assert dialog.message.text() == "Settings saved."
    qtbot.waitUntil(lambda: "verified" in dialog.table.topLevelItem(0).text(4),
                    timeout=60_000)
    dialog.close()


def test_workspaces_are_created_renamed_and_deleted(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(ScriptedRuntime())
    create_workspace(qtbot, window, "Matter One")
    note = tmp_path / "note.txt"
    note.write_text("A short note about the lease renewal in 2027.")
    wait_ingested(qtbot, window, [note])
    create_workspace(qtbot, window, "Matter Two")
    assert window.workspaces.names == ["Matter One", "Matter Two"]
    window.workspaces.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: window.workspace == "Matter One", timeout=10_000)
    assert window.services.settings.last_workspace == "Matter One"
    from ui.workspaces import rename_workspace

    window.workspaces._on_renamed("Matter One", rename_workspace(
        window.services, "Matter One", "Lease", progress=lambda f, m: None,
        cancel=lambda: False))
    qtbot.waitUntil(lambda: window.workspace == "Lease", timeout=30_000)
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    window.workspaces.delete_current()
    qtbot.waitUntil(lambda: window.workspaces.names == ["Matter Two"], timeout=30_000)
