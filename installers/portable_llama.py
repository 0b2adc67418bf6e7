"""The offline bundle's llama-cpp-python: one CPU backend per x86-64 level, picked at run time.

    python -m installers.portable_llama --sdist llama_cpp_python-X.tar.gz --cache .cache/portable

ggml's ``GGML_CPU_ALL_VARIANTS`` compiles the whole CPU backend 14 times (about 100 minutes on two
busy cores) and offers no CMake option to choose. We unpack the pinned sdist, keep only the
variants in ``VARIANTS`` in ggml/src/CMakeLists.txt, and build the wheel from that tree. The
wheel is cached under a key made of the version, the variants and the CMake arguments, so a
second build reuses it.

Why these three (ggml's own names; ggml picks the best one the CPU supports when it starts):
- ``sse42``: x86-64-v2, the floor of the bundle anyway (numpy needs SSE4.2 and POPCNT). Every
  desktop since 2009, and the Pentium and Celeron parts sold until about 2020 without AVX.
- ``haswell``: x86-64-v3 (AVX2, FMA, F16C, BMI2): Intel since 2013, AMD since 2015 (Excavator,
  every Zen). The path almost every desktop in use takes.
- ``skylakex``: x86-64-v4 (AVX-512): Intel's AVX-512 desktops and workstations, AMD Zen 4/5.
Dropped: ``x64`` (below numpy's floor, so the bundle cannot start there at all); ``sandybridge``,
``ivybridge`` and ``piledriver`` (AVX without AVX2: 2011-2014 parts, which get ``sse42``); the
AVX-512 refinements (``cannonlake`` ... ``sapphirerapids``: VBMI/VNNI/BF16/AMX, mostly server
parts, which get ``skylakex``); ``alderlake`` (AVX-VNNI on v3, which gets ``haswell``). LLAVA
(the multimodal library) and llama.cpp's "common" library, never loaded by Enclave, are not
built either.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

VARIANTS = ("sse42", "haswell", "skylakex")
CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_BACKEND_DL=ON",
    "-DLLAMA_BUILD_TOOLS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_SERVER=OFF", "-DLLAVA_BUILD=OFF",
)
GGML_CMAKE = Path("vendor/llama.cpp/ggml/src/CMakeLists.txt")
PACKAGE_CMAKE = Path("CMakeLists.txt")
# llama-cpp-python forces llama.cpp's "common" library on, which only its multimodal library
# (LLAVA, off here) and the tools use: 29 more C++ files for nothing. Part of the cache key.
COMMON_FORCED = 'set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'
COMMON_OFF = 'set(LLAMA_BUILD_COMMON OFF CACHE BOOL "Build llama.cpp common library" FORCE)'
PATCHES = "variants+no-common"
_VARIANT_LINE = re.compile(r"^\s*ggml_add_cpu_backend_variant\((\w+)[^)]*\)\s*$")


class PortableBuildError(RuntimeError):
    pass


def cache_key(version: str, variants: tuple[str, ...] = VARIANTS,
              cmake_args: tuple[str, ...] = CMAKE_ARGS) -> str:
    digest = hashlib.sha256("\n".join((PATCHES, *variants, *cmake_args)).encode()).hexdigest()[:12]
    return f"{version}-{'-'.join(variants)}-{digest}"


def restrict_variants(text: str, keep: tuple[str, ...]) -> str:
    """ggml/src/CMakeLists.txt with only the x86 CPU variants in ``keep``; other architectures'
    lists are left alone. Fails if a kept variant is not in the file (a renamed variant in a
    newer llama.cpp must not silently build nothing)."""
    out, in_x86, seen = [], False, []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("if (GGML_SYSTEM_ARCH STREQUAL \"x86\")"):
            in_x86 = True
        elif in_x86 and stripped.startswith("elseif") and "GGML_SYSTEM_ARCH" in stripped:
            in_x86 = False
        match = _VARIANT_LINE.match(line) if in_x86 else None
        if match:
            seen.append(match.group(1))
            if match.group(1) not in keep:
                continue
        out.append(line)
    missing = [name for name in keep if name not in seen]
    if not seen or missing:
        raise PortableBuildError(
            f"ggml's x86 CPU variant list has changed: wanted {', '.join(keep)}, "
            f"found {', '.join(seen) or 'none'}; update installers/portable_llama.VARIANTS")
    return "".join(out)


def without_common(text: str) -> str:
    """llama-cpp-python's CMakeLists.txt with llama.cpp's common library left out."""
    if COMMON_FORCED not in text:
        raise PortableBuildError("llama-cpp-python no longer forces LLAMA_BUILD_COMMON the way "
                                 "installers/portable_llama.py expects; update COMMON_FORCED")
    return text.replace(COMMON_FORCED, COMMON_OFF, 1)


def sdist_version(sdist: Path) -> str:
    match = re.match(r"llama_cpp_python-(.+)\.tar\.gz$", sdist.name)
    if not match:
        raise PortableBuildError(f"not a llama-cpp-python sdist: {sdist.name}")
    return match.group(1)


def cached_wheel(cache: Path, version: str) -> Path | None:
    wheels = sorted((cache / cache_key(version)).glob("llama_cpp_python-*.whl"))
    return wheels[0] if wheels else None


def build_wheel(sdist: Path, cache: Path, python: str = sys.executable, jobs: int = 2) -> Path:
    """The cached wheel for ``sdist``, built first if it is not there yet.

    The source and the CMake build tree live in ``cache/work-KEY`` until the wheel is made, so
    an interrupted build resumes where it stopped (ninja recompiles only what is missing)."""
    version = sdist_version(sdist)
    found = cached_wheel(cache, version)
    if found:
        return found
    key = cache_key(version)
    work = (cache / f"work-{key}").resolve()
    tree = work / f"llama_cpp_python-{version}"
    if not (work / ".patched").is_file():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        with tarfile.open(sdist) as tar:
            tar.extractall(work, filter="data")
        cmake = tree / GGML_CMAKE
        cmake.write_text(restrict_variants(cmake.read_text(), VARIANTS))
        package = tree / PACKAGE_CMAKE
        package.write_text(without_common(package.read_text()))
        (work / ".patched").touch()
    wheel = compile_wheel(tree, work / "build", work / "wheel", python, jobs)
    target = cache / key
    target.mkdir(parents=True, exist_ok=True)
    partial = target / (wheel.name + ".part")
    shutil.copyfile(wheel, partial)
    partial.rename(target / wheel.name)
    shutil.rmtree(work)
    return target / wheel.name


def compile_wheel(tree: Path, build_dir: Path, out: Path, python: str, jobs: int) -> Path:
    env = {**os.environ, "CMAKE_ARGS": " ".join(CMAKE_ARGS),
           "CMAKE_BUILD_PARALLEL_LEVEL": str(jobs)}
    subprocess.run([python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-cache-dir",
                    f"--config-settings=build-dir={build_dir}", "-w", str(out), str(tree)],
                   check=True, env=env)
    return next(out.glob("llama_cpp_python-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installers.portable_llama")
    parser.add_argument("--sdist", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(build_wheel(args.sdist, args.cache, jobs=args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
