"""Tesseract for the offline bundle: the program, every library it loads (its ``ldd`` closure)
and the English model, copied into one folder of the frozen app.

The air-gapped desktop need not have the ``tesseract-ocr`` package: the frozen app runs the
bundled program with ``LD_LIBRARY_PATH`` on the bundled libraries and ``TESSDATA_PREFIX`` on the
bundled models (rag.ocr.tesseract.TesseractEngine.locate): ``eng`` reads, ``osd`` tells which
script an unreadable page is in. Only the C runtime (glibc: libc,
libm, the dynamic loader...) stays with the system, as for the rest of the frozen app, whose
floor is already the build machine's glibc: copying it would break on any other glibc.

Two libraries are replaced by stubs compiled at build time (``STUBS``): libcurl, which
libtesseract links only to fetch an image given as an http(s) URL, and libarchive, which it
tries before reading a .traineddata file plainly. Enclave gives tesseract local files only, so
neither is ever needed, and their closure (TLS, Kerberos, LDAP, SSH, HTTP/2, libxml2 and ICU's
31 MB of data) stays out of the bundle, along with a network client the app has no use for. The
stubs export the same versioned symbols and fail every call, so tesseract takes its plain-file
path. Without a C compiler the real libraries are copied instead.

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
    r"|libnsl|libmvec|libBrokenLocale|libnss_\w+|libcrypt"
    # The build machine's libstdc++ needs its glibc (2.36 on Debian 12); every minimal Debian
    # and Ubuntu root has its own (installers.freeze_plan.BUILD_HOST_LIBRARIES).
    r"|libstdc\+\+)\.so(\.\d+)*$")
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")
_SYSTEM_MODELS = "/usr/share/tesseract-ocr/*/tessdata"


# soname -> (symbol version or "", C source): every function the program and libtesseract
# import from it (objdump -T), each failing the way its caller expects.
STUBS = {
    "libcurl.so.4": ("CURL_OPENSSL_4", """
#include <stddef.h>
/* Enclave's tesseract reads local files only: no network client in the bundle. */
void *curl_easy_init(void) { return NULL; }
int curl_easy_setopt(void *handle, int option, ...) { return 2; }  /* CURLE_FAILED_INIT */
int curl_easy_perform(void *handle) { return 2; }
void curl_easy_cleanup(void *handle) { }
const char *curl_easy_strerror(int code) { return "no network access in Enclave"; }
const char *curl_version(void) { return "none (Enclave: local files only)"; }
"""),
    "libarchive.so.13": ("", """
#include <stddef.h>
/* No archive support: tesseract then reads its .traineddata files directly. */
void *archive_read_new(void) { return NULL; }
int archive_read_support_filter_all(void *a) { return -30; }  /* ARCHIVE_FATAL */
int archive_read_support_format_all(void *a) { return -30; }
int archive_read_open_filename(void *a, const char *name, size_t block) { return -30; }
int archive_read_next_header(void *a, void **entry) { return -30; }
long archive_read_data(void *a, void *buffer, size_t size) { return -30; }
int archive_read_free(void *a) { return 0; }
const char *archive_entry_pathname(void *entry) { return NULL; }
long archive_entry_size(void *entry) { return 0; }
const char *archive_version_details(void) { return "none (Enclave: plain files only)"; }
"""),
}


@dataclass(frozen=True)
class CollectedTesseract:
    folder: Path
    program: Path
    libraries: tuple[str, ...]  # sonames copied into lib/
    model: Path
    script_model: Path
    stubs: tuple[str, ...] = ()  # sonames in lib/ that are build-time stubs

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
    stubs = build_stubs(folder / LIBRARY_FOLDER)
    libraries = library_closure(source, first=folder / LIBRARY_FOLDER if stubs else None)
    for soname, path in libraries.items():
        if soname not in stubs:
            shutil.copy2(path.resolve(), folder / LIBRARY_FOLDER / soname)  # a file, not a link
    shutil.copyfile(model_source, folder / MODEL_FOLDER / MODEL)
    if not script_source.is_file():
        raise FileNotFoundError(f"{SCRIPT_MODEL} is not beside {model_source}: the bundle needs "
                                "it (Debian: tesseract-ocr-osd)")
    shutil.copyfile(script_source, folder / MODEL_FOLDER / SCRIPT_MODEL)
    return CollectedTesseract(folder, folder / PROGRAM, tuple(sorted(libraries)),
                              folder / MODEL_FOLDER / MODEL, folder / MODEL_FOLDER / SCRIPT_MODEL,
                              tuple(sorted(stubs)))


def build_stubs(folder: Path) -> set[str]:
    """Compiles ``STUBS`` into ``folder``; the sonames made (none without a C compiler)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return set()
    folder.mkdir(parents=True, exist_ok=True)
    made = set()
    for soname, (version, source) in STUBS.items():
        work = folder / f".{soname}"
        work.mkdir(exist_ok=True)
        (work / "stub.c").write_text(source, encoding="utf-8")
        command = [compiler, "-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{soname}",
                   "-o", str(folder / soname), str(work / "stub.c")]
        if version:
            (work / "version.map").write_text(f"{version} {{ global: *; }};\n", encoding="utf-8")
            command.insert(-1, f"-Wl,--version-script={work / 'version.map'}")
        subprocess.run(command, check=True, capture_output=True)
        shutil.rmtree(work)
        made.add(soname)
    return made


def library_closure(binary: Path, first: Path | None = None) -> dict[str, Path]:
    """soname -> path of every library ``binary`` loads, directly or not, but glibc's own,
    looking in ``first`` before the system. ``ldd`` resolves the whole closure; a library it
    cannot find stops the build."""
    environment = _without_library_path()
    if first is not None:
        environment["LD_LIBRARY_PATH"] = str(first)
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True,
                            env=environment).stdout
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
