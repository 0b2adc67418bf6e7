"""The learned clause scorer: which clause kind a question asks about, and which passages are
clauses of that kind.

Unit: the app's passages (``rag.chunking`` at the default 200 tokens with 40 overlapping, as
ingest stores them): their words as tf-idf features (:mod:`app.answers.words`), and, when a
file was trained with them, also their vectors from the app's embedder (int8 by default), the
ones a workspace already stores. Sentences may be scored too, but the weights and thresholds
were fitted and calibrated on passages.

Training (``tests/bench/train_clause_scorer.py`` rebuilds ``data/clause_scorer.json``
deterministically): one logistic regression per CUAD clause kind (41) over the passages of the
allowed CUAD contracts (the 408 background texts and the development part of the 61); a
passage is a positive when it overlaps a lawyer's span of that kind, every other passage of
the same contracts is a negative. Each kind's threshold is chosen by cross-validation grouped by
contract for high precision: on contracts the lawyers did not mark with the kind, the share
whose best passage passes is held at about 2% or less (a false "yes, there is such a clause").
At run time: ``sigmoid(words . word_weights [+ vector . weights] + bias)``, numpy only.

Recognising the kind of a question is by meaning: the question's vector is compared with the
vectors of each kind's description, name and a few example questions (``app.answers.kinds``),
and with example questions about no clause kind (medical, financial, definitions, payment
terms...). The closest kind wins when its similarity clears a floor and beats the closest
no-kind question by a margin (both calibrated by leave-one-out on the examples); a question that
contains a kind's name gets a small bonus, a support and never the sole reason.
Decision for definitions: "What is an indemnity?" names no CUAD kind and gives None; "What is a
non-compete?" is recognised as the non-compete kind (the pipeline decides how to answer a
definition).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.answers.kinds import CLAUSE_KINDS, NOT_CLAUSE_QUESTIONS, ClauseKind
from app.answers.words import WordFeatures
from app.contracts.classifier import read_weights
from core.errors import ModelError

SCORER_PATH = Path(__file__).resolve().parent / "data" / "clause_scorer.json"
FORMAT_VERSION = 2
MAX_COLUMNS = 65_535  # word columns are stored as 16-bit numbers
USUALLY_PRESENT = 0.5  # share of training contracts holding a kind
NO_KIND = ""  # the owner of the example questions about no clause kind
_KINDS = {kind.key: kind for kind in CLAUSE_KINDS}
_WORD = re.compile(r"[a-z]+")

__all__ = ["CLAUSE_KINDS", "NOT_CLAUSE_QUESTIONS", "ClauseKind", "ClauseScorer", "clause_kind"]


def clause_kind(key: str) -> ClauseKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise KeyError(f"No clause kind {key!r}; the kinds are {', '.join(_KINDS)}.") from None


def name_words(kind: ClauseKind) -> frozenset[str]:
    """The content words of a kind's plain name ("non-compete" -> {"non", "compete"})."""
    return frozenset(w for w in _WORD.findall(kind.name.lower())
                     if len(w) > 2 and w not in {"the", "and", "from", "for", "right"})


def question_words(question: str) -> set[str]:
    return set(_WORD.findall(question.lower()))


def closeness(cosines: np.ndarray, owners: np.ndarray, words: set[str], bonus: float,
              telling: Mapping[str, float] | None = None) -> dict[str, float]:
    """Owner -> its best cosine, plus ``bonus`` for a kind whose name words are all in
    ``words``, plus the kind's ``telling`` score (how much the question's words weigh for
    the kind's clauses, already scaled)."""
    scores: dict[str, float] = {}
    for owner in dict.fromkeys(owners.tolist()):
        score = float(cosines[owners == owner].max())
        if owner != NO_KIND and (named := name_words(_KINDS[owner])) and named <= words:
            score += bonus
        scores[owner] = score + (telling or {}).get(owner, 0.0)
    return scores


def decide(scores: dict[str, float], floor: float, margin: float) -> str:
    """The closest kind when it clears ``floor`` and beats the closest no-kind example by
    ``margin``; else ``NO_KIND``."""
    kinds = {key: value for key, value in scores.items() if key != NO_KIND}
    best = max(kinds, key=lambda key: (kinds[key], key))
    unrelated = scores.get(NO_KIND, -1.0)
    return best if kinds[best] >= floor and kinds[best] >= unrelated + margin else NO_KIND


