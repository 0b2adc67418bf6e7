"""The numpy greedy NER decoder against spaCy's own decoding, on the real model and real text."""

from __future__ import annotations

from typing import Any

import spacy

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.greedy_ner import GreedyNer, supports
from app.privacy.nlp import SPACY_MODEL
from app.privacy.windows import split_text
from tests.bench.bench_pii import contract_texts
from tests.bench.pii_common import load_dataset

ODD_TEXTS = [
    "", " ", "\n\n", "Ann", "Ann Lee", "Paris.", "Ann Lee\n\nBob Smith\n", "   Ann Lee   ",
    "Signed by John Q. Public on 3 March 2021 in San Francisco, California, USA",
    "IBM and Apple Inc. met the European Union on Monday at 10:30 am for $5 million.",
]


def _entities(docs: list[Any]) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]


def _both(nlp: Any, texts: list[str]) -> tuple[list[Any], list[Any]]:
    decoder = GreedyNer(nlp)
    return list(nlp.pipe(texts, batch_size=len(texts))), decoder(
        [nlp.make_doc(text) for text in texts])


def test_same_entities_and_tags_as_spacy_on_short_texts(analyzer: PiiAnalyzer) -> None:
    texts = ODD_TEXTS + [sample["full_text"] for sample in load_dataset(300)]
    theirs, ours = _both(analyzer.nlp, texts)
    assert _entities(ours) == _entities(theirs)
    assert [[t.ent_iob_ for t in d] for d in ours] == [[t.ent_iob_ for t in d] for d in theirs]
    assert sum(len(doc.ents) for doc in ours) > 500


def test_same_entities_as_spacy_on_a_contract(analyzer: PiiAnalyzer) -> None:
    windows = [window for _, window in split_text(contract_texts(1)[0])]
    for window in windows:  # one long document per batch: the longest decoding runs
        theirs, ours = _both(analyzer.nlp, [window])
        assert _entities(ours) == _entities(theirs)


def test_analyzer_uses_it_and_finds_what_spacy_decoding_finds(analyzer: PiiAnalyzer) -> None:
    assert analyzer._greedy_ner is not None
    spacy_decoding = PiiAnalyzer(analyzer.engine)
    spacy_decoding._greedy_ner = None
    texts = [sample["full_text"] for sample in load_dataset(200)] + contract_texts(1)
    assert analyzer.analyze_here(texts) == spacy_decoding.analyze_here(texts)


def test_only_a_pipeline_of_one_ner_is_supported(analyzer: PiiAnalyzer) -> None:
    assert supports(analyzer.nlp)
    full = spacy.load(SPACY_MODEL)
    assert not supports(full)
