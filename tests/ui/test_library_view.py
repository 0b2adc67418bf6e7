"""The document library in the real window: drops, batches, failures, filter and removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.display import one_line
from tests.conftest import SHARED_DATA

from .conftest import WindowFactory, create_workspace, wait_ingested

SMALL_PDF = SHARED_DATA / "pdfs" / "pypdf-samples" / "004-pdflatex-4-pages_pdflatex-4-pages.pdf"


def drop(widget: Any, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def rows(tree: Any) -> list[list[str]]:
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount())]


def test_first_run_offers_the_sample_workspace(make_window: WindowFactory) -> None:
    window = make_window()
    assert window.workspaces.names == []
    assert window.chat.stack.currentWidget() is window.chat.welcome
    assert window.chat.welcome.sample_button.isVisible()


def test_dropping_a_real_file_ingests_it_and_the_list_updates(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window()
    create_workspace(qtbot, window, "Matter A")
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000):
        drop(window, [SMALL_PDF])
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    name, kind, pages, _size = rows(window.library.table)[0]
    assert (name, kind, pages) == (SMALL_PDF.name, "PDF", "4")
    assert rows(window.library.results)[0][:2] == [SMALL_PDF.name, "Indexed"]
    assert window.chat.stack.currentWidget() is window.chat.welcome  # until the first question
    assert "1 document ready" in window.chat.welcome.text.text()


def test_corrupt_file_shows_its_error_row_and_the_batch_continues(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage without an end")
    good = tmp_path / "memo.txt"
    good.write_text("The board approved the budget for the new clinic on 3 May.")
    window = make_window()
    create_workspace(qtbot, window, "Matter B")
    report = wait_ingested(qtbot, window, [corrupt, good])
    assert [result.status for result in report.results] == ["refused", "indexed"]
    results = rows(window.library.results)
    assert results[0][:2] == ["broken.pdf", "Failed"] and results[0][2]
    assert results[1][:2] == ["memo.txt", "Indexed"]
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)


def test_unchanged_file_is_skipped_and_filter_and_remove_work(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    folder = tmp_path / "matter"
    folder.mkdir()
    first, second = folder / "alpha.txt", folder / "beta.txt"
    first.write_text("Alpha clause: the supplier indemnifies the client.")
    second.write_text("Beta clause: payment within thirty days.")
    window = make_window()
    create_workspace(qtbot, window, "Matter C")
    wait_ingested(qtbot, window, [folder])
    report = wait_ingested(qtbot, window, [first])
    assert rows(window.library.results)[0][1] == "Skipped (unchanged)"
    assert report.results[0].status == "unchanged"
    table = window.library.table
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 2, timeout=10_000)
    window.library.filter_edit.setText("beta")
    assert [table.topLevelItem(i).isHidden() for i in range(2)] == [True, False]
    table.topLevelItem(1).setSelected(True)
    window.library.remove_button.click()
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1, timeout=30_000)
    assert table.topLevelItem(0).text(0) == "alpha.txt"


def test_cancel_stops_a_batch(qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(30):
        (folder / f"note-{number:02d}.txt").write_text(f"Note {number}: " + "words " * 400)
    window = make_window()
    create_workspace(qtbot, window, "Matter D")
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000) as blocker:
        window.library.add_paths([folder])
        qtbot.waitUntil(lambda: window.library.progress_bar.value() > 0, timeout=60_000)
        window.library.cancel_button.click()
    assert blocker.args == [None]
    assert window.library.progress_label.text() == "Import cancelled."
    qtbot.waitUntil(lambda: not window.library.is_ingesting, timeout=10_000)
    assert window.library.table.topLevelItemCount() < 30


def test_a_scanned_pdf_is_listed_as_a_scan_with_its_ocr_pages(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    from tests.ocr.scans import write_scanned_pdf

    scan = write_scanned_pdf(tmp_path / "referral.pdf",
                             ["Referral letter for cardiology, ejection fraction 38 percent."])
    window = make_window()
    create_workspace(qtbot, window, "Matter S")
    report = wait_ingested(qtbot, window, [scan])
    assert report.results[0].status == "indexed", report.results[0]
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    assert rows(window.library.table)[0][1] == "PDF · scan"
    assert "Read by OCR: page(s) 1" in window.library.table.topLevelItem(0).toolTip(1)


def test_low_confidence_scans_are_marked_low_quality_in_the_list() -> None:
    from rag.store import DocumentRecord
    from ui.library_view import kind_label, scan_tooltip

    def record(scanned: tuple[int, ...], low: tuple[int, ...]) -> DocumentRecord:
        return DocumentRecord("d" * 64, "done", "pdf", "Fax", 3, 5, 100, "", ("/x/fax.pdf",),
                              scanned, low)

    assert kind_label(record((), ())) == "PDF"
    assert kind_label(record((1, 2), ())) == "PDF · scan"
    assert kind_label(record((1, 2, 3), (3,))) == "PDF · low-quality scan"
    assert "Low OCR confidence" in scan_tooltip(record((1, 2, 3), (3,)))


def test_a_workspace_an_earlier_version_indexed_offers_an_index_update(
        qtbot: Any, make_window: WindowFactory, home_with_embedded_model: Path,
        tmp_path: Path) -> None:
    from app.paths import DataPaths
    from rag.embedder import LEGACY_EMBEDDER
    from tests.test_embedder_upgrade import older_version_workspace, write_notes

    older_version_workspace(DataPaths(home_with_embedded_model),
                            write_notes(tmp_path / "docs", ["lease.txt", "loan.txt"]), tmp_path)
    window = make_window()
    qtbot.waitUntil(lambda: window.workspace == "matter", timeout=30_000)
    notice = window.library.upgrade
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    assert LEGACY_EMBEDDER in notice.label.text() and notice.button.isVisible()
    notice.button.click()
    qtbot.waitUntil(lambda: "Index updated: 2 passages" in notice.label.text(), timeout=60_000)
    qtbot.waitUntil(lambda: not window.library.is_ingesting, timeout=10_000)
    assert notice.isVisible() and not notice.button.isVisible()
    assert window.services.library().outdated_embedder("matter") is None


def test_a_name_with_a_newline_is_shown_escaped_on_one_line(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    odd = tmp_path / "minutes\nof the board.txt"
    odd.write_text("The board approved the budget for the new clinic on 3 May.")
    window = make_window()
    create_workspace(qtbot, window, "Matter N")
    wait_ingested(qtbot, window, [odd])
    assert rows(window.library.results)[0][:2] == ["minutes\\nof the board.txt", "Indexed"]
    qtbot.waitUntil(lambda: window.library.table.topLevelItemCount() == 1, timeout=10_000)
    assert rows(window.library.table)[0][0] == "minutes\\nof the board.txt"
    assert window.library.table.topLevelItem(0).toolTip(0) == one_line(str(odd))
