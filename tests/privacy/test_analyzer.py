"""The analyzer on bad and awkward input: nothing crashes, offsets stay right."""

from __future__ import annotations

import random

import pytest

from app.privacy.analyzer import PiiAnalyzer, clean_for_analysis, split_text
from core.errors import Cancelled

SSN = "536-90-4399"


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\x00\x01\x02"])
def test_empty_or_blank_text_has_no_findings(analyzer: PiiAnalyzer, text: str) -> None:
    assert analyzer.analyze(text) == []


def test_text_without_personal_data_has_no_findings(analyzer: PiiAnalyzer) -> None:
    text = "The parties agree that the goods shall be delivered in good condition. " * 20
    assert analyzer.analyze(text) == []


def test_text_beyond_spacys_limit_is_split_with_offsets_kept(analyzer: PiiAnalyzer) -> None:
    filler = "\n" * 1_100_000
    text = f"SSN {SSN}{filler}SSN {SSN} and mail ann@example.com"
    findings = analyzer.analyze(text)
    values = [(f.entity_type, text[f.start:f.end]) for f in findings]
    assert values == [("US_SSN", SSN), ("US_SSN", SSN), ("EMAIL_ADDRESS", "ann@example.com")]
    assert findings[1].start > 1_000_000


def test_long_prose_is_analysed_in_pieces_with_right_offsets(analyzer: PiiAnalyzer) -> None:
    text = "".join(f"Payment {n} was made by card 4539 1488 0343 6467 on request. "
                   for n in range(400))
    findings = [f for f in analyzer.analyze(text) if f.entity_type == "CREDIT_CARD"]
    assert len(findings) == 400
    assert {text[f.start:f.end] for f in findings} == {"4539 1488 0343 6467"}


def test_non_english_text_does_not_crash(analyzer: PiiAnalyzer) -> None:
    text = ("Herr Müller wohnt in der Hauptstraße 5, 10115 Berlin. 电话：138-0013-8000。"
            "مرحبا بالعالم")
    for finding in analyzer.analyze(text):
        assert 0 <= finding.start < finding.end <= len(text)


def test_binary_looking_text_does_not_crash(analyzer: PiiAnalyzer) -> None:
    noise = bytes(random.Random(4).randrange(256) for _ in range(20_000)).decode("latin-1")
    findings = analyzer.analyze(noise + f" SSN {SSN}")
    assert ("US_SSN", SSN) in {(f.entity_type, (noise + f" SSN {SSN}")[f.start:f.end])
                               for f in findings}


def test_cancel_stops_the_analysis(analyzer: PiiAnalyzer) -> None:
    with pytest.raises(Cancelled):
        analyzer.analyze("word " * 20_000, cancel=lambda: True)


def test_progress_reaches_the_end(analyzer: PiiAnalyzer) -> None:
    seen: list[float] = []
    analyzer.analyze("word " * 3_000, progress=lambda fraction, _: seen.append(fraction))
    assert seen and seen[-1] == 1.0


def test_worker_processes_find_the_same_as_one_process(analyzer: PiiAnalyzer) -> None:
    texts = [f"Mail {n}@example.com or call (212) 555-01{n:02d}. SSN {SSN}." for n in range(6)]
    assert analyzer.analyze_many(texts, workers=2) == analyzer.analyze_many(texts)


@pytest.mark.parametrize("size", [10, 100, 5000])
def test_split_text_pieces_rebuild_the_text(size: int) -> None:
    text = ("Lorem ipsum dolor sit amet.\n\nConsectetur, adipiscing elit; " * 300)[:12_345]
    pieces = split_text(text, size)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= size for _, piece in pieces)


def test_spans_without_letters_or_digits_are_not_findings(analyzer: PiiAnalyzer) -> None:
    text = "renewed for additional periods of **** (each, a Renewal Term) on ****."
    assert all(any(c.isalnum() for c in text[f.start:f.end]) for f in analyzer.analyze(text))


def test_cleaning_keeps_offsets() -> None:
    text = "a\x00b\x07c\nd"
    assert len(clean_for_analysis(text)) == len(text)
    assert clean_for_analysis(text) == "a b c\nd"


def test_a_name_found_once_is_found_everywhere(analyzer: PiiAnalyzer) -> None:
    text = "Dear Mr. Halldor Arnthorsson, thank you. Arnthorsson will call back."
    values = {text[f.start:f.end] for f in analyzer.analyze(text) if f.entity_type == "PERSON"}
    assert {"Halldor Arnthorsson", "Arnthorsson"} <= values
