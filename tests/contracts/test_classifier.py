"""The learned clause classifier: the shipped weights, the arithmetic, and what it adds.

The short clauses below are written for these tests. The CUAD contracts are read by path from the
shared data and are all in the development part of the evaluation's split (never held back).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from app.contracts import summarize_contract
from app.contracts.classifier import (
    CLASSIFIER_PATH,
    FORMAT_VERSION,
    ClauseClassifier,
    shipped_classifier,
)
from app.contracts.document import ContractText
from app.contracts.fields import FIELDS
from app.contracts.finder import field_candidates
from app.contracts.semantic import ClassifierComplement, MeaningComplement, Setting, pool_of
from core.errors import Cancelled, ModelError
from rag.embedder import DIMENSION, Embedder, load_embedder
from tests.bench.clause_corpus import contracts
from tests.bench.eval_contracts import DEVELOPMENT, HELD_BACK, part_of
from tests.contracts.conftest import CUAD_PDFS
from tests.rag.fakes import FakeEmbedder

# Rebuilt by ``python -m tests.bench.train_contract_classifier``; change together with the file.
SHIPPED_SHA256 = "328cda01f4738545fed6837e0c70e1b59d95c8cf0a6c1f5b2b23a734b1fb5707"
CLAUSE_FIELDS = {spec.key for spec in FIELDS if spec.cuad_columns} - {"parties",
                                                                     "agreement_date"}


@pytest.fixture(scope="module")
def int8_embedder() -> Embedder:
    """The app's int8 MiniLM, the variant the classifier was trained on."""
    return load_embedder("int8")


def test_the_shipped_weights_are_the_trained_file() -> None:
    digest = hashlib.sha256(CLASSIFIER_PATH.read_bytes()).hexdigest()
    assert digest == SHIPPED_SHA256


def test_the_shipped_weights_cover_every_clause_field_once() -> None:
    classifier = shipped_classifier()
    assert set(classifier.fields) == CLAUSE_FIELDS
    assert classifier.weights.shape == (len(CLAUSE_FIELDS), DIMENSION)
    assert classifier.bias.shape == (len(CLAUSE_FIELDS),)
    assert np.isfinite(classifier.weights).all() and np.abs(classifier.weights).max() > 0.1
    data = json.loads(CLASSIFIER_PATH.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT_VERSION and "int8" in data["embedder"]
    # only contracts whose texts are in the shared data, never the held-back part of the 61
    allowed = {contract.name for contract in contracts()}
    assert data["training_contracts"] == len(data["contracts"]) >= 100
    assert set(data["contracts"]) <= allowed
    assert not set(data["contracts"]) & {c.name for c in contracts((HELD_BACK,))}


def test_probabilities_are_the_logistic_of_the_dot_product() -> None:
    classifier = ClauseClassifier(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]], np.float32),
                                  np.array([0.0, -1.0], np.float32))
    chances = classifier.probabilities(np.array([[0.0, 0.5], [2.0, 0.0]], np.float32))
    assert chances["a"] == pytest.approx([0.5, 1 / (1 + np.exp(-2.0))])
    assert chances["b"] == pytest.approx([0.5, 1 / (1 + np.exp(1.0))])
    assert classifier.probabilities(np.zeros((0, 2)))["a"].shape == (0,)


def test_an_unreadable_or_foreign_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "clause_classifier.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        ClauseClassifier.load(broken)
    broken.write_text(json.dumps({"format": 99, "fields": {}}), encoding="utf-8")
    with pytest.raises(ModelError, match="format 99"):
        ClauseClassifier.load(broken)


@pytest.mark.parametrize(("clause", "field"), [
    ("This Agreement shall be governed by the laws of the Province of Ontario.",
     "governing_law"),
    ("Licensee may not transfer this Agreement to anyone else unless Licensor agrees in writing.",
     "assignment"),
    ("The Supplier shall keep commercial general liability cover of at least $1,000,000 for "
     "each occurrence.", "insurance"),
    ("Buyer may examine Seller's books and accounts once a year during business hours.",
     "audit_rights"),
])
def test_a_plainly_worded_clause_is_most_likely_its_own_field(clause: str, field: str,
                                                              int8_embedder: Embedder) -> None:
    chances = shipped_classifier().probabilities(int8_embedder.embed([clause]))
    assert max(chances, key=lambda key: chances[key][0]) == field
    assert chances[field][0] > 0.5


