"""The installer names the system libraries the window needs before it reports success.

The list comes from ``ldd`` on Qt's real xcb plugin at build time (tested here on the plugin in
this virtual environment); the install-time check runs install.sh on a stand-in bundle (see
test_bundle) with the system's linker cache, and with a linker cache that hides two libraries.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import installers.build as build_module
from installers.system_libraries import (
    REQUIREMENTS_FILE,
    SystemLibrary,
    find_xcb_plugin,
    xcb_system_libraries,
)
from tests.installers.test_bundle import keys, make_bundle, small_models  # noqa: F401 (fixtures)

XCB_ONLY_LIBRARIES = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
HIDDEN = ("libxcb-cursor.so.0", "libxcb-icccm.so.4")
REQUIRED = [SystemLibrary("libc.so.6", "libc6"),
            SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0"),
            SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4")]
PRESENT_EVERYWHERE = [SystemLibrary("libc.so.6", "libc6"), SystemLibrary("libm.so.6", "libc6")]


def _pyside_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent


def _can_unshare() -> bool:
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(not _can_unshare(), reason="needs user network namespaces")


def test_the_real_xcb_plugin_needs_the_libraries_a_fresh_debian_lacks() -> None:
    found = {library.soname: library for library in xcb_system_libraries(_pyside_dir())}
    assert set(found) >= XCB_ONLY_LIBRARIES
    assert not [name for name in found if name.startswith("libQt6")], "Qt ships in the bundle"
    if find_xcb_plugin(_pyside_dir()) and Path("/usr/bin/dpkg").exists():
        assert found["libxcb-cursor.so.0"].package in ("libxcb-cursor0", "-")


def fake_linker_cache(folder: Path, hidden: tuple[str, ...]) -> Path:
    """An ``ldconfig`` first on PATH that lists the real cache minus ``hidden``."""
    folder.mkdir()
    pattern = "|".join(name.replace(".", "\\.") for name in hidden)
    script = folder / "ldconfig"
    script.write_text(f"#!/bin/sh\nPATH=/usr/sbin:/sbin:$PATH ldconfig -p | "
                      f"grep -Ev '^[[:space:]]+({pattern}) '\n")
    script.chmod(0o755)
    return folder


def install(bundle: Path, home: Path, *, path: str = "/usr/bin:/bin",
            args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    command = ["unshare", "-rn", "env", "-i", f"HOME={home}", f"PATH={path}",
               "bash", str(bundle / "install.sh"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def bundle_needing(tmp_path: Path, key: Path, monkeypatch: pytest.MonkeyPatch,
                   libraries: list[SystemLibrary]) -> Path:
    monkeypatch.setattr(build_module, "xcb_system_libraries", lambda app_dir: libraries)
    bundle = make_bundle(tmp_path, key, "1.0.0")
    listed = (bundle / "payload/share" / REQUIREMENTS_FILE).read_text()
    assert all(f"{library.soname} {library.package}" in listed for library in libraries)
    return bundle


@needs_namespaces
def test_install_checks_the_window_libraries_and_succeeds_when_present(
        tmp_path: Path, keys, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    bundle = bundle_needing(tmp_path, keys[0], monkeypatch, PRESENT_EVERYWHERE)
    result = install(bundle, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "system libraries for the window: all present" in result.stdout


@needs_namespaces
def test_missing_window_libraries_are_named_and_nothing_is_installed(
        tmp_path: Path, keys, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    bundle = bundle_needing(tmp_path, keys[0], monkeypatch, REQUIRED)
    fake = fake_linker_cache(tmp_path / "fake-bin", HIDDEN)
    result = install(bundle, tmp_path, path=f"{fake}:/usr/bin:/bin")
    assert result.returncode == 1
    message = result.stderr
    assert "libxcb-cursor.so.0 libxcb-icccm.so.4;" in message, message
    assert "apt-get install libxcb-cursor0 libxcb-icccm4;" in message
    assert "install-debs.sh libxcb-cursor0 libxcb-icccm4)" in message  # the air-gapped way
    assert "libc.so.6" not in message and "installed in" not in result.stdout
    assert not (tmp_path / ".local/lib/enclave").exists()
    assert not (tmp_path / ".local/bin/enclave").exists()


@needs_namespaces
def test_missing_window_libraries_can_be_accepted_for_command_line_use(
        tmp_path: Path, keys, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    bundle = bundle_needing(tmp_path, keys[0], monkeypatch, REQUIRED)
    fake = fake_linker_cache(tmp_path / "fake-bin", HIDDEN)
    result = install(bundle, tmp_path, path=f"{fake}:/usr/bin:/bin",
                     args=("--skip-window-check",))
    assert result.returncode == 0, result.stderr
    assert "WARNING: the window will not start" in result.stdout
    assert "libxcb-cursor.so.0 libxcb-icccm.so.4" in result.stdout


@needs_namespaces
def test_a_system_with_no_font_is_told_to_install_one(
        tmp_path: Path, keys, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Qt carries no font: with every system font folder empty (empty tmpfs mounted over them
    in a private mount namespace) the real install.sh names fonts-dejavu-core, online and
    offline, and installs nothing; with the fonts back it installs."""
    bundle = bundle_needing(tmp_path, keys[0], monkeypatch, PRESENT_EVERYWHERE)
    hide_fonts = ("for folder in /usr/share/fonts /usr/local/share/fonts; do "
                  "[ -d $folder ] && mount -t tmpfs none $folder; done; exec \"$@\"")
    command = ["unshare", "-rnm", "sh", "-c", hide_fonts, "hide-fonts", "env", "-i",
               f"HOME={tmp_path}", "PATH=/usr/bin:/bin", "bash", str(bundle / "install.sh")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "missing: a font (none in /usr/share/fonts)" in result.stderr, result.stderr
    assert "sudo apt-get install fonts-dejavu-core;" in result.stderr
    assert "install-debs.sh fonts-dejavu-core)" in result.stderr
    assert not (tmp_path / ".local/bin/enclave").exists()
    assert install(bundle, tmp_path).returncode == 0
