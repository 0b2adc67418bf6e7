"""Windowed NER, batching and the OpenBLAS NER, through the real Presidio and spaCy."""

from __future__ import annotations

import random
from typing import Any

import spacy

from app.privacy.analyzer import PiiAnalyzer, split_text
from app.privacy.nlp import SPACY_MODEL, UNUSED_COMPONENTS

SSN = "536-90-4399"
PARAGRAPHS = [
    "Dr. Margaret Holloway of Boston, Massachusetts signed the lease on March 3, 2021.",
    "Please call Ravi Shankar on (617) 555-0134 or write to ravi.shankar@example.org.",
    "The patient, Ms. Elena Petrova, was born on 12/04/1987; her SSN is 536-90-4399.",
    "Payment was made by card 4539 1488 0343 6467 from the account of Tomás Álvarez.",
    "The parties agree that the goods shall be delivered in good condition and on time.",
]


def _document(paragraphs: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "\n\n".join(rng.choice(PARAGRAPHS) for _ in range(paragraphs))


def _narrow(analyzer: PiiAnalyzer, **sizes: Any) -> PiiAnalyzer:
    """Another analyzer on the same loaded engine with other window or batch sizes."""
    return PiiAnalyzer(analyzer.engine, **sizes)


def test_a_document_is_cut_into_windows_at_paragraph_breaks() -> None:
    text = _document(400)
    windows = split_text(text, 5_000)
    assert len(windows) > 5
    assert "".join(window for _, window in windows) == text
    assert all(window.endswith("\n\n") for _, window in windows[:-1])


def test_findings_in_later_windows_keep_their_offsets_in_the_document(
        analyzer: PiiAnalyzer) -> None:
    text = _document(60)
    narrow = _narrow(analyzer, window_chars=1_000)
    assert len(split_text(text, 1_000)) > 4
    findings = narrow.analyze(text)
    ssns = [f for f in findings if f.entity_type == "US_SSN"]
    assert ssns and {text[f.start:f.end] for f in ssns} == {SSN}
    assert [f.start for f in ssns] == [i for i in range(len(text)) if text.startswith(SSN, i)]
    people = {text[f.start:f.end] for f in findings if f.entity_type == "PERSON"}
    assert {"Margaret Holloway", "Ravi Shankar", "Elena Petrova"} <= people


def test_small_and_large_windows_find_the_same_in_paragraphed_text(
        analyzer: PiiAnalyzer) -> None:
    """Windows are cut at paragraph breaks, so their size changes nothing NER can read."""
    text = _document(60, seed=3)
    assert _narrow(analyzer, window_chars=1_000).analyze(text) == analyzer.analyze(text)


def test_batched_texts_find_what_each_text_finds_alone(analyzer: PiiAnalyzer) -> None:
    texts = [*PARAGRAPHS, _document(30), "", "Ann Lee, SSN 536-90-4399.", *PARAGRAPHS[::-1]]
    small_batches = _narrow(analyzer, batch_chars=200)
    together = small_batches.analyze_many(texts)
    assert together == [analyzer.analyze(text) for text in texts]
    assert together == analyzer.analyze_many(texts)


def test_ner_on_openblas_finds_the_same_entities_as_spacys_default(
        analyzer: PiiAnalyzer) -> None:
    ours_nlp = analyzer.nlp
    default = spacy.load(SPACY_MODEL, exclude=list(UNUSED_COMPONENTS))
    assert all(not node.ops.use_blis for node in ours_nlp.get_pipe("ner").model.walk())
    assert default.get_pipe("ner").model.ops.use_blis  # type: ignore[attr-defined]
    texts = [*PARAGRAPHS, _document(40)]
    entities = [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in ours_nlp.pipe(texts)]
    assert entities == [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                        for doc in default.pipe(texts)]
    assert any(entities)


def test_ner_skips_identifiers_the_patterns_explain_and_finds_the_same(
        analyzer: PiiAnalyzer) -> None:
    from app.privacy.analyzer import blank_explained

    text = PARAGRAPHS[1] + " " + PARAGRAPHS[2]
    patterns = analyzer._patterns(text)
    blanked = blank_explained(text, patterns)
    assert len(blanked) == len(text)
    assert SSN not in blanked and "@" not in blanked
    assert "Ravi Shankar" in blanked and "12/04/1987" in blanked  # names and dates stay
    assert len(analyzer.nlp(blanked)) < len(analyzer.nlp(text))
    texts = [*PARAGRAPHS, _document(20), "Billing address: Erlendur G. Hafliðason\n"
             "    764 Fagradalsbraut 71 Apt. 762\n   Egilsstaðir"]
    reading_all = _narrow(analyzer, skip_explained=False)
    assert [{(f.entity_type, f.start, f.end) for f in found} for found in
            analyzer.analyze_many(texts)] == [
        {(f.entity_type, f.start, f.end) for f in found}
        for found in reading_all.analyze_many(texts)]
