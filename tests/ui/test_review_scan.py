"""The review pane on scanned pages, in the real window offscreen: the page image with the cited
passage and the personal data marked on the words OCR read there. Each mark is checked on the
widget as grabbed: its pixels carry the mark's colour over ink, and Tesseract, reading just
that rectangle of the grabbed image, reads the marked words."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage

from tests.conftest import SHARED_DATA
from tests.fake_runtime import FakeRuntime
from tests.ocr.scans import write_fax_tiff, write_scanned_pdf
from ui.main_window import MainWindow
from ui.review_view import Target
from ui.scan_page_view import PASSAGE, Mark

from .conftest import WindowFactory, create_workspace, wait_ingested

SCANNED = SHARED_DATA / "pdfs" / "hard" / "scanned_no_text_layer" / "scan-bad.pdf"
INTAKE = ("Patient Intake Form\n\nPatient name: Eleanor Whitfield\n"
          "Phone: (312) 555-0186\nE-mail: eleanor.whitfield@example.com\n\n"
          "Reason for visit: follow-up for high blood pressure.")


def _open_scanned(qtbot: Any, window: MainWindow, path: Path, passage_text: str,
                  page: int = 1) -> Any:
    """Ingests ``path``, then opens ``page`` as a citation of ``passage_text`` would, with the
    review pane widened as a reader would widen it."""
    window.resize(1800, 1100)
    window.splitter.setSizes([300, 400, 1100])
    wait_ingested(qtbot, window, [path])
    library, workspace = window.services.library(), window.workspace
    assert workspace is not None
    record, = library.documents(workspace)
    text = library.page_text(workspace, record.doc_id, page) or ""
    start = text.index(passage_text)
    target = Target(workspace, record.doc_id, str(path), path.name, page,
                    (start, start + len(passage_text)), passage_text)
    with qtbot.waitSignal(window.review.sig_page_image_shown, timeout=120_000) as shown:
        window.review.open_target(target)
    assert shown.args[0] is not None, "the scanned page showed no image"
    qtbot.waitUntil(lambda: window.review.scan_view.canvas.width() > 900, timeout=10_000)
    return shown.args[0]


def _read_under(image: QImage, rect: QRect) -> str:
    """Tesseract on the rectangle of the grabbed widget, enlarged (screen resolution is low)."""
    crop = image.copy(rect.adjusted(-2, -2, 2, 2)).convertToFormat(QImage.Format.Format_Grayscale8)
    large = crop.scaled(crop.width() * 4, crop.height() * 4,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)
    with tempfile.TemporaryDirectory() as folder:
        file = str(Path(folder) / "mark.png")
        assert large.save(file)
        return subprocess.run(["tesseract", file, "stdout", "--psm", "7"], capture_output=True,
                              text=True, check=True).stdout.strip()


def _tinted_ink(image: QImage, mark: Mark) -> tuple[int, int]:
    """Pixels inside the mark that are dark (ink) and that are tinted (not grey)."""
    rect = mark.rect.toAlignedRect().intersected(image.rect())
    ink = tinted = 0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            colour = image.pixelColor(x, y)
            red, green, blue = colour.red(), colour.green(), colour.blue()
            ink += max(red, green, blue) < 90
            tinted += max(red, green, blue) - min(red, green, blue) > 40
    return ink, tinted


def _grab(window: MainWindow) -> QImage:
    view = window.review.scan_view
    assert window.review.tabs.currentWidget() is window.review.page_stack
    assert window.review.page_stack.currentWidget() is view
    return view.canvas.grab().toImage()


@pytest.mark.slow
def test_a_cited_passage_is_marked_on_the_words_of_a_real_scanned_pdf(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Scans")
    page = _open_scanned(qtbot, window, SCANNED, "pdf.js")
    passage = [mark for mark in window.review.scan_view.marks() if mark.kind == PASSAGE]
    assert len(passage) == 1
    image = _grab(window)
    ink, tinted = _tinted_ink(image, passage[0])
    assert ink > 20 and tinted > 20, (ink, tinted)
    assert "pdf.js" in _read_under(image, passage[0].rect.toAlignedRect())
    # Outside the marks the page is as scanned: no tint anywhere else on the page.
    everything = Mark(image.rect().toRectF(), "")
    assert _tinted_ink(image, everything)[1] == tinted
    assert page.width < page.scan.width  # shown at display resolution, boxes scaled to it


@pytest.mark.slow
def test_personal_data_on_a_scanned_form_is_marked_on_its_words(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Clinic")
    form = write_scanned_pdf(tmp_path / "intake-scan.pdf", [INTAKE], dpi=300, font_size=14)
    with qtbot.waitSignal(window.review.sig_scan_finished, timeout=120_000):
        _open_scanned(qtbot, window, form, "high blood pressure")
    qtbot.waitUntil(lambda: len(window.review.scan_view.marks()) > 3, timeout=10_000)
    image = _grab(window)
    findings = window.review.current_findings() or []
    text = window.review.page_text.text if window.review.page_text else ""
    for kind in ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"):
        finding = next(f for f in findings if f.entity_type == kind)
        marks = [mark for mark in window.review.scan_view.marks()
                 if mark.span == (finding.start, finding.end)]
        assert marks and all(mark.kind == kind for mark in marks), f"no {kind} marked"
        united = marks[0].rect
        for mark in marks[1:]:
            united = united.united(mark.rect)
        value = text[finding.start:finding.end]
        read = _read_under(image, united.toAlignedRect())
        assert value.split()[-1].lower() in "".join(read.split()).lower(), (kind, value, read)
        assert _tinted_ink(image, marks[0])[0] > 5
    passage = [mark for mark in window.review.scan_view.marks() if mark.kind == PASSAGE]
    assert "high blood" in _read_under(image, passage[0].rect.united(passage[-1].rect)
                                       .toAlignedRect())


@pytest.mark.slow
def test_a_page_of_a_fax_tiff_shows_its_image_with_the_passage_marked(
        qtbot: Any, make_window: WindowFactory, tmp_path: Path) -> None:
    """An image document has no PDF view: its page tab appears with the page image."""
    window = make_window(FakeRuntime())
    create_workspace(qtbot, window, "Faxes")
    fax = write_fax_tiff(tmp_path / "referral.tiff", [
        "Referral letter, cardiology.",
        "Ejection fraction of 38 percent on the echocardiogram of 14 March."])
    _open_scanned(qtbot, window, fax, "38 percent", page=2)
    passage = [mark for mark in window.review.scan_view.marks() if mark.kind == PASSAGE]
    image = _grab(window)
    assert "38 percent" in _read_under(image, passage[0].rect.united(passage[-1].rect)
                                       .toAlignedRect())
