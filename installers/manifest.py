"""The bundle manifest: the sha256 of every file, in ``sha256sum`` format so that the target
machine can check it with coreutils alone (it has no Python)."""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST_NAME = "MANIFEST.sha256"
SIGNATURE_NAME = "MANIFEST.sha256.sig"
PUBLIC_KEY_NAME = "signing-key.pub.pem"
# The manifest cannot list itself, its signature or the key that checks the signature.
NOT_LISTED = frozenset({MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME})
_BLOCK = 4 * 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def payload_files(root: Path) -> list[Path]:
    """Every file under ``root`` but the manifest's own, sorted. Links are allowed only when
    they stay inside the bundle (frozen apps link versioned libraries to each other)."""
    files = []
    resolved_root = root.resolve()
    for path in sorted(root.rglob("*")):
        if path.is_symlink() and not path.resolve().is_relative_to(resolved_root):
            raise ValueError(f"a link points outside the bundle: {path.relative_to(root)}")
        if path.is_file() and path.relative_to(root).as_posix() not in NOT_LISTED:
            files.append(path)
    return files


def manifest_text(root: Path) -> str:
    lines = [f"{sha256_file(path)}  {path.relative_to(root).as_posix()}"
             for path in payload_files(root)]
    return "\n".join(lines) + "\n"


def parse_manifest(text: str) -> dict[str, str]:
    entries = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64:
            raise ValueError(f"manifest line {number} is malformed")
        entries[name] = digest
    return entries


def verify_payload(root: Path, text: str) -> list[str]:
    """Problems found, each naming a file; empty when every file matches the manifest."""
    expected = parse_manifest(text)
    problems = []
    present = {path.relative_to(root).as_posix(): path for path in payload_files(root)}
    for name, digest in expected.items():
        if name not in present:
            problems.append(f"missing: {name}")
        elif sha256_file(present[name]) != digest:
            problems.append(f"checksum mismatch: {name}")
    problems += [f"not in the manifest: {name}" for name in sorted(set(present) - set(expected))]
    return problems
