"""The window through pytest-qt, with the real embedded model."""

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.paths import DataPaths  # noqa: E402
from app.services import build_services  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def window(qtbot, home_with_embedded_model: Path):
    services = build_services(DataPaths(home_with_embedded_model))
    services.settings.llm.max_tokens = 32
    main = MainWindow(services)
    qtbot.addWidget(main)
    main.show()
    with qtbot.waitSignal(main.model_loaded, timeout=120_000):
        main.start_loading_model()
    yield main
    main.close()
    assert not main.runner.active_jobs, "a worker thread outlived the window"
    services.close()


def test_window_is_titled_enclave_and_shows_offline(window: MainWindow) -> None:
    assert window.windowTitle() == "Enclave"
    assert window.offline_label.text().startswith("Offline · 0 blocked")
    assert "Gemma" in window.model_label.text() or "gemma" in window.model_label.text()


def test_asking_streams_tokens_into_the_transcript(qtbot, window: MainWindow) -> None:
    window.question_edit.setText("What is a contract?")
    with qtbot.waitSignal(window.answer_finished, timeout=120_000):
        window.ask_button.click()
    assert "What is a contract?" in window.transcript.toPlainText()
    assert window._history and window._history[-1].answer.strip()
    assert window.ask_button.isEnabled() and not window.stop_button.isEnabled()


def test_stop_halts_generation(qtbot, window: MainWindow) -> None:
    window.services.settings.llm.max_tokens = 2000
    window.question_edit.setText("Write a very long essay about contract law.")
    window.ask_button.click()
    qtbot.waitUntil(lambda: len(window._answer_parts) >= 2, timeout=60_000)
    with qtbot.waitSignal(window.answer_finished, timeout=60_000):
        window.stop_button.click()
    assert "[stopped]" in window.transcript.toPlainText()
    assert len(window._history[-1].answer) > 0
