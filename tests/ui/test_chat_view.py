"""The chat with a scripted runtime (the real index and embedder): the short answer above its
quoted evidence, citations, Stop, history, export. The real model's own path is covered in
test_main_window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from models.prompts import Turn
from tests.fake_runtime import FakeRuntime
from ui.transcript import GROUNDED_MARK, PENDING

from .conftest import (
    WindowFactory,
    close_and_check,
    create_workspace,
    wait_ingested,
    write_pdf,
)

PAGES = [
    "Schedule of services. The supplier delivers monthly analytics reports to the client.",
    "Termination. Either party may terminate this agreement for convenience on ninety (90) "
    "days written notice to the other party.",
    "Governing law. This agreement is governed by the laws of the State of New York.",
]
QUESTION = "How much notice is needed to terminate for convenience?"
OPEN_QUESTION = "What does the supplier deliver to the client?"


def ask(qtbot: Any, window: Any, question: str = QUESTION) -> list[Any]:
    window.chat.question_edit.setText(question)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000) as blocker:
        window.chat.ask_button.click()
    return blocker.args


def contract_window(qtbot: Any, make_window: WindowFactory, tmp_path: Path,
                    runtime: FakeRuntime | None = None) -> Any:
    window = make_window(runtime or FakeRuntime())
    create_workspace(qtbot, window, "Contracts")
    wait_ingested(qtbot, window, [write_pdf(tmp_path / "agreement.pdf", PAGES)])
    return window


def test_the_short_answer_shows_above_its_quoted_evidence_with_links(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path)
    assert ask(qtbot, window) == ["answered"]
    exchange = window.chat.exchanges[0]
    assert exchange.grounded and exchange.answer == (
        "ninety (90) days written notice to the other party [1]")  # the quote's own words
    assert "ninety (90) days" in exchange.quotes[0].text
    text = window.chat.transcript.toPlainText()
    assert text.index("ninety (90) days written notice to") < text.index(
        "Either party may terminate")
    assert GROUNDED_MARK in text and "agreement.pdf, page 2" in text
    html = window.chat.transcript.toHtml()
    assert "href=\"cite:0:1\"" in html
    ref = exchange.citation(1)
    assert ref is not None and ref.cited and ref.verified
    assert "Either party may terminate" in ref.text  # the sentence, not the whole page, is
    assert ref.end - ref.start == len(ref.text) < len(PAGES[1]) + 5  # highlighted


def test_a_mouse_click_on_either_citation_of_an_answer_opens_its_page(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    """The direct answer's [1] and the quote's [1], clicked where their glyphs are drawn."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.ui.links import link_points, scrolled_to

    window = contract_window(qtbot, make_window, tmp_path)
    assert ask(qtbot, window) == ["answered"]
    browser = window.chat.transcript
    assert len(link_points(browser, "cite:0:1")) == 1  # the answer's
    assert len(link_points(browser, "cite:0:1:0")) == 1  # the first quote's
    for href in ("cite:0:1", "cite:0:1:0"):
        point = scrolled_to(browser, href)
        assert browser.anchorAt(point) == href
        with qtbot.waitSignal(window.chat.sig_citation_clicked, timeout=5_000) as clicked:
            QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert clicked.args[0].number == 1 and clicked.args[0].page == 2
    # the opened page's reading and personal-data scan end before the window closes
    qtbot.waitUntil(lambda: not window.runner.active_jobs, timeout=120_000)


def test_a_wording_the_evidence_does_not_support_is_never_shown(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path,
                             FakeRuntime("The supplier delivers 10 reports [1]."))
    assert ask(qtbot, window, OPEN_QUESTION) == ["answered"]
    text = window.chat.transcript.toPlainText()
    assert "10 reports" not in text and "Enclave could not phrase" not in text
    exchange = window.chat.exchanges[0]  # the best sentence itself leads instead
    assert exchange.answer == ("Schedule of services. The supplier delivers monthly analytics "
                               "reports to the client [1].") and exchange.grounded


def test_an_honest_no_is_a_calm_state_above_the_closest_passages(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path)
    assert ask(qtbot, window, "What is an indemnity?") == ["not found"]
    exchange = window.chat.exchanges[0]
    assert exchange.outcome == "declined" and not exchange.grounded and exchange.quotes
    text = window.chat.transcript.toPlainText()
    assert "Nothing on “indemnity” was found in agreement.pdf." in text
    assert "Closest passages, not an answer" in text and "⚠" not in text
    assert text.index("Closest passages") < text.index(exchange.quotes[0].text[:30])


