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
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCENES: dict[str, Callable[..., dict[str, Any]]] = {}


def scene(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    SCENES[function.__name__.replace("_", "-")] = function
    return function


def wait_until(condition: Callable[[], bool], timeout: float = 300.0,
               tick: Callable[[], None] | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the scene did not reach its state in time")
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
    wait_until(lambda: window._workspace_known and window.isVisible())
    return window


def create_workspace(window: Any, name: str) -> None:
    window.workspaces.create_named(name)
    wait_until(lambda: window.workspace == name, timeout=60)


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
    wait_until(lambda: bool(finished), tick=sample)
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
    result = SCENES[args.scene](args.home, args.shot, args.file)
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")
    application.quit()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