def encode_matrix(matrix: np.ndarray) -> str:
    return base64.b64encode(np.asarray(matrix, dtype="<f2").tobytes()).decode("ascii")


def decode_matrix(text: str, columns: int) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)
    return flat.reshape(-1, columns)


def encode_sparse(weights: np.ndarray) -> dict[str, str]:
    """The non-zero weights of a row: their columns (uint16) and values (float16)."""
    if len(weights) > MAX_COLUMNS:
        raise ValueError(f"{len(weights)} word columns; the file format holds {MAX_COLUMNS}")
    columns = np.flatnonzero(weights).astype("<u2")
    return {"columns": base64.b64encode(columns.tobytes()).decode("ascii"),
            "values": base64.b64encode(np.asarray(weights[columns], dtype="<f2").tobytes())
            .decode("ascii")}


def decode_sparse(data: Mapping[str, str], size: int) -> np.ndarray:
    columns = np.frombuffer(base64.b64decode(data["columns"]), dtype="<u2").astype(np.int64)
    values = np.frombuffer(base64.b64decode(data["values"]), dtype="<f2").astype(np.float32)
    if len(columns) != len(values) or (len(columns) and columns.max() >= size):
        raise ModelError("The clause scorer file is damaged (its word weights do not fit its "
                         "vocabulary); reinstall Enclave.")
    row = np.zeros(size, dtype=np.float32)
    row[columns] = values
    return row


