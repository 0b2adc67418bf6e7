"""The window fits a 1280x720 screen (or 1920x1080 at 150 %) with every pane usable: at that
size, and with each pane dragged down to its minimum, no button, box or label is squeezed below
what its text needs or cut off by its pane."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from tests.fake_runtime import FakeRuntime
from ui.main_window import MainWindow

from .conftest import WindowFactory, create_workspace

SMALL_SCREEN = (1280, 720)


def cut_or_squeezed(window: MainWindow) -> list[str]:
    """Controls narrower than their text needs, or reaching outside their parent."""
    problems = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QAbstractButton | QLineEdit | QLabel) or not widget.isVisible():
            continue
        name = f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"
        explicit = widget.minimumWidth()  # a width the view fixed on purpose (the ◀ ▶ buttons)
        if widget.width() < (explicit or widget.minimumSizeHint().width()):
            problems.append(f"{name} squeezed to {widget.width()} px")
        parent = widget.parentWidget()
        if parent is not None and not parent.rect().contains(widget.geometry()):
            problems.append(f"{name} cut off by its parent")
    return problems


def settle(qtbot: Any, window: MainWindow) -> None:
    qtbot.wait(200)  # queued layout requests (wrapped button rows) run


def test_the_window_fits_a_1280x720_screen_with_room_to_spare(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window(FakeRuntime())
    assert window.minimumSizeHint().width() <= 900, "the panes' minimum widths add up too far"
    assert window.minimumSizeHint().height() <= SMALL_SCREEN[1] - 100
    window.resize(*SMALL_SCREEN)
    create_workspace(qtbot, window, "Contracts")
    settle(qtbot, window)
    assert (window.width(), window.height()) == SMALL_SCREEN
    assert cut_or_squeezed(window) == []


def test_each_pane_at_its_minimum_width_still_shows_every_control_whole(
        qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window(FakeRuntime())
    window.resize(*SMALL_SCREEN)
    create_workspace(qtbot, window, "Contracts")
    splitter = window.splitter
    for narrow in range(splitter.count()):
        sizes = [pane.sizeHint().width() for i in range(splitter.count())
                 if (pane := splitter.widget(i)) is not None]
        sizes[narrow] = 0  # the splitter stops it at its minimum width
        splitter.setSizes(sizes)
        settle(qtbot, window)
        assert splitter.sizes()[narrow] > 0, "a pane collapsed to nothing"
        assert cut_or_squeezed(window) == [], f"pane {narrow} at its minimum"
