"""Making a workspace strict in Settings indexes its documents again with typed placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from tests.fake_runtime import FakeRuntime  # noqa: E402
from tests.ui.conftest import WindowFactory, create_workspace  # noqa: E402


def test_a_workspace_made_strict_in_settings_is_indexed_again(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "clinic")
    note = tmp_path / "note.txt"
    note.write_text("Patient: Ann Lee\nSSN on file: 219-09-4817\nTreated with metformin.\n",
                    encoding="utf-8")
    library = window.services.library()
    doc_id = library.ingest([note], workspace="clinic").results[0].doc_id
    assert "219-09-4817" in (library.page_text("clinic", doc_id, 1) or "")
    dialog = window.open_settings()
    dialog.policy_combo.setCurrentText("strict")
    dialog.save()
    qtbot.waitUntil(lambda: "Re-indexed" in dialog.message.text(), timeout=60_000)
    stored = library.page_text("clinic", doc_id, 1) or ""
    assert "219-09-4817" not in stored and "<US_SSN>" in stored
    dialog.close()


def test_a_policy_changed_outside_the_window_is_applied_when_the_workspace_opens(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    from app.settings import updated

    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "clinic")
    note = tmp_path / "note.txt"
    note.write_text("Patient: Ann Lee\nSSN on file: 219-09-4817\nTreated with metformin.\n",
                    encoding="utf-8")
    library = window.services.library()
    doc_id = library.ingest([note], workspace="clinic").results[0].doc_id
    window.services.settings = updated(  # as an edited settings.json reads at the next start
        window.services.settings, "privacy", workspace_policies={"clinic": "strict"})
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000) as finished:
        window.library.refresh()
    assert finished.args[0].count("indexed") == 1
    stored = library.page_text("clinic", doc_id, 1) or ""
    assert "219-09-4817" not in stored and "<US_SSN>" in stored
    assert not library.policy_outdated("clinic")
