"""Tesseract for the offline bundle: the program, every library it loads (its ``ldd`` closure)
and the English model, copied into one folder of the frozen app.

The air-gapped desktop need not have the ``tesseract-ocr`` package: the frozen app runs the
bundled program with ``LD_LIBRARY_PATH`` on the bundled libraries and ``TESSDATA_PREFIX`` on the
bundled models (rag.ocr.tesseract.TesseractEngine.locate): ``eng`` reads, ``osd`` tells which
script an unreadable page is in. Only the C runtime (glibc: libc,
libm, the dynamic loader...) stays with the system, as for the rest of the frozen app, whose
floor is already the build machine's glibc: copying it would break on any other glibc.

Layout, under ``_internal/tesseract/``::

    tesseract                 the program
    lib/libtesseract.so.5 ... its libraries, named by soname
    tessdata/eng.traineddata  the English model
    tessdata/osd.traineddata  script and orientation detection
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROGRAM = "tesseract"
LIBRARY_FOLDER = "lib"  # rag.ocr.tesseract.BUNDLED_LIBRARIES
MODEL_FOLDER = "tessdata"
MODEL = "eng.traineddata"
SCRIPT_MODEL = "osd.traineddata"
# glibc's own libraries: always the system's (they must match its dynamic loader).
SYSTEM_RUNTIME = re.compile(
    r"^(ld-linux.*|linux-vdso.*|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl"
    r"|libnsl|libmvec|libBrokenLocale|libnss_\w+|libcrypt)\.so(\.\d+)*$")
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")
_SYSTEM_MODELS = "/usr/share/tesseract-ocr/*/tessdata"


@dataclass(frozen=True)
class CollectedTesseract:
    folder: Path
    program: Path
    libraries: tuple[str, ...]  # sonames copied into lib/
    model: Path
    script_model: Path

    @property
    def library_folder(self) -> Path:
        return self.folder / LIBRARY_FOLDER

    @property
    def model_folder(self) -> Path:
        return self.folder / MODEL_FOLDER


def collect_tesseract(folder: Path, program: Path | None = None,
                      model: Path | None = None) -> CollectedTesseract:
    """Copies the program, its library closure and ``eng.traineddata`` into ``folder``."""
    source = (program or _system_program()).resolve()
    model_source = model or _system_model(MODEL)
    script_source = model_source.with_name(SCRIPT_MODEL)
    (folder / LIBRARY_FOLDER).mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FOLDER).mkdir(exist_ok=True)
    shutil.copy2(source, folder / PROGRAM)
    libraries = library_closure(source)
    for soname, path in libraries.items():
        shutil.copy2(path.resolve(), folder / LIBRARY_FOLDER / soname)  # a file, not a link
    shutil.copyfile(model_source, folder / MODEL_FOLDER / MODEL)
    if not script_source.is_file():
        raise FileNotFoundError(f"{SCRIPT_MODEL} is not beside {model_source}: the bundle needs "
                                "it (Debian: tesseract-ocr-osd)")
    shutil.copyfile(script_source, folder / MODEL_FOLDER / SCRIPT_MODEL)
    return CollectedTesseract(folder, folder / PROGRAM, tuple(sorted(libraries)),
                              folder / MODEL_FOLDER / MODEL, folder / MODEL_FOLDER / SCRIPT_MODEL)


def library_closure(binary: Path) -> dict[str, Path]:
    """soname -> path of every library ``binary`` loads, directly or not, but glibc's own.
    ``ldd`` resolves the whole closure; a library it cannot find stops the build."""
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True,
                            env=_without_library_path()).stdout
    closure: dict[str, Path] = {}
    for line in output.splitlines():
        match = _LDD_LINE.match(line)
        if not match or SYSTEM_RUNTIME.match(match.group(1)):
            continue
        soname, where = match.groups()
        if where == "not found":
            raise FileNotFoundError(f"{binary.name} needs {soname}, which is not installed")
        closure[soname] = Path(where)
    return closure


def _system_program() -> Path:
    found = shutil.which(PROGRAM)
    if found is None:
        raise FileNotFoundError("tesseract-ocr is not installed: the bundle needs the program "
                                "(installers/setup_env.sh installs it)")
    return Path(found)


def _system_model(name: str) -> Path:
    found = sorted(Path("/").glob(f"{_SYSTEM_MODELS.lstrip('/')}/{name}"))
    if not found:
        raise FileNotFoundError("tesseract-ocr-eng is not installed: the bundle needs its "
                                f"{name} (installers/setup_env.sh installs it)")
    return found[-1]


def _without_library_path() -> dict[str, str]:
    """The build's own LD_LIBRARY_PATH must not decide which libraries are collected."""
    return {key: value for key, value in os.environ.items() if key != "LD_LIBRARY_PATH"}