class ClauseScorer:
    """Per kind word weights (and maybe vector weights), a bias and a threshold; and the
    question prototypes. ``weights`` has no columns when the passages' vectors are not used."""

    def __init__(self, keys: list[str], weights: np.ndarray, bias: np.ndarray,
                 thresholds: np.ndarray, prototypes: np.ndarray, owners: list[str],
                 recognition: Mapping[str, float], embedder: str = "",
                 prevalence: Mapping[str, float] | None = None,
                 words: WordFeatures | None = None,
                 word_weights: np.ndarray | None = None) -> None:
        self.keys, self.weights, self.bias, self.thresholds = keys, weights, bias, thresholds
        self.words = words or WordFeatures([], np.zeros(0, np.float32))
        self.word_weights = word_weights if word_weights is not None else np.zeros(
            (len(keys), len(self.words)), np.float32)
        self.prevalence = dict(prevalence or {})
        self.prototypes, self.owners = prototypes, np.array(owners)
        self.min_similarity = float(recognition["min_similarity"])
        self.margin = float(recognition["margin"])
        self.keyword_bonus = float(recognition["keyword_bonus"])
        self.word_share = float(recognition.get("word_share", 0.0))
        self.embedder = embedder
        self._row = {key: row for row, key in enumerate(keys)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClauseScorer:
        if data.get("format") != FORMAT_VERSION:
            raise ModelError(f"The clause scorer file has format {data.get('format')!r}; "
                             f"this version reads format {FORMAT_VERSION}.")
        kinds = data["kinds"]
        keys = list(kinds)
        recognition = data["recognise"]
        dimension = int(recognition["dimension"])
        weights = np.array([kinds[key].get("weights", []) for key in keys], dtype=np.float32)
        weights = weights.reshape(len(keys), -1)
        if weights.shape[1] not in (0, dimension):
            raise ModelError(f"The clause scorer file has vector weights of {weights.shape[1]} "
                             f"numbers for vectors of {dimension}; reinstall Enclave.")
        vocabulary = data["words"]["vocabulary"]
        idf = np.frombuffer(base64.b64decode(data["words"]["idf"]), dtype="<f4")
        words = WordFeatures(vocabulary, idf)
        word_weights = np.stack([decode_sparse(kinds[key]["word_weights"], len(words))
                                 for key in keys]) if keys else np.zeros((0, len(words)))
        prototypes = decode_matrix(recognition["prototypes"], dimension)
        return cls(keys, weights,
                   np.array([kinds[key]["bias"] for key in keys], dtype=np.float32),
                   np.array([kinds[key]["threshold"] for key in keys], dtype=np.float32),
                   prototypes, list(recognition["owners"]), recognition,
                   str(data.get("embedder", "")),
                   {key: _share(kinds[key]) for key in keys}, words, word_weights)

    @classmethod
    def load(cls, path: Path = SCORER_PATH) -> ClauseScorer:
        return cls.from_json(read_weights(path, "clause scorer"))

    @classmethod
    def shipped(cls) -> ClauseScorer:
        """The shipped weights, read once per process."""
        return _shipped()

    def kind_scores(self, question: str, question_vector: np.ndarray) -> dict[str, float]:
        """Kind key (and ``NO_KIND``) -> the question's closeness to it."""
        vector = self._checked(np.asarray(question_vector, dtype=np.float32).reshape(1, -1))[0]
        return closeness(self.prototypes @ vector, self.owners, question_words(question),
                         self.keyword_bonus, self.telling(question))

    def telling(self, question: str) -> dict[str, float]:
        """Kind -> ``word_share`` times how much the question's words count for a clause of
        the kind (their word weights, never below 0): "exclusive rights" weighs for
        exclusivity whatever the closest example question says."""
        if not self.word_share:
            return {}
        columns, values = self.words.row(question)
        weighed = self.word_weights[:, columns] @ values if len(columns) else \
            np.zeros(len(self.keys), np.float32)
        return {key: self.word_share * max(0.0, float(value))
                for key, value in zip(self.keys, weighed, strict=True)}

    def recognise(self, question: str, question_vector: np.ndarray) -> ClauseKind | None:
        """The clause kind the question asks about, or None when it asks about none."""
        best = decide(self.kind_scores(question, question_vector), self.min_similarity,
                      self.margin)
        return _KINDS[best] if best != NO_KIND else None

    @property
    def uses_vectors(self) -> bool:
        """Whether passages are scored on their vectors too (else on their words alone)."""
        return bool(self.weights.shape[1])

    def probabilities(self, key: str, texts: Sequence[str],
                      vectors: np.ndarray | None = None) -> np.ndarray:
        """The probability that each text is a clause of kind ``key``; ``vectors``, their
        embeddings in the same order, are needed when the scorer :attr:`uses_vectors`."""
        row = self._row_of(key)
        if not len(texts):
            return np.zeros(0, dtype=np.float32)
        logits = self.words.dot(texts, self.word_weights[row]) + self.bias[row]
        if self.uses_vectors:
            if vectors is None:
                raise ModelError("The clause scorer needs the passages' vectors too.")
            matrix = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
            logits = logits + self._checked(matrix) @ self.weights[row]
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def threshold(self, key: str) -> float:
        return float(self.thresholds[self._row_of(key)])

    def passes(self, key: str, probability: float) -> bool:
        """Whether a passage of this probability IS a clause of kind ``key`` (high precision)."""
        return float(probability) >= self.threshold(key)

    def usually_present(self, key: str) -> bool:
        """Whether most training contracts hold a clause of this kind (the parties, the
        agreement date): then a figure of the kind is its answer even where no passage passes;
        for a rarer kind (renewal, warranty period) the scorer's verdict decides."""
        return self.prevalence.get(key, 1.0) >= USUALLY_PRESENT

    def _row_of(self, key: str) -> int:
        if key not in self._row:
            clause_kind(key)  # the message names the kinds
            raise ModelError(f"The clause scorer has no weights for {key!r}; reinstall Enclave.")
        return self._row[key]

    def _checked(self, matrix: np.ndarray) -> np.ndarray:
        if matrix.shape[1] != self.prototypes.shape[1]:
            raise ModelError(f"The clause scorer reads vectors of {self.prototypes.shape[1]} "
                             f"numbers; the embedder gave {matrix.shape[1]}.")
        return matrix


def _share(kind: Mapping[str, Any]) -> float:
    """The share of training contracts the lawyers marked with the kind (1.0 if not recorded)."""
    marked, unmarked = int(kind.get("contracts_with", 1)), int(kind.get("contracts_without", 0))
    return marked / (marked + unmarked) if marked + unmarked else 1.0


@functools.cache
def _shipped() -> ClauseScorer:
    return ClauseScorer.load(SCORER_PATH)
