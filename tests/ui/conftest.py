"""Fixtures for the window tests: real windows on a temporary data directory, modal boxes
answered automatically, and a check that no worker outlives its window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.paths import DataPaths  # noqa: E402
from app.services import Lazy, Services, build_services  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.rag import fakes  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

if TYPE_CHECKING:
    from app.privacy.analyzer import PiiAnalyzer


@pytest.fixture(autouse=True)
def answered_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes would block a test: record their text and answer Yes."""
    shown: list[str] = []

    def record(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Yes

    for name in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    return shown


WindowFactory = Callable[..., MainWindow]


def _build_shared_analyzer() -> PiiAnalyzer:
    from app.privacy.analyzer import build_analyzer

    return build_analyzer(score_threshold=Settings().privacy.score_threshold)


# Slow to build (spaCy), stateless: built once per session, on first use, for every window.
SHARED_PII_ANALYZER: Lazy[PiiAnalyzer] = Lazy(_build_shared_analyzer)


@pytest.fixture
def make_window(qtbot: Any, home_with_embedded_model: Path) -> Iterator[WindowFactory]:
    """Builds windows on one data directory; closes them and checks their workers at the end."""
    opened: list[tuple[MainWindow, Services]] = []

    def make(runtime: Any = None, *, load_model: bool = False) -> MainWindow:
        services = build_services(DataPaths(home_with_embedded_model), runtime=runtime,
                                  pii_analyzer=SHARED_PII_ANALYZER)
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        opened.append((window, services))
        if load_model:
            with qtbot.waitSignal(window.sig_model_loaded, timeout=120_000):
                window.start_loading_model()
        elif runtime is not None:
            window.chat.set_model_ready(True)
        qtbot.waitUntil(lambda: window._workspace_known, timeout=30_000)
        return window

    yield make
    for window, services in opened:
        close_and_check(window, services)


def close_and_check(window: MainWindow, services: Services) -> None:
    if window.isVisible():
        window.close()
    assert not window.runner.active_jobs, "a worker thread outlived the window"
    services.close()


def wait_ingested(qtbot: Any, window: MainWindow, paths: list[Path]) -> Any:
    with qtbot.waitSignal(window.library.sig_ingest_finished, timeout=120_000) as blocker:
        window.library.add_paths(paths)
    qtbot.waitUntil(lambda: not window.library.is_ingesting, timeout=10_000)
    return blocker.args[0]


def create_workspace(qtbot: Any, window: MainWindow, name: str) -> None:
    window.workspaces.create_named(name)
    qtbot.waitUntil(lambda: window.workspace == name, timeout=30_000)


def write_pdf(path: Path, pages: list[str]) -> Path:
    """The window tests' PDFs: larger type, as a reader would see it."""
    return fakes.write_pdf(path, pages, font_size=12, line_height=7)
