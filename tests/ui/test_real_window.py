"""``enclave gui`` as a user starts it: its own process, Qt's real xcb platform on an X server
(a test-owned Xvfb, not the offscreen platform), the real embedded model. The sample question
is typed with the keyboard (xdotool) the moment the window shows, while the model may still be
loading; the answer is read back from the conversation file the app saves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.history import HistoryStore
from app.paths import DataPaths
from app.samples import SAMPLE_WORKSPACE, copy_samples
from app.settings import Settings, save_settings, updated
from tests.xdisplay import find_window, missing_tools, type_text, virtual_display, x_environment

QUESTION = "How much notice is needed to terminate the agreement for convenience?"
ENCLAVE = [str(Path(sys.executable).with_name("enclave"))]  # the installed entry point

pytestmark = pytest.mark.skipif(bool(missing_tools()),
                                reason=f"needs {', '.join(missing_tools())} (setup_env.sh)")


def prepare_sample_matter(home: Path) -> None:
    """A data folder holding the sample workspace, ingested by the real command line."""
    paths = DataPaths(home).ensure()
    short = updated(updated(Settings(), "llm", max_tokens=24), "rag", top_k=2)  # two cores
    save_settings(short, paths.settings_file)
    ingest = subprocess.run([*ENCLAVE, "ingest", *map(str, copy_samples(home)),
                             "--workspace", SAMPLE_WORKSPACE],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "ENCLAVE_HOME": str(home)})
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr


def wait_for_answer(history: Path, app: subprocess.Popen[bytes], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert app.poll() is None, f"the app exited with {app.returncode}"
        if history.is_file():
            exchanges = json.loads(history.read_text(encoding="utf-8"))["exchanges"]
            if exchanges and exchanges[-1]["answer"]:
                return dict(exchanges[-1])
        time.sleep(1)
    raise TimeoutError("no answer was saved")


def test_the_real_window_answers_a_question_typed_on_the_keyboard(
        tmp_path: Path, enclave_home: Path) -> None:
    prepare_sample_matter(enclave_home)
    log = (tmp_path / "gui.log").open("wb")
    with virtual_display() as display:
        app = subprocess.Popen([*ENCLAVE, "gui"], env=x_environment(display, enclave_home),
                               stdout=log, stderr=subprocess.STDOUT)
        try:
            window = find_window(display, f"^{SAMPLE_WORKSPACE} .+ Enclave$", app, timeout=180)
            type_text(display, window, QUESTION, "Return")
            history = HistoryStore(DataPaths(enclave_home).history_dir).file_for(SAMPLE_WORKSPACE)
            exchange = wait_for_answer(history, app, timeout=300)
        finally:
            app.terminate()
            app.wait(timeout=60)
    output = (tmp_path / "gui.log").read_text(errors="replace")
    assert exchange["question"] == QUESTION, output
    assert exchange["answer"].strip() and not exchange["stopped"]
    assert any(ref["source"] == "services_agreement.md" for ref in exchange["citations"])
    assert "could not load the Qt platform plugin" not in output
