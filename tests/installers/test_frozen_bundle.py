"""The real offline installer: install the frozen bundle with no network and no build tools.

Slow (the bundle takes long to build), so it runs when ENCLAVE_BUNDLE names a built archive:
``make installer-test`` builds one and runs this file. Installing runs the bundle's self-test
(doctor, ingest, ask, redact) inside a network namespace with an empty environment, far from
this repository's virtual environment.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

ARCHIVE = os.environ.get("ENCLAVE_BUNDLE")
pytestmark = pytest.mark.skipif(not ARCHIVE, reason="set ENCLAVE_BUNDLE (make installer-test)")


def offline(home: Path, *command: str) -> subprocess.CompletedProcess:
    isolated = ["unshare", "-rn", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", *command]
    return subprocess.run(isolated, capture_output=True, text=True, timeout=1800, cwd=home)


def _unpacked(tmp_path: Path) -> tuple[Path, Path]:
    """The archive unpacked as from removable media, and an empty home to install into."""
    assert ARCHIVE is not None
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(tmp_path / "media", filter="tar")
    home = tmp_path / "home"
    home.mkdir()
    return next((tmp_path / "media").iterdir()), home

def test_frozen_bundle_installs_and_passes_its_self_test_offline(tmp_path: Path) -> None:
    bundle, home = _unpacked(tmp_path)
    started = time.perf_counter()
    installed = offline(home, "bash", str(bundle / "install.sh"))
    print(f"install took {time.perf_counter() - started:.0f} s\n{installed.stdout}")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    doctor = offline(home, str(home / ".local/bin/enclave"), "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "Egress guard: on, 0 blocked attempts" in doctor.stdout
    # The embedder runs from its ONNX exports and the package's tokenizer; the package's own
    # weights are left out of the bundle (installers.freeze_plan.NEVER_LOADED).
    assert "Embedding model: all-MiniLM-L6-v2 tokenizer" in doctor.stdout
    assert "fp32 OK, int8 OK" in doctor.stdout
    assert not list(home.glob(".local/lib/enclave/**/model.safetensors"))


def test_frozen_bundle_lists_and_finds_what_its_window_needs(tmp_path: Path) -> None:
    """Each library Qt's xcb plugin needs is either carried in the bundle or named in the
    system-library list install.sh checks; installed, its real window opens on an X server
    (Xvfb, xcb platform) from inside a network namespace."""
    from tests.xdisplay import find_window, missing_tools, virtual_display

    assert ARCHIVE is not None
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(tmp_path / "media", filter="tar")
    bundle = next((tmp_path / "media").iterdir())
    listed = {line.split()[0] for line in
              (bundle / "payload/share/system-libraries.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    carried = {path.name for path in (bundle / "payload" / "app").rglob("*.so*")}
    plugin = next((bundle / "payload" / "app").rglob("platforms/libqxcb.so"))
    needed = needed_sonames(plugin)
    assert {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb.so.1", "libGL.so.1"} <= needed
    neither = sorted(needed - listed - carried)
    assert not neither, f"neither carried nor listed for install.sh: {neither}"
    if missing_tools():
        pytest.skip(f"needs {', '.join(missing_tools())} to open the window")
    home = tmp_path / "home"
    home.mkdir()
    assert offline(home, "bash", str(bundle / "install.sh")).returncode == 0
    with virtual_display() as display:
        window = subprocess.Popen(
            ["unshare", "-rn", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin",
             f"DISPLAY={display}", "QT_QPA_PLATFORM=xcb", str(home / ".local/bin/enclave"), "gui"],
            cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert find_window(display, "Enclave$", window, timeout=300)
        finally:
            window.terminate()
            window.wait(timeout=60)


def needed_sonames(library: Path) -> set[str]:
    """The sonames ``library`` needs, directly and through what it needs (ldd), by name."""
    output = subprocess.run(["ldd", str(library)], capture_output=True, text=True,
                            check=True).stdout
    return {line.split()[0] for line in output.splitlines()
            if ".so" in line.split()[0] and not line.split()[0].startswith(("linux-vdso", "/"))}


def test_frozen_bundle_with_a_tampered_library_is_refused(tmp_path: Path) -> None:
    assert ARCHIVE is not None
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(tmp_path / "media", filter="tar")
    bundle = next((tmp_path / "media").iterdir())
    victim = next((bundle / "payload" / "app").rglob("libllama*.so*"))
    victim.write_bytes(victim.read_bytes() + b"\0")
    result = offline(tmp_path, "bash", str(bundle / "install.sh"))
    assert result.returncode == 1
    assert str(victim.relative_to(bundle)) in result.stderr


def test_frozen_bundle_reads_a_scan_with_its_own_tesseract(tmp_path: Path) -> None:
    """OCR at the air-gapped site: the installed app carries the program, its libraries and
    the models, and reads an image-only PDF offline with an empty environment."""
    from tests.ocr.scans import write_scanned_pdf

    bundle, home = _unpacked(tmp_path)
    assert offline(home, "bash", str(bundle / "install.sh")).returncode == 0
    programs = sorted(home.glob(".local/lib/enclave/**/_internal/tesseract/tesseract"))
    assert programs, "the installed app carries no tesseract"
    program = programs[0]
    assert (program.parent / "lib" / "libtesseract.so.5").is_file()
    assert {p.name for p in (program.parent / "tessdata").iterdir()} >= {
        "eng.traineddata", "osd.traineddata"}
    scan = write_scanned_pdf(home / "referral.pdf", ["Referral for a cardiology review."])
    ingested = offline(home, str(home / ".local/bin/enclave"), "ingest", str(scan),
                       "--workspace", "Scans")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "read by OCR: 1 page(s)" in ingested.stdout
