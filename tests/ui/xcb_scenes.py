"""Scenes of a new user's first hour, each run in its own process on the real xcb platform
(an Xvfb the test owns), reporting what it measured as JSON and, on request, a screenshot.

    python -m tests.ui.xcb_scenes SCENE HOME RESULT.json [--shot PNG] [--file PATH]

``long-name``: a file with a very long name is dropped on the window of a small screen; the
window's width (Qt's and the X server's) is sampled throughout the ingest.
``ask-while-indexing``: the sample workspace is opened and a question typed the moment its
ingest starts; the answer is read back.
``pdf-citation``: a PDF is added, a question asked, and its first citation clicked with the
mouse (xdotool); the page image as drawn is grabbed and each line of the quote inspected.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCENES: dict[str, Callable[..., dict[str, Any]]] = {}


def scene(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    SCENES[function.__name__.replace("_", "-")] = function
    return function


def wait_until(condition: Callable[[], bool], timeout: float = 300.0,
               tick: Callable[[], None] | None = None, step: str = "") -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{step or 'the scene'}: not done within {timeout:g} s")
        QApplication.processEvents()
        if tick is not None:
            tick()
        time.sleep(0.02)


def pause(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > end)


def x_width(window: Any) -> int:
    """The window's width as the X server has it."""
    shown = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(int(window.winId()))],
                           capture_output=True, text=True, check=True)
    return int(dict(line.split("=", 1) for line in shown.stdout.split())["WIDTH"])


def open_window(home: Path, runtime: Any = None) -> Any:
    from app.paths import DataPaths
    from app.services import build_services
    from ui.main_window import MainWindow

    window = MainWindow(build_services(DataPaths(home), runtime=runtime))
    window.show()
    wait_until(lambda: window._workspace_known and window.isVisible(), step="the window shown")
    return window


def create_workspace(window: Any, name: str) -> None:
    window.workspaces.create_named(name)
    wait_until(lambda: window.workspace == name, timeout=60, step=f"workspace {name} made")