def test_each_quote_of_one_passage_opens_the_page_with_its_own_sentence_marked(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    """The closest passages of an honest no are often sentences of one passage, all [1]: the
    second one's [1] marks the second sentence, not the first."""
    from importlib import resources

    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Sample")
    agreement = tmp_path / "services_agreement.md"
    agreement.write_text(resources.files("app.samples").joinpath("services_agreement.md")
                         .read_text("utf-8"), encoding="utf-8")
    wait_ingested(qtbot, window, [agreement])
    assert ask(qtbot, window, "Does the agreement have a non-compete clause?") == ["not found"]
    exchange = window.chat.exchanges[0]
    shared = [index for index, quote in enumerate(exchange.quotes)
              if quote.number == exchange.quotes[0].number]
    assert len(shared) >= 2, exchange.quotes  # the case this test is about
    opened: list[Any] = []
    window.chat.sig_citation_clicked.connect(opened.append)
    for index in shared:
        window.chat.transcript.anchorClicked.emit(QUrl(f"cite:0:{exchange.quotes[0].number}:"
                                                       f"{index}"))
    assert [ref.text for ref in opened] == [exchange.quotes[index].text for index in shared]
    assert len({(ref.start, ref.end) for ref in opened}) == len(shared)
    assert all(ref.page == opened[0].page for ref in opened)
    qtbot.waitUntil(lambda: not window.runner.active_jobs, timeout=120_000)  # the page opened


def test_clicking_a_citation_opens_the_right_page_with_the_passage_highlighted(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path)
    ask(qtbot, window)
    ref = window.chat.exchanges[0].citation(1)
    assert ref.page == 2
    with qtbot.waitSignal(window.review.sig_page_shown, timeout=30_000) as blocker:
        window.chat.transcript.anchorClicked.emit(QUrl("cite:0:1"))
    assert blocker.args == [2]
    assert window.review.is_pdf and window.review.target.page == 2
    qtbot.waitUntil(lambda: window.review.pdf_view.page == 1, timeout=10_000)
    passage = [mark for mark in window.review.pdf_view.marks() if mark.kind == "PASSAGE"]
    assert passage, "the cited passage is marked on the page image"
    assert "ninety (90)" in window.review.text_view.toPlainText()
    assert "name=\"passage\"" in window.review.text_view.toHtml()
    # the page's personal-data scan (it builds the analyzer) ends before the window closes
    qtbot.waitUntil(lambda: window.review.current_findings() is not None, timeout=120_000)


def test_stop_halts_the_model_while_the_evidence_stays(qtbot: Any, make_window: WindowFactory,
                                                       tmp_path: Path) -> None:
    runtime = FakeRuntime(" ".join(f"w{number}" for number in range(400)), delay=0.05)
    window = contract_window(qtbot, make_window, tmp_path, runtime)
    window.chat.question_edit.setText(OPEN_QUESTION)  # a fact needs no model: an open one
    window.chat.ask_button.click()
    qtbot.waitUntil(lambda: bool(window.chat.exchanges[-1].quotes), timeout=30_000)
    assert PENDING in window.chat.transcript.toPlainText()
    with qtbot.waitSignal(window.sig_answer_finished, timeout=30_000) as blocker:
        window.chat.stop_button.click()
    assert blocker.args == ["stopped"]
    exchange = window.chat.exchanges[-1]
    assert exchange.stopped and not exchange.grounded and exchange.quotes
    assert "w10 " not in window.chat.transcript.toPlainText()


def test_a_follow_up_is_asked_with_the_conversation_and_the_documents_it_cited(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path, monkeypatch: Any) -> None:
    from app.chat import ChatService

    histories: list[list[Any]] = []
    asked = ChatService.ask

    def recording(self: ChatService, question: str, **options: Any) -> Any:
        histories.append(list(options["history"]))
        return asked(self, question, **options)

    monkeypatch.setattr(ChatService, "ask", recording)
    window = contract_window(qtbot, make_window, tmp_path)
    ask(qtbot, window)
    assert ask(qtbot, window, "And which law governs it?") == ["answered"]
    first, second = window.chat.exchanges
    ref = first.citation(1)
    assert ref is not None
    assert histories == [[], [Turn(QUESTION, first.answer, (ref.doc_id,))]]
    assert second.answer == "laws of the State of New York [1]"


def test_history_survives_a_restart_and_new_chat_clears_it(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path)
    ask(qtbot, window)
    close_and_check(window, window.services)
    assert (window.services.paths.root / "window.ini").is_file()  # geometry and layout
    reopened = make_window(FakeRuntime())
    qtbot.waitUntil(lambda: reopened.workspace == "Contracts", timeout=30_000)
    assert [item.question for item in reopened.chat.exchanges] == [QUESTION]
    assert QUESTION in reopened.chat.transcript.toPlainText()
    ref = reopened.chat.exchanges[0].citation(1)
    assert ref is not None and ref.page == 2
    assert "ninety (90) days" in reopened.chat.exchanges[0].quotes[0].text
    assert reopened.chat.exchanges[0].grounded
    reopened.chat.new_button.click()
    assert reopened.chat.exchanges == []


def test_regenerate_copy_and_export_to_markdown_and_pdf(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = contract_window(qtbot, make_window, tmp_path)
    ask(qtbot, window)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000):
        window.chat.regenerate_button.click()
    assert len(window.chat.exchanges) == 1
    window.chat.copy_button.click()
    assert "ninety (90) days" in QApplication.clipboard().text()
    for name in ("chat.md", "chat.pdf"):
        job = window.chat.export_to(tmp_path / name)
        qtbot.waitUntil(lambda job=job: job.is_done, timeout=30_000)
    markdown = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert QUESTION in markdown and "agreement.pdf, page 2 (verified)" in markdown
    assert (tmp_path / "chat.pdf").read_bytes().startswith(b"%PDF")
