"""The installed ``enclave`` command is ui.launcher: the command line plus the window command;
the core's own command line never knows the window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def test_the_core_command_line_has_no_window_command() -> None:
    parser = build_parser()
    assert parser.parse_args([]).handler is None  # plain ``python -m app.cli`` shows help
    with pytest.raises(SystemExit):
        parser.parse_args(["gui"])


def test_the_launcher_adds_the_window_command_and_makes_it_the_default() -> None:
    import ui.launcher

    parser = build_parser([ui.launcher])
    assert parser.parse_args([]).handler is ui.launcher.run_gui
    assert parser.parse_args(["gui"]).handler is ui.launcher.run_gui


def test_python_dash_m_ui_is_the_installed_command(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ui", "--help"], cwd=ROOT, text=True,
                            capture_output=True, timeout=120,
                            env={"ENCLAVE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "gui" in result.stdout and "summarize" in result.stdout
