"""Contracts in the window: a real CUAD contract summarized, a quote opens its page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl

from tests.conftest import SHARED_DATA
from tests.fake_runtime import FakeRuntime

from .conftest import WindowFactory, create_workspace

CONTRACT = (SHARED_DATA / "contracts/cuad/full_contract_pdf"
            / "LIMEENERGYCO_09_09_1999-EX-10-DISTRIBUTOR AGREEMENT.PDF")


def test_a_dropped_contract_gets_a_cited_summary_and_a_quote_opens_its_page(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Deals")
    window.middle.setCurrentWidget(window.contracts)
    with qtbot.waitSignal(window.contracts.sig_summary_shown, timeout=300_000) as blocker:
        window.contracts.summarize(CONTRACT)
    summary = blocker.args[0]
    shown = window.contracts.view.toPlainText()
    assert "Governing law" in shown and "p. " in shown
    found = next(i for i, field in enumerate(summary.fields) if field.found and field.verified)
    citation = summary.fields[found].citation
    with qtbot.waitSignal(window.review.sig_page_shown, timeout=60_000) as page:
        window.contracts.view.anchorClicked.emit(QUrl(f"quote:{found}"))
    assert page.args[0] == citation.page
    assert window.review.target is not None and window.review.target.passage_text
    several = next(i for i, field in enumerate(summary.fields) if field.more_citations)
    other = summary.fields[several].more_citations[0]
    assert other.quote[:60] in " ".join(shown.split())  # every place of a field is listed
    with qtbot.waitSignal(window.review.sig_page_shown, timeout=60_000) as page:
        window.contracts.view.anchorClicked.emit(QUrl(f"quote:{several}:1"))
    assert page.args[0] == other.page and window.review.target.passage_text
    output = tmp_path / "summary.md"
    job = window.contracts.export_to(output)
    qtbot.waitUntil(lambda: job.is_done, timeout=30_000)
    assert citation.quote[:40] in " ".join(output.read_text(encoding="utf-8").split())
    # the page's personal-data scan (it loads Presidio) ends before the window closes
    qtbot.waitUntil(lambda: window.review.current_findings() is not None, timeout=180_000)


def test_a_file_that_is_not_a_contract_is_refused_with_a_message(
        qtbot: Any, make_window: WindowFactory, answered_dialogs: list[str],
        tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Deals")
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("Pancakes. Mix flour, eggs and milk. Fry in butter until golden.\n" * 20)
    job = window.contracts.summarize(recipe)
    assert job is not None
    qtbot.waitUntil(lambda: job.is_done, timeout=120_000)
    qtbot.waitUntil(lambda: bool(answered_dialogs), timeout=10_000)
    assert "contract" in answered_dialogs[-1]
    assert window.contracts.status.text() == "Not summarized."


def test_a_markdown_contracts_quotes_read_without_markup_in_the_pane_and_its_export(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    from importlib import resources

    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Sample")
    agreement = tmp_path / "services_agreement.md"
    agreement.write_text(resources.files("app.samples").joinpath("services_agreement.md")
                         .read_text("utf-8"), encoding="utf-8")
    with qtbot.waitSignal(window.contracts.sig_summary_shown, timeout=300_000) as blocker:
        window.contracts.summarize(agreement)
    assert any("**" in field.citation.quote for field in blocker.args[0].fields
               if field.citation is not None), "the case this test is about"
    shown = window.contracts.view.toPlainText()
    assert "**" not in shown and "##" not in shown
    assert "Between Northwind Analytics Ltd." in " ".join(shown.split())
    assert window.contracts.status.text().startswith("1 page in ")
    output = tmp_path / "summary.md"
    job = window.contracts.export_to(output)
    qtbot.waitUntil(lambda: job.is_done, timeout=30_000)
    exported = output.read_text(encoding="utf-8")
    assert "Between Northwind Analytics Ltd." in exported and "**Between**" not in exported
