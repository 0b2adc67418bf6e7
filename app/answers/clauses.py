"""The learned clause scorer: which clause kind a question asks about, and which passages are
clauses of that kind.

Unit: the app's passages (``rag.chunking`` at the default 200 tokens with 40 overlapping, as
ingest stores them) embedded by the app's embedder (``rag.embedder``, int8 by default), i.e. the
vectors already stored in a workspace. Sentences may be scored too, but the weights and
thresholds were fitted and calibrated on passages.

Training (``tests/bench/train_clause_scorer.py`` rebuilds ``data/clause_scorer.json``
deterministically): one logistic regression per CUAD clause kind (41) over passage vectors of
the allowed CUAD contracts (the 408 background texts and the development part of the 61);
a passage is a positive when it overlaps a lawyer's span of that kind, every other passage of
the same contracts is a negative. Each kind's threshold is chosen by cross-validation grouped by
contract for high precision: on contracts the lawyers did not mark with the kind, the share
whose best passage passes is held at about 2% or less (a false "yes, there is such a clause").
At run time: ``sigmoid(vector . weights + bias)``, numpy dot products only.

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from app.answers.kinds import CLAUSE_KINDS, NOT_CLAUSE_QUESTIONS, ClauseKind
from app.contracts.classifier import read_weights
from core.errors import ModelError

SCORER_PATH = Path(__file__).resolve().parent / "data" / "clause_scorer.json"
FORMAT_VERSION = 1
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


def closeness(cosines: np.ndarray, owners: np.ndarray, words: set[str],
              bonus: float) -> dict[str, float]:
    """Owner -> its best cosine, plus ``bonus`` for a kind whose name words are all in
    ``words``."""
    scores: dict[str, float] = {}
    for owner in dict.fromkeys(owners.tolist()):
        score = float(cosines[owners == owner].max())
        if owner != NO_KIND and (named := name_words(_KINDS[owner])) and named <= words:
            score += bonus
        scores[owner] = score
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


class ClauseScorer:
    """Per kind a weight vector, a bias and a threshold; and the question prototypes."""

    def __init__(self, keys: list[str], weights: np.ndarray, bias: np.ndarray,
                 thresholds: np.ndarray, prototypes: np.ndarray, owners: list[str],
                 recognition: Mapping[str, float], embedder: str = "",
                 prevalence: Mapping[str, float] | None = None) -> None:
        self.keys, self.weights, self.bias, self.thresholds = keys, weights, bias, thresholds
        self.prevalence = dict(prevalence or {})
        self.prototypes, self.owners = prototypes, np.array(owners)
        self.min_similarity = float(recognition["min_similarity"])
        self.margin = float(recognition["margin"])
        self.keyword_bonus = float(recognition["keyword_bonus"])
        self.embedder = embedder
        self._row = {key: row for row, key in enumerate(keys)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClauseScorer:
        if data.get("format") != FORMAT_VERSION:
            raise ModelError(f"The clause scorer file has format {data.get('format')!r}; "
                             f"this version reads format {FORMAT_VERSION}.")
        kinds = data["kinds"]
        keys = list(kinds)
        weights = np.array([kinds[key]["weights"] for key in keys], dtype=np.float32)
        recognition = data["recognise"]
        prototypes = decode_matrix(recognition["prototypes"], weights.shape[1])
        return cls(keys, weights,
                   np.array([kinds[key]["bias"] for key in keys], dtype=np.float32),
                   np.array([kinds[key]["threshold"] for key in keys], dtype=np.float32),
                   prototypes, list(recognition["owners"]), recognition,
                   str(data.get("embedder", "")),
                   {key: _share(kinds[key]) for key in keys})

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
                         self.keyword_bonus)

    def recognise(self, question: str, question_vector: np.ndarray) -> ClauseKind | None:
        """The clause kind the question asks about, or None when it asks about none."""
        best = decide(self.kind_scores(question, question_vector), self.min_similarity,
                      self.margin)
        return _KINDS[best] if best != NO_KIND else None

    def probabilities(self, key: str, vectors: np.ndarray) -> np.ndarray:
        """The probability that each vector (row) is a clause of kind ``key``."""
        row = self._row_of(key)
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        if not len(matrix):
            return np.zeros(0, dtype=np.float32)
        logits = self._checked(matrix) @ self.weights[row] + self.bias[row]
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
        if matrix.shape[1] != self.weights.shape[1]:
            raise ModelError(f"The clause scorer reads vectors of {self.weights.shape[1]} "
                             f"numbers; the embedder gave {matrix.shape[1]}.")
        return matrix


def _share(kind: Mapping[str, Any]) -> float:
    """The share of training contracts the lawyers marked with the kind (1.0 if not recorded)."""
    marked, unmarked = int(kind.get("contracts_with", 1)), int(kind.get("contracts_without", 0))
    return marked / (marked + unmarked) if marked + unmarked else 1.0


@functools.cache
def _shipped() -> ClauseScorer:
    return ClauseScorer.load(SCORER_PATH)
