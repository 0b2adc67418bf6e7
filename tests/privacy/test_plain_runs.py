"""Middles of long runs of plain lower-case words blanked before NER."""

from __future__ import annotations

from spacy.tokens import Span

from app.privacy.analyzer import PiiAnalyzer, cut_at_blanks
from app.privacy.plain_runs import MARGIN, blank_plain_runs
from tests.bench.bench_pii import contract_texts

PROSE = ("The Licensee shall not, without the prior written consent of the licensor, assign or "
         "transfer this agreement or any of its rights hereunder to any third party, and any "
         "such attempt shall be void. Signed by Ann Lee in Boston on March 3, 2021.")


def test_the_middle_of_a_long_run_becomes_spaces_and_offsets_stay() -> None:
    blanked = blank_plain_runs(PROSE)
    assert len(blanked) == len(PROSE)
    assert "Licensee shall not, without the" in blanked  # the run's first MARGIN words stay
    assert "assign or transfer" not in blanked
    assert " attempt shall be void. Signed by Ann Lee in Boston on March 3, 2021." in blanked
    for original, kept in zip(PROSE, blanked, strict=True):
        assert kept in (original, " ")


def test_capitals_digits_and_short_runs_end_or_keep_a_run() -> None:
    short = " ".join(["word"] * (2 * MARGIN + 2))
    assert blank_plain_runs("Ann " + short + " Lee") == "Ann " + short + " Lee"
    broken = "alpha beta gamma delta Epsilon zeta eta theta iota kappa lambda mu nu xi"
    assert blank_plain_runs(broken) == broken
    hyphens = "Then " + "-".join(["well"] * 30) + " End"
    assert blank_plain_runs(hyphens) == hyphens


def test_a_text_without_capitals_is_left_alone() -> None:
    chat = "so i talked to codey m ross yesterday and he said the whole thing was fine by him"
    assert blank_plain_runs(chat) == chat


def test_a_contract_has_the_same_findings_with_fewer_tokens(analyzer: PiiAnalyzer) -> None:
    contract = contract_texts(1)[0]
    everything = PiiAnalyzer(analyzer.engine, skip_plain=False)
    assert analyzer.analyze(contract) == everything.analyze(contract)
    tokens = len(analyzer.nlp.make_doc(contract))
    assert len(analyzer.nlp.make_doc(blank_plain_runs(contract))) < 0.9 * tokens


def test_an_entity_ends_before_the_first_blanked_token(analyzer: PiiAnalyzer) -> None:
    text = "Acme Corp will pay on the last day of the month"
    masked = text.replace("pay on the", "          ")
    doc = analyzer.nlp.make_doc(masked)
    doc.set_ents([Span(doc, 0, len(doc), label="ORG")], default="outside")
    cut_at_blanks(doc, text, masked)
    assert [(e.text, e.label_) for e in doc.ents] == [("Acme Corp will", "ORG")]
    starts_blank = analyzer.nlp.make_doc(masked)
    starts_blank.set_ents([Span(starts_blank, 3, 5, label="DATE")], default="outside")
    cut_at_blanks(starts_blank, text, masked)
    assert list(starts_blank.ents) == []
