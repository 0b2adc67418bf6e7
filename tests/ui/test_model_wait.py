"""A question asked while the model loads waits and is answered once it is ready; the load can
be cancelled, which leaves no model loaded and drops the waiting question visibly.

With a runtime whose load blocks until the test releases it, and once with the real embedded
model (its load is fast, so the question is asked in the same event-loop turn as the load
starts: the worker's "loaded" signal cannot arrive before it)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.fake_runtime import FakeRuntime
from ui.main_window import MainWindow
from ui.model_wait import QUEUED

from .conftest import WindowFactory, create_workspace, wait_ingested, write_pdf

QUESTION = "How much notice is needed to terminate for convenience?"
PAGES = ["Termination. Either party may terminate this agreement for convenience on ninety "
         "(90) days written notice to the other party.",
         "Governing law. This agreement is governed by the laws of the State of New York."]


class SlowLoadingRuntime(FakeRuntime):
    """Loads only when the test says so, like a large model taking its time."""

    def __init__(self) -> None:
        super().__init__()
        self.may_finish = threading.Event()

    def load(self, path: Path, *, prompt_style: str = "completion",
             context_length: int = 0, adapter: Path | None = None) -> None:
        assert self.may_finish.wait(60), "the test never let the load finish"
        super().load(path, prompt_style=prompt_style, context_length=context_length,
                     adapter=adapter)


def window_with_contract(qtbot: Any, make_window: WindowFactory, tmp_path: Path,
                         runtime: Any = None) -> MainWindow:
    window = make_window(runtime)
    create_workspace(qtbot, window, "Contracts")
    wait_ingested(qtbot, window, [write_pdf(tmp_path / "agreement.pdf", PAGES)])
    return window


def type_question(qtbot: Any, window: MainWindow) -> None:
    """Through the real input: keystrokes into the box, then Enter."""
    qtbot.keyClicks(window.chat.question_edit, QUESTION)
    qtbot.keyClick(window.chat.question_edit, Qt.Key.Key_Return)


def assert_waiting(window: MainWindow) -> None:
    wait = window.chat.model_wait
    assert wait.isVisible() and wait.label.text() == QUEUED
    assert wait.cancel_button.isVisible() and wait.cancel_button.isEnabled()
    assert window.chat.question_edit.text() == "" and not window.chat.exchanges
    assert not window.chat.ask_button.isEnabled(), "one question waits at a time"


def test_a_question_asked_while_the_model_loads_is_answered_when_it_is_ready(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    runtime = SlowLoadingRuntime()
    window = window_with_contract(qtbot, make_window, tmp_path, runtime)
    window.start_loading_model()
    type_question(qtbot, window)
    assert_waiting(window)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000) as answered:
        runtime.may_finish.set()
    assert answered.args == ["answered"]
    assert [exchange.question for exchange in window.chat.exchanges] == [QUESTION]
    # The question waited for the load; its fact is then answered from the quote's own
    # words, so the model is asked nothing (app.answers.pipeline).
    assert runtime.loads == 1 and runtime.requests == []
    assert not window.chat.model_wait.isVisible()


def test_cancelling_the_load_leaves_no_model_and_gives_the_question_back(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path,
        answered_dialogs: list[str]) -> None:
    runtime = SlowLoadingRuntime()
    window = window_with_contract(qtbot, make_window, tmp_path, runtime)
    window.start_loading_model()
    type_question(qtbot, window)
    with qtbot.waitSignal(window.sig_model_failed, timeout=60_000):
        qtbot.mouseClick(window.chat.model_wait.cancel_button, Qt.MouseButton.LeftButton)
        assert window.chat.model_wait.label.text().startswith("Cancelling")
        runtime.may_finish.set()
    assert runtime.model_path is None, "a cancelled load must not leave a model loaded"
    note = window.chat.model_wait.label.text()
    assert "cancelled" in note and "Your question was not asked" in note
    wait = window.chat.model_wait
    assert wait.isVisible() and not wait.cancel_button.isVisible()
    assert window.chat.question_edit.text() == QUESTION and not window.chat.exchanges
    assert window.status.model_label.text() == "No model loaded"
    assert answered_dialogs == [], "a cancel is not an error"
    assert runtime.requests == []


def test_asking_after_a_cancelled_load_loads_the_model_again_and_answers(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    runtime = SlowLoadingRuntime()
    window = window_with_contract(qtbot, make_window, tmp_path, runtime)
    window.start_loading_model()
    with qtbot.waitSignal(window.sig_model_failed, timeout=60_000):
        window.cancel_model_load()
        runtime.may_finish.set()
    loads_before = runtime.loads  # 0 or 1: the cancel may come before the load begins
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000) as answered:
        type_question(qtbot, window)
        assert window.chat.model_wait.label.text() == QUEUED
    assert answered.args == ["answered"] and runtime.loads == loads_before + 1
    assert runtime.model_path is not None


def test_a_question_waits_for_the_real_embedded_model_and_is_answered(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = window_with_contract(qtbot, make_window, tmp_path)  # the real LlamaCppRuntime
    window.services.settings.llm.max_tokens = 16  # this machine has two cores
    window.services.settings.rag.top_k = 2
    assert window.services.runtime.model_path is None
    window.start_loading_model()
    type_question(qtbot, window)
    assert_waiting(window)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=180_000) as answered:
        pass
    assert answered.args == ["answered"]
    assert window.services.runtime.model_path is not None
    exchange = window.chat.exchanges[-1]
    assert exchange.question == QUESTION and exchange.answer.strip()