def test_vectors_of_another_size_are_a_clear_error() -> None:
    with pytest.raises(ModelError, match="vectors of 384 numbers; the embedder gave 64"):
        shipped_classifier().probabilities(FakeEmbedder().embed(["a clause"]))


def fake_classifier() -> ClauseClassifier:
    """Fixed random weights over the fake embedder's 64 numbers, one row per clause field."""
    fields = sorted(CLAUSE_FIELDS)
    weights = np.random.default_rng(7).normal(size=(len(fields), FakeEmbedder.dimension))
    return ClauseClassifier(fields, weights.astype(np.float32), np.zeros(len(fields), np.float32))


def test_pooled_candidates_move_by_weight_times_probability_less_centre(
        sample_contract: ContractText) -> None:
    complement = ClassifierComplement(FakeEmbedder(), fake_classifier(), setting=Setting(2.0, 0.5))
    candidates = field_candidates(sample_contract)
    chances = complement.read(candidates)
    rescored = complement.combine(candidates, chances)
    moved = 0
    for spec in complement.fields:
        pooled = {id(match) for match in pool_of(spec, candidates[spec.key])}
        for before, after in zip(candidates[spec.key], rescored[spec.key], strict=True):
            expected = before.score + 2.0 * (chances.of(spec.key, before) - 0.5) \
                if id(before) in pooled else before.score
            assert after.score == pytest.approx(expected) and after.passage == before.passage
            moved += id(before) in pooled
    assert moved > len(complement.fields)


def test_weight_zero_leaves_the_rule_scores(sample_contract: ContractText) -> None:
    complement = ClassifierComplement(FakeEmbedder(), fake_classifier(), setting=Setting(0.0, 0.5))
    candidates = field_candidates(sample_contract)
    assert complement.rescore(candidates) == candidates


def test_rescoring_can_be_cancelled(sample_contract: ContractText) -> None:
    complement = ClassifierComplement(FakeEmbedder(), fake_classifier())
    with pytest.raises(Cancelled):
        complement.rescore(field_candidates(sample_contract), cancel=lambda: True)


def quotes(path: Path, key: str, embedder: Embedder | None) -> list[str]:
    field = summarize_contract(path, embedder=embedder).field(key)
    if not field.found or field.citation is None:
        return []
    return [field.citation.quote, *(more.quote for more in field.more_citations)]


# (development contract, field, words of the clause CUAD's lawyers marked for that field)
FOUND_BY_THE_CLASSIFIER = [
    ("NEXSTARFINANCEHOLDINGSINC_03_27_2002-EX-10.26-OUTSOURCING AGREEMENT.PDF",
     "termination_for_convenience", "at any time upon six (6) months prior written notice"),
    ("ScansourceInc_20190822_10-K_EX-10.38_11793958_EX-10.38_Distributor Agreement1.pdf",
     "warranty_duration", "During the Cisco warranty period"),
]


@pytest.mark.parametrize(("name", "key", "words"), FOUND_BY_THE_CLASSIFIER)
def test_the_classifier_finds_a_clause_the_rules_alone_miss(name: str, key: str, words: str,
                                                            int8_embedder: Embedder) -> None:
    path = CUAD_PDFS / name
    assert part_of(path.name) == DEVELOPMENT
    assert not any(words in quote for quote in quotes(path, key, None))
    assert any(words in quote for quote in quotes(path, key, int8_embedder))


def test_the_app_complement_uses_the_classifier_for_clauses_and_descriptions_for_names() -> None:
    complement = MeaningComplement(FakeEmbedder())
    assert {spec.key for spec in complement.learned.fields} == CLAUSE_FIELDS
    assert {spec.key for spec in complement.described.fields} == {"parties", "agreement_date"}