def drop_on(window: Any, paths: list[Path]) -> None:
    """A drop as the window receives one from a file manager."""
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    centre = window.rect().center()
    enter = QDragEnterEvent(QPoint(centre), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


@scene
def long_name(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    assert file is not None
    window = open_window(home)
    create_workspace(window, "Matter")
    pause(0.5)
    widths: list[int] = []
    x_widths: list[int] = []
    question_widths: list[int] = []
    labels: list[str] = []
    shots: list[bool] = []

    def sample() -> None:
        widths.append(window.frameGeometry().width())
        question_widths.append(window.chat.question_edit.width())
        label = window.library.progress_label
        if label.isVisible() and label.text().startswith("Reading"):
            labels.append(label.text())
            if shot is not None and not shots:
                pause_and_shoot(window, shot)
                shots.append(True)

    finished: list[object] = []
    window.library.sig_ingest_finished.connect(finished.append)
    drop_on(window, [file])
    wait_until(lambda: bool(finished), tick=sample, step="the dropped file ingested")
    x_widths.append(x_width(window))
    end = time.monotonic() + 1.0
    wait_until(lambda: time.monotonic() > end, tick=sample)
    x_widths.append(x_width(window))
    screen = window.screen().geometry()
    rows = window.library.table.topLevelItemCount()
    window.close()
    return {"widths": widths, "x_widths": x_widths, "screen_width": screen.width(),
            "question_widths": question_widths, "progress_labels": labels[:3],
            "documents": rows}


def load_model(window: Any) -> None:
    loaded: list[object] = []
    window.sig_model_loaded.connect(loaded.append)
    window.start_loading_model()
    wait_until(lambda: bool(loaded), step="the model loaded")


def answer(window: Any, question: str) -> dict[str, Any]:
    """Ask as the keyboard would (text, then Return) and wait for the answer."""
    answered: list[str] = []
    window.sig_answer_finished.connect(answered.append)
    window.chat.ask_typed(question)
    wait_until(lambda: bool(answered), step=f"the answer to {question!r}")
    exchange = window.chat.exchanges[-1]
    return {"outcome": answered[0], "answer": exchange.answer,
            "quotes": [quote.text for quote in exchange.quotes],
            "sources": [ref.source for ref in exchange.citations]}


@scene
def ask_while_indexing(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    """Open the sample workspace (the welcome page's button) and ask the moment its ingest
    starts, while the model may still be loading."""
    from ui.welcome import SAMPLE_QUESTION

    window = open_window(home)
    window.start_loading_model()
    events: list[str] = []
    window.library.sig_busy_changed.connect(lambda busy: events.append(f"busy {busy}"))
    window.library.sig_ingest_finished.connect(lambda report: events.append("ingested"))

    def ask_now(busy: bool) -> None:
        if busy and "asked" not in events:
            events.append("asked")
            window.chat.ask_typed(SAMPLE_QUESTION)
            events.append(f"waiting: {window.chat.model_wait.label.text()}")
            if shot is not None:
                pause_and_shoot(window, shot)

    window.library.sig_busy_changed.connect(ask_now)
    answered: list[str] = []
    window.sig_answer_finished.connect(answered.append)
    window.chat.welcome.sample_button.click()
    wait_until(lambda: bool(answered), timeout=600, step="the answer to the sample question")
    exchange = window.chat.exchanges[-1]
    result = {"events": events, "outcome": answered[0], "question": exchange.question,
              "answer": exchange.answer, "quotes": [quote.text for quote in exchange.quotes],
              "sources": [ref.source for ref in exchange.citations]}
    window.close()
    return result


def anchor_centre(browser: Any, href: str, occurrence: int = 0) -> Any:
    """The global position of the middle glyph of the ``occurrence``-th link to ``href`` in
    a QTextBrowser, scrolled into view. (It once took the cursor position after the link's
    middle character: for the answer's one-character link "1" that was its right edge, where
    no link is, and the click opened nothing.)"""
    from tests.ui.links import scrolled_to

    point = scrolled_to(browser, href, occurrence)
    pause(0.3)
    if browser.anchorAt(point) != href:
        raise LookupError(f"no link to {href} under {point} (found {browser.anchorAt(point)!r})")
    return browser.viewport().mapToGlobal(point)


def click_at(point: Any) -> None:
    subprocess.run(["xdotool", "mousemove", "--sync", str(point.x()), str(point.y()),
                    "click", "1"], check=True)


def yellow_share(image: Any, rect: Any) -> float:
    """The share of the rectangle's light pixels (not ink) tinted by the passage mark."""
    light = yellow = 0
    for y in range(int(rect.top()) + 2, int(rect.bottom()) - 1):
        for x in range(int(rect.left()) + 2, int(rect.right()) - 1, 2):
            colour = image.pixelColor(x, y)
            if colour.red() + colour.green() < 300:
                continue  # the letters
            light += 1
            yellow += colour.blue() < colour.red() - 60 and colour.blue() < colour.green() - 60
    return yellow / light if light else 0.0


def yellow_bands(image: Any) -> int:
    """Runs of rows holding a passage-marked stretch of at least 40 pixels."""
    bands, inside = 0, False
    for y in range(image.height()):
        run = best = 0
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            tinted = colour.blue() < colour.red() - 60 and colour.blue() < colour.green() - 60
            run = run + 2 if tinted or (run and colour.red() + colour.green() < 300) else 0
            best = max(best, run)
        marked = best >= 40
        bands += marked and not inside
        inside = marked
    return bands


@scene
def pdf_citation(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    """Add the PDF, ask, click citation [1] with the mouse, read the marks off the page."""
    from ui.scan_page_view import PASSAGE

    assert file is not None
    window = open_window(home)
    create_workspace(window, "Endorsement")
    finished: list[object] = []
    window.library.sig_ingest_finished.connect(finished.append)
    window.library.add_paths([file])
    wait_until(lambda: bool(finished), step="the PDF ingested")
    load_model(window)
    result = answer(window, "Which state's laws govern the agreement?")
    shown: list[int] = []
    window.review.sig_page_shown.connect(shown.append)
    view = window.review.pdf_view
    # the direct answer's [1], then the quote's [1]: each opens the page
    for href, link in (("cite:0:1", "the answer's"), ("cite:0:1:0", "the quote's")):
        shown.clear()
        click_at(anchor_centre(window.chat.transcript, href))
        wait_until(lambda: bool(shown), timeout=60,
                   step=f"a page opened by a click on {link} citation [1]")
        wait_until(lambda: any(mark.kind == PASSAGE for mark in view.marks()), timeout=60,
                   step=f"the quote marked on the page {link} [1] opened")
    result["pages_opened"] = 2
    pause(0.5)
    image = view.canvas.grab().toImage()
    ratio = image.devicePixelRatio()
    lines = [mark.rect for mark in view.marks() if mark.kind == PASSAGE]
    scaled = [type(rect)(rect.x() * ratio, rect.y() * ratio, rect.width() * ratio,
                         rect.height() * ratio) for rect in lines]
    span = next(mark.span for mark in view.marks() if mark.kind == PASSAGE)
    result.update(
        clicked_source=window.review.target.title, page=window.review.target.page,
        passage_text=window.review.target.passage_text,
        marked_text=view.page_text()[span[0]:span[1]],
        line_tops=[round(rect.top()) for rect in lines],
        line_yellow=[round(yellow_share(image, rect), 3) for rect in scaled],
        yellow_bands=yellow_bands(image), zoom=view.zoom_text(),
        page_width=view.canvas.width(), pane_width=view.viewport().width())
    view.zoom_in()
    view.zoom_in()
    pause(0.3)
    result.update(zoomed=view.zoom_text(), zoomed_width=view.canvas.width(),
                  zoomed_lines=len([m for m in view.marks() if m.kind == PASSAGE]))
    view.fit_width()
    pause(0.3)
    if shot is not None:
        pause_and_shoot(window, shot)
    window.close()
    return result


@scene
def failing_step(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    """A step that never happens, with the window (and its exception hook) up."""
    window = open_window(home)
    wait_until(lambda: False, timeout=1, step="a step that never happens")
    window.close()
    return {}


@scene
def new_then_ctrl_o(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    """Ctrl+Shift+N, a name, Return, then Ctrl+O, all typed on the keyboard (xdotool): the
    add-files dialog must open (recorded instead of shown)."""
    from PySide6.QtWidgets import QFileDialog

    opened: list[str] = []

    def record(*args: Any, **kwargs: Any) -> tuple[list[str], str]:
        opened.append("add files")
        return [], ""

    QFileDialog.getOpenFileNames = staticmethod(record)  # type: ignore[method-assign]
    window = open_window(home)
    window.activateWindow()
    pause(1.0)
    typist = subprocess.Popen(["sh", "-c", "xdotool key ctrl+shift+n; sleep 3; "
                               "xdotool type --delay 40 'Matter B'; xdotool key Return"])
    wait_until(lambda: typist.poll() is not None, timeout=120)
    end = time.monotonic() + 60
    wait_until(lambda: window.workspace == "Matter B" or time.monotonic() > end)
    # Ctrl+O once the workspace exists (a fixed 3 s sleep raced the dialog's close on a busy
    # machine: the key reached the closing dialog and the scene read the result too early).
    subprocess.run(["xdotool", "key", "ctrl+o"], check=False, timeout=60)
    end = time.monotonic() + 30
    wait_until(lambda: bool(opened) or time.monotonic() > end)
    focus = type(QApplication_focus()).__name__
    result = {"workspace": window.workspace, "opened": opened, "focus": focus,
              "active": window.isActiveWindow()}
    window.close()
    return result


def QApplication_focus() -> Any:  # noqa: N802
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()


@scene
def help_and_settings(home: Path, shot: Path | None, file: Path | None) -> dict[str, Any]:
    """The user guide (Privacy policies) and Settings, each grabbed as shown."""
    window = open_window(home)
    load_model(window)  # the embedded model is listed once assembled
    guide = window.show_help("Privacy policies")
    pause(0.5)
    settings = window.open_settings()
    settings.policy_combo.setCurrentText("strict")
    pause(1.0)
    if shot is not None:
        guide.grab().save(str(shot.with_name("help-guide.png")))
        settings.grab().save(str(shot.with_name("settings.png")))
    result = {"guide": guide.page.toPlainText()[:200], "policy": settings.policy_help.text()}
    settings.close()
    guide.close()
    window.close()
    return result


def pause_and_shoot(window: Any, shot: Path) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    window.grab().save(str(shot))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.xcb_scenes")
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("home", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--shot", type=Path)
    parser.add_argument("--file", type=Path)
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from app.egress import go_offline

    go_offline()
    application = QApplication(sys.argv)
    application.setStyle("Fusion")  # as ui.app.run_app
    dialogs = answer_dialogs()
    try:
        result = SCENES[args.scene](args.home, args.shot, args.file)
    except BaseException:  # noqa: BLE001 - any failure ends the scene at once
        # Not through the window's exception hook, whose modal dialog would wait for a
        # click until the test's own limit.
        traceback.print_exc()
        print(f"dialogs shown: {dialogs}", flush=True)
        sys.stderr.flush()
        os._exit(1)
    if dialogs and "dialogs" not in result:
        result["dialogs"] = dialogs
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")
    application.quit()
    return 0


def answer_dialogs() -> list[str]:
    """Message boxes are recorded (their text, printed if the scene fails) and answered Yes
    instead of waiting, modal, for a click that never comes."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def record(parent: Any, title: str, text: str, *args: Any) -> Any:
        shown.append(text)
        print(f"dialog: {title}: {text}", flush=True)
        return QMessageBox.StandardButton.Yes

    for name in ("warning", "information", "question", "critical"):
        setattr(QMessageBox, name, staticmethod(record))
    return shown


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
