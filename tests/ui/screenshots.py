"""Screenshots of the real window at 100 %, 125 % and 150 % scaling, in a dark scheme and on a
1280x720 screen, each on its own Xvfb with Qt's xcb platform (``make screenshots``).

The window-* shots are one scene, the one a new user reaches first: the sample workspace, the
sample question answered by the embedded model with its sources, and the cited passage opened in
the review pane with personal data highlighted. first-run, review-pii and contract-summary are
the README's other real-window shots (see SCENES). The samples are ingested once; each shot
runs in its own process on a copy, because the scale factor is read when Qt starts.

    python -m tests.ui.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.xdisplay import virtual_display

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

QUESTION = "How much notice is needed to terminate the agreement for convenience?"
# name: (QT_SCALE_FACTOR, screen size, dark scheme)
SHOTS: dict[str, tuple[str, str, bool]] = {
    "window-100": ("1", "1920x1080x24", False),
    "window-125": ("1.25", "1920x1080x24", False),
    "window-150": ("1.5", "1920x1080x24", False),
    "window-dark": ("1", "1920x1080x24", True),
    "window-1280x720": ("1", "1280x720x24", False),
    "first-run": ("1", "1920x1080x24", False),
    "review-pii": ("1", "1920x1080x24", False),
    "contract-summary": ("1", "1920x1080x24", False),
}
# The README's other real-window shots, each its own scene: a fresh data folder's first window;
# the sample's patient intake form opened for review; a CUAD contract (from the shared data,
# by path) summarized in the Contracts tab, its governing-law quote clicked.
SCENES = ("first-run", "review-pii", "contract-summary")
ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("ENCLAVE_SHARED_DATA", "")) if os.environ.get(
    "ENCLAVE_SHARED_DATA") else next(  # beside the main checkout or a worktree's parent
    (folder for folder in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared"
                           / "data") if folder.is_dir()), ROOT.parent / "shared" / "data")
CONTRACT = (SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"
            / "LIMEENERGYCO_09_09_1999-EX-10-DISTRIBUTOR AGREEMENT.PDF")


# ----- inside one shot's process

def wait_until(app: object, condition: Callable[[], bool], timeout: float = 300.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the scene in time")
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(home: Path, target: Path, dark: bool) -> None:
    from PySide6.QtWidgets import QApplication

    from app.egress import go_offline
    from app.paths import DataPaths
    from app.services import build_services
    from ui.main_window import MainWindow

    go_offline()
    application = QApplication(sys.argv)
    application.setStyle("Fusion")  # as ui.app.run_app
    if dark:  # what a desktop theme in dark mode hands Qt (Xvfb has no desktop theme)
        application.setPalette(dark_palette())
    window = MainWindow(build_services(DataPaths(home)))
    window.show()
    if target.stem in SCENES:
        wait_until(application, lambda: window._workspace_known and window.isVisible())
        {"first-run": first_run, "review-pii": review_pii,
         "contract-summary": contract_summary}[target.stem](application, window)
        settle = time.monotonic() + 1.0
        wait_until(application, lambda: time.monotonic() > settle)
        window.grab().save(str(target))
        window.close()
        return
    loaded: list[object] = []
    window.sig_model_loaded.connect(loaded.append)
    window.start_loading_model()
    wait_until(application, lambda: bool(loaded) and window.workspace is not None)
    answered: list[str] = []
    window.sig_answer_finished.connect(answered.append)
    window.chat.ask_question(QUESTION)
    wait_until(application, lambda: bool(answered))
    open_first_citation(application, window)
    settle = time.monotonic() + 1.0  # let queued layout requests (new text sizes) run
    wait_until(application, lambda: time.monotonic() > settle)
    window.grab().save(str(target))  # grab(): the widgets as drawn at this scale factor
    window.close()


DARK_COLOURS = {
    "Window": "#2b2b2b", "WindowText": "#e6e6e6", "Base": "#1e1e1e", "AlternateBase": "#333333",
    "Text": "#e6e6e6", "Button": "#383838", "ButtonText": "#e6e6e6", "BrightText": "#ff7070",
    "Highlight": "#3a6fd8", "HighlightedText": "#ffffff", "Link": "#7fb0ff",
    "LinkVisited": "#c79bff", "Light": "#505050", "Midlight": "#444444", "Mid": "#5c5c5c",
    "Dark": "#1a1a1a", "Shadow": "#000000", "ToolTipBase": "#383838", "ToolTipText": "#e6e6e6",
    "PlaceholderText": "#8c8c8c",
}


def dark_palette() -> QPalette:
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    for role, colour in DARK_COLOURS.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role in ("WindowText", "Text", "ButtonText"):
        palette.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role),
                         QColor("#7a7a7a"))
    return palette


def open_first_citation(application: object, window: object) -> None:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    exchange = window.chat.exchanges[-1]
    if not exchange.citations:
        return
    scanned: list[object] = []
    window.review.sig_scan_finished.connect(scanned.append)
    window.chat.sig_citation_clicked.emit(exchange.citations[0])
    wait_until(application, lambda: bool(scanned), timeout=180)


def first_run(application: object, window: object) -> None:
    """A fresh data folder: the welcome page, the model loading in the status bar."""


def review_pii(application: object, window: object) -> None:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    wait_until(application, lambda: window.workspace is not None
               and bool(window.library.documents))
    record = next(record for record in window.library.documents
                  if record.title.startswith("patient_intake") or any(
                      path.endswith("patient_intake.md") for path in record.paths))
    scanned: list[object] = []
    window.review.sig_scan_finished.connect(scanned.append)
    window.review.open_record(window.workspace or "", record)
    wait_until(application, lambda: bool(scanned), timeout=180)


def contract_summary(application: object, window: object) -> None:
    from PySide6.QtCore import QUrl

    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.workspaces.create_named("Deals")
    wait_until(application, lambda: window.workspace == "Deals", timeout=60)
    shown: list[object] = []
    window.contracts.sig_summary_shown.connect(shown.append)
    window.middle.setCurrentWidget(window.contracts)
    window.contracts.summarize(CONTRACT)
    wait_until(application, lambda: bool(shown), timeout=600)
    summary = window.contracts.summary
    assert summary is not None
    field = next(index for index, field in enumerate(summary.fields)
                 if field.key == "governing_law" and field.citation is not None)
    scanned: list[object] = []
    window.review.sig_scan_finished.connect(scanned.append)
    window.contracts.view.anchorClicked.emit(QUrl(f"quote:{field}:0"))
    wait_until(application, lambda: bool(scanned), timeout=300)


# ----- the driver

def prepare_home(home: Path) -> None:
    """A data folder with the sample workspace ingested and short answers (two cores)."""
    from app.paths import DataPaths
    from app.samples import SAMPLE_WORKSPACE, copy_samples
    from app.settings import Settings, save_settings, updated

    paths = DataPaths(home).ensure()
    save_settings(updated(Settings(), "llm", max_tokens=48), paths.settings_file)
    enclave = str(Path(sys.executable).with_name("enclave"))
    subprocess.run([enclave, "ingest", *map(str, copy_samples(home)),
                    "--workspace", SAMPLE_WORKSPACE], check=True,
                   env={**os.environ, "ENCLAVE_HOME": str(home)}, stdout=subprocess.DEVNULL)


def run_shot(name: str, prepared: Path, scratch: Path, out: Path) -> Path:
    scale, screen, dark = SHOTS[name]
    home = scratch / name
    if name == "first-run":  # a fresh data folder
        home.mkdir()
    else:
        shutil.copytree(prepared, home, symlinks=True)
    target = out / f"{name}.png"
    with virtual_display(screen) as display:
        environment = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                       "QT_SCALE_FACTOR": scale, "ENCLAVE_HOME": str(home)}
        command = [sys.executable, "-m", "tests.ui.screenshots", "--shoot", str(home),
                   str(target)] + (["--dark"] if dark else [])
        subprocess.run(command, check=True, env=environment, timeout=900)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.screenshots")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--only", nargs="*", default=list(SHOTS), choices=list(SHOTS))
    parser.add_argument("--shoot", nargs=2, type=Path, metavar=("HOME", "PNG"))
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(argv)
    if args.shoot:
        shoot(args.shoot[0], args.shoot[1], args.dark)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="enclave-shots-") as folder:
        prepared = Path(folder) / "prepared"
        prepare_home(prepared)
        for name in args.only:
            print(run_shot(name, prepared, Path(folder), args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
