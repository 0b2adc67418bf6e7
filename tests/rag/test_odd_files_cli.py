"""Odd files through the real ``enclave ingest`` (real embedder and stores): a name that is not
UTF-8, a symbolic link that loops, one that leads nowhere; and the exit status rule that
``enclave ingest --help`` documents (0 all stored or unchanged, 3 some refused, 1 none)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.rag.test_crash_and_cli import enclave

TEXT = "The supplier shall indemnify the client against all third-party claims."


def _odd_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9 notes.txt"), "wb") as stream:
        stream.write(TEXT.encode() + b" Latin-1.")
    (folder / "loop").symlink_to("loop")
    (folder / "dangling").symlink_to("nowhere.txt")
    return folder


@pytest.mark.slow
def test_odd_names_and_links_are_refused_plainly_and_the_exit_status_says_so(
        tmp_path: Path) -> None:
    home, folder = tmp_path / "home", _odd_folder(tmp_path)
    result = enclave("ingest", str(folder), "-w", "odd", home=home)
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("! refused") and "[name not UTF-8]" in line
               and "caf\\xe9 notes.txt" in line and "rename the file" in line
               for line in lines), lines
    assert any("[symlink loop]" in line and "loops back on itself" in line for line in lines)
    assert any("[broken link]" in line and "nowhere.txt, which does not exist" in line
               for line in lines)
    assert "1 indexed, 3 refused" in lines[-1]
    assert "Traceback" not in result.stderr and "TypeError" not in result.stdout
    logs = "".join(path.read_text(errors="replace") for path in (home / "logs").glob("*"))
    assert "Logging error" not in result.stderr + logs

    only_refused = enclave("ingest", str(folder / "loop"), "-w", "odd", home=home)
    assert only_refused.returncode == 1 and "[symlink loop]" in only_refused.stdout
    unchanged = enclave("ingest", str(folder / "good.txt"), "-w", "odd", home=home)
    assert unchanged.returncode == 0 and "1 unchanged" in unchanged.stdout


def test_ingest_help_documents_the_exit_status(tmp_path: Path) -> None:
    result = enclave("ingest", "--help", home=tmp_path / "home", timeout=120)
    assert result.returncode == 0
    assert "exit status:" in result.stdout
    for line in ("0  every file indexed", "3  some files refused", "1  nothing stored"):
        assert line in result.stdout
