"""A private X server (Xvfb) for tests that start the real window with Qt's xcb platform, and
xdotool to find that window and type into it as a person would.

Xvfb picks a free display number itself (``-displayfd``), so parallel runs never collide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("Xvfb", "xdotool")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@contextmanager
def virtual_display(size: str = "1920x1080x24") -> Iterator[str]:
    """Start Xvfb; yield its DISPLAY (":N"); stop it afterwards."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as numbers:
            number = numbers.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def x_environment(display: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of an app on ``display`` with the real xcb platform (not offscreen)."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("QT_", "DISPLAY", "WAYLAND"))}
    environment.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", ENCLAVE_HOME=str(home), **extra)
    return environment


def find_window(display: str, name_pattern: str, app: subprocess.Popen[bytes], *,
                timeout: float = 120.0) -> str:
    """The id of ``app``'s visible window whose title matches ``name_pattern`` (a regex)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"the app exited with {app.returncode} before its window showed")
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name_pattern],
                               capture_output=True, text=True, env={"DISPLAY": display})
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(0.5)
    raise TimeoutError(f"no window called {name_pattern!r} appeared on {display}")


def type_text(display: str, window: str, text: str, *keys: str) -> None:
    """Give ``window`` the keyboard focus, type ``text`` and press ``keys`` (e.g. Return)."""
    environment = {"DISPLAY": display}
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, env=environment)
    # XTEST input to the focused window, as a keyboard would (not --window's synthetic events,
    # which Qt ignores).
    subprocess.run(["xdotool", "type", "--delay", "30", text], check=True, env=environment)
    for key in keys:
        subprocess.run(["xdotool", "key", key], check=True, env=environment)


def window_geometry(display: str, window: str) -> tuple[int, int]:
    """Width and height of ``window`` in pixels."""
    shown = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window],
                           capture_output=True, text=True, check=True, env={"DISPLAY": display})
    values = dict(line.split("=", 1) for line in shown.stdout.split())
    return int(values["WIDTH"]), int(values["HEIGHT"])
