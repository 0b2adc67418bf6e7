"""A file name holding a newline, a carriage return or an escape sequence is shown on one line,
escaped, in the ingest report, the progress bar, errors and ``docs list`` (through the real
command, embedder and stores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rag.test_crash_and_cli import enclave

EVIL = "line one\nline two\r\x1b[31m.txt"
SHOWN = "line one\\nline two\\r\\x1b[31m.txt"


@pytest.mark.slow
def test_a_name_with_control_characters_stays_on_one_line_everywhere(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "in"
    folder.mkdir()
    (folder / EVIL).write_text("The supplier shall indemnify the client against all claims.")
    (folder / ("empty\n.pdf")).write_bytes(b"")
    result = enclave("ingest", str(folder), "-w", "names", home=home)
    assert result.returncode == 3, result.stderr  # one of the two refused
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines  # one line per file, then the summary
    assert lines[0].startswith("! refused") and "empty\\n.pdf" in lines[0]
    assert lines[0].count("empty\\n.pdf") == 2  # the path and the reason's name
    assert lines[1].startswith("+ indexed") and lines[1].endswith(
        f"{folder}/{SHOWN}  (1 pages, 1 chunks)")
    assert "\x1b" not in result.stdout + result.stderr
    progress = result.stderr.replace("\r", "\n").splitlines()
    assert any(SHOWN[:30] in line for line in progress)
    assert not any(line.startswith("line two") for line in progress)

    listing = enclave("docs", "list", "-w", "names", home=home).stdout.splitlines()
    assert len(listing) == 3, listing  # header, one row, count
    assert listing[1].endswith(f"{folder}/{SHOWN}")

    missing = enclave("docs", "list", "-w", "no\nsuch", home=home)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
