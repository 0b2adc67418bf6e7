"""End to end through the real window, the real embedded model and the real index."""

from __future__ import annotations

from typing import Any

from ui.first_run import SAMPLE_WORKSPACE
from ui.main_window import MainWindow

from .conftest import WindowFactory


def open_sample_workspace(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.library.ingest_finished, timeout=180_000):
        window.chat.welcome.sample_button.click()
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 3, timeout=30_000)
    assert window.workspace == SAMPLE_WORKSPACE


def test_window_answers_from_the_sample_with_sources_and_stop_halts_the_model(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window(load_model=True)
    assert window.windowTitle() == "Enclave"
    assert window.status.offline_label.text().startswith("Offline · 0 blocked")
    assert "gemma" in window.status.model_label.text().lower()
    assert window.status.memory_label.text().startswith("Memory ")
    assert window.chat.stack.currentWidget() is window.chat.welcome
    open_sample_workspace(qtbot, window)
    window.services.settings.rag.top_k = 2  # a short prompt: this machine has two cores
    window.services.settings.llm.max_tokens = 24
    window.chat.question_edit.setText("How much notice is needed to terminate for convenience?")
    with qtbot.waitSignal(window.answer_finished, timeout=120_000) as blocker:
        window.chat.ask_button.click()
    assert blocker.args == ["answered"]
    assert len(window.chat.streamed) > 1, "the answer did not arrive token by token"
    exchange = window.chat.exchanges[-1]
    assert exchange.answer and exchange.citations
    assert any(ref.source == "services_agreement.md" for ref in exchange.citations)
    assert "Sources" in window.chat.transcript.toPlainText()
    assert "cite:0:1" in window.chat.transcript.toHtml()
    stop_halts_generation(qtbot, window)


def stop_halts_generation(qtbot: Any, window: MainWindow) -> None:
    window.services.settings.llm.max_tokens = 2000
    window.chat.regenerate_button.click()  # the same prompt again: the model reuses its cache
    qtbot.waitUntil(lambda: len(window.chat.streamed) >= 2 or not window.chat.is_answering,
                    timeout=120_000)
    assert window.chat.is_answering, window.chat.exchanges[-1].answer
    with qtbot.waitSignal(window.answer_finished, timeout=60_000) as blocker:
        window.chat.stop_button.click()
    assert blocker.args == ["stopped"]
    assert len(window.chat.streamed) < 2000
    assert "[stopped]" in window.chat.transcript.toPlainText()
    assert window.chat.ask_button.isEnabled() and not window.chat.stop_button.isEnabled()
