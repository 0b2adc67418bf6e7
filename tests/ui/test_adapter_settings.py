"""Models & Settings: choosing a LoRA adapter per workspace and importing a firm's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fake_runtime import FakeRuntime
from tests.models.lora_fixtures import make_adapter

from .conftest import WindowFactory, create_workspace


def test_an_imported_adapter_is_chosen_for_one_workspace_and_loaded_with_the_model(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str],
        embedded_gguf: Path, tmp_path: Path) -> None:
    adapter = make_adapter(embedded_gguf, tmp_path / "firm-contracts.gguf", scale=1.0)
    runtime = FakeRuntime()
    window = make_window(runtime)
    create_workspace(qtbot, window, "Contracts")
    dialog = window.open_settings()
    assert dialog.adapter_combo.count() == 1  # "None" only
    dialog.import_adapter(adapter)
    qtbot.waitUntil(lambda: dialog.adapter_combo.count() == 2, timeout=60_000)
    shown = dialog.adapter_combo.itemText(1)
    assert "for gemma-3-270m-q4_k_m" in shown and "rank 4" in shown
    assert dialog.adapter_combo.currentData() == "firm-contracts"
    dialog.save()
    services = window.services
    assert services.settings.llm.workspace_adapters == {"Contracts": "firm-contracts"}
    services.models.ensure_loaded()
    assert runtime.adapter_path == services.models.adapters.folder / "firm-contracts.gguf"
    services.settings_store.update("", last_workspace="default")
    services.models.ensure_loaded()
    assert runtime.adapter_path is None  # other workspaces answer with the model as it is
    dialog.close()


def test_an_adapter_for_another_model_size_is_refused_with_the_reason(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str],
        embedded_gguf: Path, tmp_path: Path) -> None:
    wide = make_adapter(embedded_gguf, tmp_path / "bigger-model.gguf", scale=1.0, widen=64)
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Contracts")
    dialog = window.open_settings()
    dialog.import_adapter(wide)
    qtbot.waitUntil(lambda: bool(answered_dialogs), timeout=60_000)
    assert "does not fit" in answered_dialogs[-1] and "another size" in answered_dialogs[-1]
    assert dialog.adapter_combo.count() == 1
    assert not window.services.models.adapters.list()
    dialog.close()
