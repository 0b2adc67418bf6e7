from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.privacy.analyzer import PiiAnalyzer
from app.services import Services

NOTE = "Patient Ann Lee, SSN 536-90-4399, MRN: 00451234.\n"


@pytest.fixture
def note(tmp_path: Path, enclave_home: Path, analyzer: PiiAnalyzer,
         monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(Services, "pii_analyzer", lambda self: analyzer)
    path = tmp_path / "note.txt"
    path.write_text(NOTE, encoding="utf-8")
    return path


def test_scan_lists_types_pages_and_scores_without_values(note: Path, capsys) -> None:
    assert main(["scan", str(note)]) == 0
    out = capsys.readouterr().out
    assert "US_SSN" in out and "MEDICAL_RECORD_NUMBER" in out
    assert "536-90-4399" not in out and "Ann Lee" not in out


def test_scan_shows_values_when_asked(note: Path, capsys) -> None:
    assert main(["scan", str(note), "--show"]) == 0
    assert "536-90-4399" in capsys.readouterr().out


def test_redact_writes_the_copy_and_prints_the_summary(note: Path, capsys) -> None:
    out_file = note.with_name("copy.md")
    assert main(["redact", str(note), "--out", str(out_file), "--policy", "masked"]) == 0
    assert "US_SSN: 1" in capsys.readouterr().out
    assert "***-**-****" in out_file.read_text(encoding="utf-8")


def test_unknown_policy_is_a_clean_error(note: Path, capsys) -> None:
    assert main(["redact", str(note), "--policy", "nope"]) == 2
    assert "Unknown privacy policy" in capsys.readouterr().err


def test_missing_file_is_a_clean_error(note: Path, capsys) -> None:
    assert main(["scan", str(note.with_name("absent.pdf"))]) == 2
    assert "No such file" in capsys.readouterr().err
