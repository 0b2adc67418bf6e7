"""End to end through the real window, the real embedded model and the real index."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QLabel

from ui.first_run import SAMPLE_WORKSPACE
from ui.main_window import MainWindow
from ui.welcome import SAMPLE_QUESTION

from .conftest import WindowFactory


def open_sample_workspace(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=180_000):
        window.chat.welcome.sample_button.click()
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 3, timeout=30_000)
    assert window.workspace == SAMPLE_WORKSPACE


def test_window_answers_the_welcome_pages_sample_question_right_and_stop_halts_the_model(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window(load_model=True)
    assert window.windowTitle() == "Enclave"
    offline = window.status.offline_label.text()
    assert offline.startswith("Offline") and "0 blocked" in offline
    assert "gemma" in window.status.model_label.text().lower()
    assert window.status.memory_label.text().startswith("Memory ")
    assert window.chat.stack.currentWidget() is window.chat.welcome
    intro = window.chat.welcome.findChild(QLabel)
    assert intro is not None and SAMPLE_QUESTION in intro.text()
    open_sample_workspace(qtbot, window)
    window.chat.question_edit.setText(SAMPLE_QUESTION)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=120_000) as blocker:
        window.chat.ask_button.click()
    assert blocker.args == ["answered"]
    exchange = window.chat.exchanges[-1]
    first_shown = exchange.answer if exchange.grounded else exchange.quotes[0].text
    assert re.search(r"\b(?:90|ninety)\b", first_shown, re.IGNORECASE), first_shown
    assert not re.search(r"\b(?:10|ten)\b", exchange.answer)  # what it said before
    assert "ninety (90) days" in exchange.quotes[0].text
    ref = exchange.citation(exchange.quotes[0].number)
    assert ref is not None and ref.source == "services_agreement.md" and ref.verified
    text = window.chat.transcript.toPlainText()
    assert "ninety (90) days" in text and "services_agreement.md, page 1" in text
    assert "cite:0:1" in window.chat.transcript.toHtml()
    stop_halts_generation(qtbot, window)


def stop_halts_generation(qtbot: Any, window: MainWindow) -> None:
    """Stop right after asking: the answer ends as stopped, whatever step it had reached."""
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000) as blocker:
        window.chat.regenerate_button.click()
        assert window.chat.is_answering
        window.chat.stop_button.click()
    assert blocker.args == ["stopped"]
    assert "[stopped]" in window.chat.transcript.toPlainText()
    assert window.chat.ask_button.isEnabled() and not window.chat.stop_button.isEnabled()


def ask_in_window(qtbot: Any, window: MainWindow, question: str) -> Any:
    window.chat.question_edit.setText(question)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=180_000):
        window.chat.ask_button.click()
    return window.chat.exchanges[-1]


def test_the_window_says_an_honest_no_for_clauses_the_sample_matter_lacks(
        qtbot: Any, make_window: WindowFactory) -> None:
    """The real embedder, index, clause scorer and embedded model: the sample agreement has
    no non-compete and no assignment clause, and the window says so, calmly, scoped to the
    documents searched, with the closest passages below, never as an answer."""
    window = make_window(load_model=True)
    open_sample_workspace(qtbot, window)
    for question, topic in (("Does the agreement have a non-compete clause?", "non-compete"),
                            ("Can the supplier assign the agreement?", "assign")):
        exchange = ask_in_window(qtbot, window, question)
        assert exchange.outcome == "declined" and not exchange.grounded, exchange.answer
        assert exchange.answer.startswith("No") and "Yes" not in exchange.answer
        assert topic in exchange.answer and "services_agreement.md" in exchange.answer
        assert exchange.quotes  # the closest passages
    text = window.chat.transcript.toPlainText()
    assert text.count("Closest passages, not an answer") == 2 and "⚠" not in text
    assert "could not phrase" not in text
    ref = exchange.citation(exchange.quotes[0].number)
    with qtbot.waitSignal(window.review.sig_page_shown, timeout=30_000):  # a quote opens its
        window.chat.transcript.anchorClicked.emit(QUrl(f"cite:1:{ref.number}"))  # page
    assert window.review.target.page == ref.page
    qtbot.waitUntil(lambda: window.review.current_findings() is not None, timeout=120_000)
