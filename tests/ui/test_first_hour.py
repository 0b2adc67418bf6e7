"""A new user's first minutes in the window (offscreen): long file names never widen it, the
progress names each step, a question asked while documents are indexed waits for them, and the
welcome page stays until the first question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel

from tests.fake_runtime import FakeRuntime
from ui.elided_label import ElidedLabel
from ui.library_view import ingest_step_text
from ui.model_wait import INDEXING

from .conftest import WindowFactory, create_workspace, write_pdf

LONG_NAME = "LifewayFoodsInc_20160316_10-K_EX-10.24_9489766_EX-10.24_Endorsement Agreement"


def test_a_long_text_is_elided_in_the_middle_and_asks_for_no_width(qtbot: Any) -> None:
    label, plain = ElidedLabel(), QLabel()
    qtbot.addWidget(label)
    text = f"Reading {LONG_NAME * 2}.pdf (67%)"
    label.setText(text)
    plain.setText(text)
    label.resize(240, 30)
    assert label.minimumSizeHint().width() == 0 < plain.minimumSizeHint().width()
    assert label.sizeHint().width() <= 200
    shown = label.shown_text()
    assert shown.startswith("Reading Lifeway") and shown.endswith("(67%)") and "…" in shown
    assert label.toolTip() == text


def test_each_ingest_step_is_named() -> None:
    assert ingest_step_text(0.0, "Loading the search model…") == "Loading the search model…"
    assert ingest_step_text(0.5, "memo.pdf") == "Reading memo.pdf (50%)"


def test_a_question_asked_while_documents_are_indexed_waits_for_them_then_is_answered(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Matter")
    pdf = write_pdf(tmp_path / f"{LONG_NAME}.pdf", [
        "Termination. Either party may terminate this agreement for convenience on ninety "
        "(90) days written notice to the other party."])
    asked: list[bool] = []

    def ask_once(busy: bool) -> None:
        if busy and not asked:
            asked.append(True)
            window.chat.ask_typed("How much notice?")

    window.library.sig_busy_changed.connect(ask_once)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=120_000) as blocker:
        window.library.add_paths([pdf])
        assert asked and window.library.is_ingesting
        assert window.chat.model_wait.isVisible()
        assert window.chat.model_wait.label.text() == INDEXING
        assert not window.chat.exchanges  # not asked yet: nothing is indexed
    assert blocker.args == ["answered"]
    exchange = window.chat.exchanges[-1]
    assert "ninety (90) days" in exchange.quotes[0].text
    assert not window.chat.model_wait.isVisible()


def test_the_welcome_page_stays_after_the_documents_are_in_until_the_first_question(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Matter")
    pdf = write_pdf(tmp_path / "notice.pdf", ["Either party may terminate on 90 days notice."])
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000):
        window.library.add_paths([pdf])
    qtbot.waitUntil(lambda: "1 document ready" in window.chat.welcome.text.text())
    assert window.chat.stack.currentWidget() is window.chat.welcome
    with qtbot.waitSignal(window.sig_answer_finished, timeout=60_000):
        window.chat.ask_typed("How much notice?")
    assert window.chat.stack.currentWidget() is window.chat.transcript


def test_the_redacted_copy_dialog_lists_the_proposed_names_type_first_and_starts_beside_it(
        tmp_path: Path) -> None:
    from ui.review_view import export_filters, export_folder

    assert export_filters(".md")[0] == "Markdown (*.md)"
    assert export_filters(".pdf")[0] == "PDF (*.pdf)" and len(export_filters(".pdf")) == 3
    own = tmp_path / "matters" / "intake.md"
    own.parent.mkdir()
    data = tmp_path / "enclave-data"
    (data / "samples").mkdir(parents=True)
    assert export_folder(own, data) == own.parent
    assert export_folder(data / "samples" / "patient_intake.md", data) != data / "samples"


def test_one_click_on_a_document_opens_it_and_each_workspace_shows_only_its_own(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtCore import Qt as QtNames

    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Matter A")
    pdf = write_pdf(tmp_path / "a.pdf", ["Either party may terminate on 90 days notice."])
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000):
        window.library.add_paths([pdf])
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1)
    table = window.library.table
    item = table.topLevelItem(0)
    assert item is not None
    with qtbot.waitSignal(window.review.sig_page_shown, timeout=30_000):
        qtbot.mouseClick(table.viewport(), QtNames.MouseButton.LeftButton,
                         pos=table.visualItemRect(item).center() + QPoint(0, 0))
    assert window.review.target is not None and window.review.target.title == "a.pdf"
    assert "Click a document to review it" in window.library.hint.text()
    create_workspace(qtbot, window, "Matter B")
    assert window.review.target is None and window.review.title.text() == "Review"
    assert "a.pdf" not in window.review.text_view.toPlainText()
    window.workspaces.refresh(select="Matter A")
    qtbot.waitUntil(lambda: window.workspace == "Matter A", timeout=30_000)
    qtbot.waitUntil(lambda: window.review.target is not None, timeout=10_000)
    assert window.review.target is not None and window.review.target.title == "a.pdf"
    qtbot.waitUntil(lambda: window.review.current_findings() is not None, timeout=120_000)


def test_a_passage_is_found_in_another_extraction_of_its_page_whatever_the_spacing() -> None:
    from app.text_map import TextMap, find_passage

    page = "15. Choice of Law. This Agreement shall be\r\ngoverned by the laws of the State of\n" \
           "Illinois.\r\n16. Notices."
    span = find_passage(page, "This Agreement shall be governed by the laws of the State of "
                              "Illinois.")
    assert span is not None and page[span[0]:span[1]].endswith("Illinois.")
    assert page[span[0]:span[1]].startswith("This Agreement")
    indexed = "15. Choice of Law. This Agreement shall be governed by the laws"
    assert TextMap(indexed, page).span(19, 41) == (19, 41)
    assert TextMap("completely different words", page).span(0, 10) is None


def test_help_opens_the_offline_user_guide_on_each_topic(
        qtbot: Any, make_window: WindowFactory) -> None:
    from app.privacy.policy import POLICIES

    window = make_window(FakeRuntime())
    menu_texts = [action.text() for action in window.menuBar().actions()[-1].menu().actions()]
    assert "&User Guide" in menu_texts and "&Keyboard Shortcuts" in menu_texts
    window.actions_by_name["User Guide"].trigger()
    dialog = window.findChild(type(window.show_help()))
    assert dialog is not None
    guide = window.show_help("Privacy policies")
    text = guide.page.toPlainText()
    assert all(name in text for name in POLICIES) and "<PERSON_1>" in text
    guide.show_topic("Models")
    assert "GGUF" in guide.page.toPlainText() and "Phi-4-mini" in guide.page.toPlainText()
    guide.show_topic("Where your data lives")
    assert str(window.services.paths.root) in guide.page.toPlainText()
    guide.show_topic("Offline: how to verify")
    assert "enclave doctor" in guide.page.toPlainText()


def test_settings_label_the_model_in_use_and_explain_imports_and_policies(
        qtbot: Any, make_window: WindowFactory) -> None:
    from ui.settings_dialog import COLUMNS

    window = make_window(FakeRuntime())
    dialog = window.open_settings()
    assert COLUMNS[1] == "In use"
    row = dialog.table.topLevelItem(0)
    assert row is not None and row.text(1) == "✓ in use"
    assert dialog.table.visualItemRect(row).isValid()
    dialog.policy_combo.setCurrentText("strict")
    assert "[REDACTED]" in dialog.policy_help.text()
    assert "removed too" in dialog.policy_help.text()
    dialog.policy_combo.setCurrentText("masked")
    assert "stars" in dialog.policy_help.text()
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("GGUF" in text and "USB" in text for text in labels)
    dialog.close()


def test_a_library_document_is_summarized_from_its_menu_with_whole_quotes_each_shown_once(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path,
        monkeypatch: Any) -> None:
    import shutil

    from PySide6.QtWidgets import QInputDialog

    import app.samples

    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Deals")
    contract = tmp_path / "northwind_services_agreement.md"
    shutil.copy(Path(app.samples.__file__).with_name("services_agreement.md"), contract)
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000):
        window.library.add_paths([contract])
    qtbot.waitUntil(lambda: window.contracts.library_button.isEnabled(), timeout=30_000)
    record = window.library.documents[0]
    with qtbot.waitSignal(window.contracts.sig_summary_shown, timeout=300_000) as blocker:
        window.library.sig_summarize_requested.emit(record)
    assert window.middle.currentWidget() is window.contracts
    summary = blocker.args[0]
    shown = " ".join(window.contracts.view.toPlainText().split())
    assert not shown.startswith("northwind_services_agreement")
    from app.contracts.export import shown_quote

    quotes = [shown_quote(c.quote) for field in summary.fields if field.citation
              for c in (field.citation, *field.more_citations)]  # Markdown markup hidden
    assert quotes and all(quote in shown for quote in quotes)  # whole, never cut
    for quote in set(quotes):
        assert shown.count(f"“{quote}”") == 1, quote
    output = tmp_path / "northwind.summary.pdf"
    with qtbot.waitSignal(window.contracts.sig_exported, timeout=60_000):
        window.contracts.export_to(output)
    assert window.contracts.status.text().startswith("Saved northwind.summary.pdf")
    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *args: (contract.name, True)))
    with qtbot.waitSignal(window.contracts.sig_summary_shown, timeout=300_000):
        window.contracts.choose_from_library()
