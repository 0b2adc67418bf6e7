"""The system libraries the bundled window needs, listed at build time for install.sh to check.

The frozen app carries Qt, but Qt's xcb platform plugin (the real window on Linux) also links
against system libraries that the bundle does not carry and that a fresh desktop image may lack
(libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1 on Debian 12). ``ldd`` on the bundled plugin,
resolved the way the frozen app resolves it, gives every library that comes from the system;
``dpkg -S`` names the package that provides each one on the build machine, so the installer can
say exactly what to install. install.sh refuses to report success while any is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REQUIREMENTS_FILE = "system-libraries.txt"
XCB_PLUGIN = "libqxcb.so"
UNKNOWN_PACKAGE = "-"
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    package: str = UNKNOWN_PACKAGE  # the Debian package that provides it, when known


def find_xcb_plugin(app_dir: Path) -> Path | None:
    return next(iter(sorted(app_dir.rglob(f"platforms/{XCB_PLUGIN}"))), None)


def xcb_system_libraries(app_dir: Path) -> list[SystemLibrary]:
    """Every library Qt's xcb plugin under ``app_dir`` loads from outside ``app_dir``."""
    plugin = find_xcb_plugin(app_dir)
    if plugin is None:
        return []
    resolved = _ldd(plugin, search_dirs=[app_dir / "_internal", app_dir])
    outside = {soname: path for soname, path in resolved.items()
               if path is None or not _is_inside(path, app_dir)}
    return [SystemLibrary(soname, _package_of(path)) for soname, path in sorted(outside.items())]


def _ldd(binary: Path, *, search_dirs: list[Path]) -> dict[str, Path | None]:
    """soname -> resolved path (None when not found), as the frozen app's loader sees it."""
    environment = dict(os.environ)
    environment["LD_LIBRARY_PATH"] = os.pathsep.join(str(d) for d in search_dirs if d.is_dir())
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True,
                            env=environment).stdout
    found: dict[str, Path | None] = {}
    for line in output.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            soname, where = match.groups()
            found[soname] = None if where == "not found" else Path(where)
    return found


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _package_of(path: Path | None) -> str:
    if path is None or shutil.which("dpkg") is None:
        return UNKNOWN_PACKAGE
    for candidate in (path, path.resolve()):
        answer = subprocess.run(["dpkg", "-S", str(candidate)], capture_output=True, text=True)
        if answer.returncode == 0 and ":" in answer.stdout:
            return answer.stdout.split(":", 1)[0].strip()
    return UNKNOWN_PACKAGE


def requirements_text(libraries: list[SystemLibrary]) -> str:
    header = ("# Libraries Qt's xcb platform plugin loads from the system: soname, then the "
              "Debian package providing it\n")
    return header + "".join(f"{library.soname} {library.package}\n" for library in libraries)


def write_requirements(share_dir: Path, libraries: list[SystemLibrary]) -> Path:
    target = share_dir / REQUIREMENTS_FILE
    target.write_text(requirements_text(libraries), encoding="utf-8")
    return target
