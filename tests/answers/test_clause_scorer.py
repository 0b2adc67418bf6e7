"""The learned clause scorer: shipped weights, arithmetic, thresholds, question recognition, and
real clauses through the real int8 embedder.

Every clause and question below is written for these tests (no text from the shared data).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.answers.clauses import (
    CLAUSE_KINDS,
    FORMAT_VERSION,
    NO_KIND,
    SCORER_PATH,
    ClauseScorer,
    clause_kind,
    encode_matrix,
)
from app.answers.words import TOKEN_PATTERN, WordFeatures
from core.errors import ModelError
from rag.embedder import DIMENSION, Embedder
from tests.bench.clause_corpus import contracts
from tests.bench.eval_contracts import HELD_BACK
from tests.rag.conftest import real_embedder  # noqa: F401  (a session fixture)
from tests.rag.fakes import FakeEmbedder

CUAD_CATEGORIES = 41


def test_every_cuad_category_is_a_kind_once_with_plain_words() -> None:
    assert len(CLAUSE_KINDS) == CUAD_CATEGORIES
    assert len({kind.key for kind in CLAUSE_KINDS}) == CUAD_CATEGORIES
    for kind in CLAUSE_KINDS:
        assert kind.key == kind.key.lower() and " " not in kind.key
        assert kind.answer in ("fact", "yes_no", "operative")
        assert kind.name and kind.description.endswith(".") and len(kind.asks) >= 2
    assert clause_kind("non_compete").name == "non-compete"
    assert clause_kind("anti_assignment").answer == "yes_no"
    assert clause_kind("governing_law").answer == "fact"
    with pytest.raises(KeyError, match="No clause kind 'indemnity'"):
        clause_kind("indemnity")


def test_the_shipped_weights_cover_every_kind_with_a_high_precision_threshold() -> None:
    scorer = ClauseScorer.shipped()
    assert scorer.keys == [kind.key for kind in CLAUSE_KINDS]
    assert scorer.weights.shape in ((CUAD_CATEGORIES, 0), (CUAD_CATEGORIES, DIMENSION))
    assert len(scorer.words) >= 5000 and "governed by" in scorer.words.vocabulary
    assert scorer.word_weights.shape == (CUAD_CATEGORIES, len(scorer.words))
    assert np.isfinite(scorer.word_weights).all()
    assert (np.abs(scorer.word_weights).max(axis=1) > 0.5).all()  # every kind has telling words
    assert ((scorer.thresholds >= 0.05) & (scorer.thresholds <= 1.0)).all()
    data = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT_VERSION and data["embedder"].endswith("int8")
    assert "held-back" not in data["training_contracts"]
    allowed = {contract.name for contract in contracts()}  # background texts and dev part
    held_back = {contract.name for contract in contracts((HELD_BACK,))}
    assert len(data["contracts"]) >= 80 and set(data["contracts"]) <= allowed
    assert held_back and not held_back & set(data["contracts"])
    assert set(scorer.owners.tolist()) == {kind.key for kind in CLAUSE_KINDS} | {NO_KIND}


TINY_WORDS = WordFeatures(["compete", "law", "governing law"],
                          np.array([1.0, 1.0, 2.0], np.float32))


def tiny_scorer(thresholds: tuple[float, float] = (0.5, 0.9),
                vectors: bool = True) -> ClauseScorer:
    """Two kinds over 3 words (and 2-number vectors); prototypes on the axes and one no-kind
    question."""
    prototypes = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], np.float32)
    weights = np.array([[2.0, 0.0], [0.0, 1.0]], np.float32) if vectors else np.zeros((2, 0))
    return ClauseScorer(["non_compete", "governing_law"], weights,
                        np.array([0.0, -1.0], np.float32), np.array(thresholds, np.float32),
                        prototypes, ["non_compete", "governing_law", NO_KIND],
                        {"min_similarity": 0.5, "margin": 0.1, "keyword_bonus": 0.2},
                        words=TINY_WORDS,
                        word_weights=np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 4.0]], np.float32))


def test_probabilities_are_the_logistic_of_words_and_vectors_per_row() -> None:
    scorer = tiny_scorer()
    texts = ["Nothing telling here.", "The Consultant shall not compete."]
    chances = scorer.probabilities("non_compete", texts, np.array([[0.0, 3.0], [1.0, 0.0]]))
    assert chances == pytest.approx([0.5, 1 / (1 + np.exp(-(2.0 + 3.0)))])
    # "governing law": the pair weighs 2 (idf), the word "law" 1; unit length; weight 4
    law = scorer.probabilities("governing_law", ["Governing law."], np.array([[0.0, 1.0]]))
    assert law == pytest.approx([1 / (1 + np.exp(-(4 * 2 / np.sqrt(5) + 1 - 1)))])
    assert scorer.probabilities("non_compete", [], np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ModelError, match="needs the passages' vectors"):
        scorer.probabilities("non_compete", texts)


def test_a_scorer_of_words_alone_needs_no_vectors() -> None:
    scorer = tiny_scorer(vectors=False)
    assert not scorer.uses_vectors and tiny_scorer().uses_vectors
    chances = scorer.probabilities("non_compete", ["shall not compete", "pay the fees"])
    assert chances == pytest.approx([1 / (1 + np.exp(-3.0)), 0.5])


def test_word_features_are_scikit_learns_tf_idf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [GOVERNING_LAW, ASSIGNMENT, NON_COMPETE, PAYMENT, "", "Café, résumé: 42 x THE the"]
    fitted = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN,
                             dtype=np.float32).fit(texts)
    words = WordFeatures(fitted.get_feature_names_out().tolist(), fitted.idf_)
    assert words.dense(texts) == pytest.approx(fitted.transform(texts).toarray(), abs=1e-6)


def test_passes_is_the_kinds_own_threshold() -> None:
    scorer = tiny_scorer((0.5, 0.9))
    assert scorer.passes("non_compete", 0.6) and not scorer.passes("governing_law", 0.6)
    assert scorer.passes("governing_law", 0.9) and not scorer.passes("non_compete", 0.49)


def test_recognise_takes_the_closest_kind_above_the_floor_and_the_no_kind_margin() -> None:
    scorer = tiny_scorer()
    assert scorer.recognise("anything", np.array([0.9, 0.1])) == clause_kind("non_compete")
    assert scorer.recognise("anything", np.array([0.1, 0.9])) == clause_kind("governing_law")
    assert scorer.recognise("anything", np.array([-0.9, 0.1])) is None  # closest: no kind
    assert scorer.recognise("anything", np.array([0.3, 0.3])) is None  # below the floor


def test_the_kinds_name_in_the_question_is_support_not_the_whole_reason() -> None:
    scorer = tiny_scorer()
    vector = np.array([0.45, 0.0])  # below the floor alone
    assert scorer.recognise("Is there a term?", vector) is None
    assert scorer.recognise("Is there a non-compete?", vector) == clause_kind("non_compete")
    assert scorer.recognise("Is there a non-compete?", np.array([-0.9, 0.0])) is None


def test_an_unknown_kind_or_foreign_vectors_are_clear_errors() -> None:
    scorer = ClauseScorer.shipped()
    with pytest.raises(KeyError, match="No clause kind 'indemnity'"):
        scorer.probabilities("indemnity", ["a clause"], np.zeros((1, DIMENSION)))
    with pytest.raises(ModelError, match="vectors of 384 numbers; the embedder gave 64"):
        scorer.recognise("a question", FakeEmbedder().embed(["a question"])[0])


def test_an_unreadable_or_foreign_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "clause_scorer.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        ClauseScorer.load(broken)
    broken.write_text(json.dumps({"format": 99, "kinds": {}}), encoding="utf-8")
    with pytest.raises(ModelError, match="format 99"):
        ClauseScorer.load(broken)


def test_the_prototypes_survive_the_round_trip_through_the_file(tmp_path: Path) -> None:
    data = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    data["recognise"]["prototypes"] = encode_matrix(np.eye(3, DIMENSION, dtype=np.float32))
    data["recognise"]["owners"] = ["non_compete", "exclusivity", NO_KIND]
    path = tmp_path / "scorer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    scorer = ClauseScorer.load(path)
    assert scorer.prototypes.shape == (3, DIMENSION)
    assert scorer.recognise("q", np.eye(1, DIMENSION, 1)[0]) == clause_kind("exclusivity")


# --- through the real int8 embedder -----------------------------------------------------

NON_COMPETE = ("During the term and for two years afterwards, the Consultant shall not, directly "
               "or indirectly, engage in or own any interest in a business that competes with "
               "the Company's products anywhere in North America.")
ASSIGNMENT = ("Neither party may assign or transfer this Agreement or any of its rights or "
              "obligations hereunder, whether voluntarily or by operation of law, without the "
              "prior written consent of the other party, and any attempted assignment without "
              "such consent shall be void.")
GOVERNING_LAW = ("This Agreement and any dispute arising out of it shall be governed by and "
                 "construed in accordance with the laws of the State of Oregon, without regard "
                 "to its conflict of laws principles.")
PAYMENT = ("The Customer shall pay each invoice within thirty days of receipt by wire transfer "
           "to the account designated by the Supplier.")


def test_real_clauses_pass_their_kind_and_a_governing_law_sentence_is_no_non_compete(
        real_embedder: Embedder) -> None:  # noqa: F811
    scorer = ClauseScorer.shipped()
    texts = [NON_COMPETE, ASSIGNMENT, GOVERNING_LAW, PAYMENT]
    vectors = real_embedder.embed(texts) if scorer.uses_vectors else None
    non_compete = scorer.probabilities("non_compete", texts, vectors)
    assignment = scorer.probabilities("anti_assignment", texts, vectors)
    law = scorer.probabilities("governing_law", texts, vectors)
    assert scorer.passes("non_compete", non_compete[0])
    assert scorer.passes("anti_assignment", assignment[1])
    assert scorer.passes("governing_law", law[2])
    assert not scorer.passes("non_compete", non_compete[2])
    assert not scorer.passes("non_compete", non_compete[3])
    assert not scorer.passes("anti_assignment", assignment[2])
    assert not scorer.passes("governing_law", law[0])


@pytest.mark.parametrize(("question", "key"), [
    ("Am I allowed to work for a rival firm after leaving?", "non_compete"),
    ("Could the vendor hand this contract over to another company?", "anti_assignment"),
    ("Which country's courts and laws apply here?", "governing_law"),
    ("Is there a ceiling on either side's liability?", "cap_on_liability"),
    ("May the customer check the supplier's accounting records?", "audit_rights"),
    ("What medications is the patient taking?", None),
    ("What was the operating margin last quarter?", None),
])
def test_a_question_is_recognised_by_meaning(question: str, key: str | None,
                                             real_embedder: Embedder) -> None:  # noqa: F811
    kind = ClauseScorer.shipped().recognise(question, real_embedder.embed([question])[0])
    assert (kind.key if kind else None) == key
