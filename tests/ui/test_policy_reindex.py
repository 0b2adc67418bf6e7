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
