"""A new user's first hour in the real window: Qt's xcb platform on a test-owned Xvfb, each
scene in its own process (tests/ui/xcb_scenes.py), its measurements read back as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import write_pdf
from tests.xdisplay import missing_tools, virtual_display, x_environment

pytestmark = pytest.mark.skipif(bool(missing_tools()),
                                reason=f"needs {', '.join(missing_tools())} (setup_env.sh)")

NAME_120 = ("LifewayFoodsInc_20160316_10-K_EX-10.24_9489766_EX-10.24_Endorsement Agreement "
            "between Lifeway Foods and Athlete Brnd.pdf")


def run_scene(name: str, home: Path, tmp_path: Path, screen: str = "1280x720x24",
              file: Path | None = None, shot: Path | None = None,
              timeout: float = 900) -> dict[str, Any]:
    result = tmp_path / f"{name}.json"
    command = [sys.executable, "-m", "tests.ui.xcb_scenes", name, str(home), str(result)]
    command += ["--file", str(file)] if file else []
    command += ["--shot", str(shot)] if shot else []
    log = tmp_path / f"{name}.log"
    with virtual_display(screen) as display, log.open("wb") as output:
        environment = x_environment(display, home, PYTHONPATH=os.environ.get("PYTHONPATH", ""))
        finished = subprocess.run(command, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT, timeout=timeout)
    assert finished.returncode == 0, log.read_text(errors="replace")[-4000:]
    return dict(json.loads(result.read_text(encoding="utf-8")))


def test_a_120_character_file_name_never_widens_the_window_past_a_1280x720_screen(
        tmp_path: Path, enclave_home: Path) -> None:
    assert len(NAME_120) == 120
    pdf = write_pdf(tmp_path / NAME_120, [
        "Endorsement. The athlete endorses the products of the company in its advertising.",
        "Choice of law. This agreement is governed by the laws of the State of Illinois."])
    seen = run_scene("long-name", enclave_home, tmp_path, file=pdf)
    assert seen["documents"] == 1
    assert seen["progress_labels"], "the progress line never named the file"
    assert seen["screen_width"] == 1280
    assert max(seen["widths"]) <= 1280, seen["widths"]
    assert max(seen["x_widths"]) <= 1280, seen["x_widths"]
    assert min(seen["question_widths"]) >= 200, "the question box was squeezed"
