"""A learned clause classifier: per field, how likely a passage is that field's clause.

One logistic regression per field over MiniLM passage vectors, trained on lawyers' clause labels
of the CUAD contracts whose texts are in the shared data: the 408 background contracts and the
development part of the 61 (never the held-back part; ``tests/bench/train_contract_classifier.py``
rebuilds the file deterministically). It tells a field's clause from passages holding other
clauses. Only the
weights ship, as JSON in ``data/``; here a probability is ``sigmoid(vector . weights + bias)``,
numpy dot products and nothing else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ModelError

CLASSIFIER_PATH = Path(__file__).resolve().parent / "data" / "clause_classifier.json"
FORMAT_VERSION = 1


def read_weights(path: Path, what: str) -> dict[str, Any]:
    """A shipped weights file (JSON package data); unreadable means a broken install."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ModelError(f"The {what} {path} cannot be read ({error}); "
                         "reinstall Enclave.") from error


class ClauseClassifier:
    """Field weights as one matrix; ``probabilities`` scores many passage vectors at once."""

    def __init__(self, fields: list[str], weights: np.ndarray, bias: np.ndarray,
                 embedder: str = "") -> None:
        self.fields, self.weights, self.bias, self.embedder = fields, weights, bias, embedder

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClauseClassifier:
        if data.get("format") != FORMAT_VERSION:
            raise ModelError(f"The clause classifier file has format {data.get('format')!r}; "
                             f"this version reads format {FORMAT_VERSION}.")
        fields = list(data["fields"])
        weights = np.array([data["fields"][key]["weights"] for key in fields], dtype=np.float32)
        bias = np.array([data["fields"][key]["bias"] for key in fields], dtype=np.float32)
        return cls(fields, weights, bias, str(data.get("embedder", "")))

    @classmethod
    def load(cls, path: Path = CLASSIFIER_PATH) -> ClauseClassifier:
        return cls.from_json(read_weights(path, "clause classifier"))

    def probabilities(self, vectors: np.ndarray) -> dict[str, np.ndarray]:
        """Field -> the probability of each vector (row) being that field's clause."""
        if not len(vectors):
            return {key: np.zeros(0, dtype=np.float32) for key in self.fields}
        if vectors.shape[1] != self.weights.shape[1]:
            raise ModelError(f"The clause classifier reads vectors of {self.weights.shape[1]} "
                             f"numbers; the embedder gave {vectors.shape[1]}.")
        logits = vectors.astype(np.float32) @ self.weights.T + self.bias
        chances = 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))
        return {key: chances[:, column] for column, key in enumerate(self.fields)}


@functools.cache
def shipped_classifier(path: Path = CLASSIFIER_PATH) -> ClauseClassifier:
    """The shipped weights, read once per process."""
    return ClauseClassifier.load(path)
