"""The offline bundle carries the OCR engine: the build's collection step copies the program,
its whole library closure and the English model into one folder, and that folder reads a real
contract page with its own libraries and model (no system model, no system path)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installers import build, freeze_plan
from installers.tesseract_bundle import SYSTEM_RUNTIME, collect_tesseract, library_closure
from rag.ocr import tesseract
from rag.ocr.render import open_pdf, render_page
from rag.ocr.tesseract import TesseractEngine
from tests.conftest import SHARED_DATA

CONTRACT = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"


def _contract_page(path: Path) -> Path:
    pdf = sorted(CONTRACT.glob("*.pdf"))[0]
    image, _ = render_page(open_pdf(pdf.read_bytes(), pdf.name), 0, 300)
    image.save(path)
    return path


def _resolved(program: Path, library_folder: Path) -> dict[str, str]:
    output = subprocess.run(["ldd", str(program)], capture_output=True, text=True, check=True,
                            env={"LD_LIBRARY_PATH": str(library_folder), "PATH": "/usr/bin"})
    pairs = [line.split("=>") for line in output.stdout.splitlines() if "=>" in line]
    return {name.strip(): where.split("(")[0].strip() for name, where in pairs}


def test_the_closure_names_libtesseract_and_leaves_glibc_to_the_system() -> None:
    closure = library_closure(Path(shutil.which("tesseract") or "tesseract"))
    assert any(name.startswith("libtesseract.so") for name in closure)
    assert any(name.startswith("liblept.so") for name in closure)
    assert not [name for name in closure if SYSTEM_RUNTIME.match(name)]
    assert SYSTEM_RUNTIME.match("libc.so.6") and not SYSTEM_RUNTIME.match("libcurl.so.4")


def test_the_frozen_app_does_not_freeze_tesseract_a_second_time() -> None:
    """The collection step owns it: PyInstaller would scatter its libraries in _internal."""
    assert not any("tesseract" in source for source, _ in freeze_plan.extra_binaries())
    assert not any("tesseract" in source for source, _ in freeze_plan.extra_datas())
    assert {"pypdfium2", "pypdfium2_raw"} <= set(freeze_plan.COLLECT_ALL)


@pytest.mark.slow
def test_the_collected_program_reads_a_real_page_with_only_its_own_libraries(
        tmp_path: Path) -> None:
    collected = collect_tesseract(tmp_path / "tesseract")
    resolved = _resolved(collected.program, collected.library_folder)
    outside = {name: where for name, where in resolved.items()
               if not where.startswith(str(collected.folder)) and not SYSTEM_RUNTIME.match(name)}
    assert not outside, f"loaded from the system, not the bundle: {outside}"
    assert resolved["libtesseract.so.5"].startswith(str(collected.library_folder))
    page = _contract_page(tmp_path / "page.png")
    clean = {"LD_LIBRARY_PATH": str(collected.library_folder), "PATH": "/nonexistent",
             "TESSDATA_PREFIX": str(collected.model_folder), "OMP_THREAD_LIMIT": "1"}
    read = subprocess.run([str(collected.program), str(page), "stdout", "-l", "eng"],
                          capture_output=True, text=True, env=clean, timeout=300)
    assert read.returncode == 0, read.stderr
    assert len(read.stdout.split()) > 100 and "Agreement" in read.stdout.replace("AGREEMENT",
                                                                                  "Agreement")


@pytest.mark.slow
def test_the_collected_program_carries_no_network_stack(tmp_path: Path) -> None:
    """libcurl and libarchive are build-time stubs: no TLS, Kerberos, LDAP, SSH or ICU in the
    bundle; a URL is refused, the version still prints and local pages still read (above)."""
    if shutil.which("cc") is None:
        pytest.skip("the stubs need a C compiler at build time")
    collected = collect_tesseract(tmp_path / "tesseract")
    assert set(collected.stubs) == {"libcurl.so.4", "libarchive.so.13"}
    carried = {path.name for path in collected.library_folder.iterdir()}
    for network in ("libgnutls", "libssl", "libcrypto", "libkrb5", "libldap", "libssh2",
                    "libnghttp2", "libicudata", "libxml2"):
        assert not [name for name in carried if name.startswith(network)], network
    assert (collected.library_folder / "libcurl.so.4").stat().st_size < 100_000
    clean = {"LD_LIBRARY_PATH": str(collected.library_folder), "PATH": "/nonexistent",
             "TESSDATA_PREFIX": str(collected.model_folder)}
    url = subprocess.run([str(collected.program), "https://example.com/page.png", "stdout"],
                         capture_output=True, text=True, env=clean, timeout=60)
    assert url.returncode != 0 and "curl_easy_init failed" in url.stderr
    version = subprocess.run([str(collected.program), "--version"], capture_output=True,
                             text=True, env=clean, timeout=60)
    assert version.returncode == 0 and "leptonica" in version.stdout + version.stderr


@pytest.mark.slow
def test_the_build_stages_tesseract_where_the_frozen_engine_finds_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build.stage_tesseract into a stand-in frozen folder, then the engine as the frozen app
    locates it: program, libraries and model from the bundle, never the system's."""
    internal = tmp_path / "app" / "_internal"
    internal.mkdir(parents=True)
    build.stage_tesseract(tmp_path / "app", report=lambda message: None)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("TESSDATA_PREFIX", "/nonexistent")
    engine = TesseractEngine.locate()
    folder = internal / tesseract.BUNDLE_FOLDER
    assert engine.binary == str(folder / "tesseract")
    assert engine.tessdata == folder / "tessdata"
    assert sorted(path.name for path in engine.tessdata.iterdir()) == [
        "eng.traineddata", "osd.traineddata"]
    assert engine.library_path == folder / tesseract.BUNDLED_LIBRARIES
    assert engine._environment()["LD_LIBRARY_PATH"] == str(engine.library_path)
    from PIL import Image

    image = Image.open(_contract_page(tmp_path / "page.png"))
    text = engine.recognise(image, 300).text
    assert len(text.split()) > 100
    assert os.environ["TESSDATA_PREFIX"] == "/nonexistent"  # the engine set its own
