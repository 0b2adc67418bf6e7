"""The word features of the clause scorer: a passage as tf-idf weights of its words and word
pairs, in numpy, computed exactly as scikit-learn's ``TfidfVectorizer`` computes them when the
scorer is trained (lower case, words of two or more letters, single words and adjacent pairs,
``1 + log(count)``, smoothed idf, unit length).

Why words and not only the passage vectors: which clause a passage is shows in a few words of
the trade ("governed by the laws of", "assign", "change of control", "audit"), which a
sentence embedding of a 200-token passage blurs with everything else the passage says. On the
149 contracts of the first scorer, cross-validated by contract, the words found a kind's clause
in far more contracts at the same 2% false-claim rate than the vectors did (see
``tests/bench/train_clause_scorer.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

# scikit-learn's pattern, applied to the lower-cased text: words of two or more letters.
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_CACHED_TEXTS = 50_000  # a library's passages, scored again at every clause question


class WordFeatures:
    """Texts -> sparse tf-idf rows over a fixed vocabulary of words and word pairs."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        if len(vocabulary) != len(idf):
            raise ValueError(f"{len(vocabulary)} words but {len(idf)} idf weights")
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self._column = {term: column for column, term in enumerate(self.vocabulary)}
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.vocabulary)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The columns and unit-length tf-idf values of ``text``'s known words and pairs."""
        cached = self._rows.get(text)
        if cached is not None:
            return cached
        words = _TOKEN.findall(text.lower())
        terms = words + [f"{first} {second}" for first, second in zip(words, words[1:],
                                                                         strict=False)]
        counts = Counter(self._column[term] for term in terms if term in self._column)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64,
                                           count=len(counts)))) * self.idf[columns]
        length = float(np.sqrt(values @ values))
        found = (columns, (values / length if length else values).astype(np.float32))
        if len(self._rows) >= _CACHED_TEXTS:
            self._rows.clear()
        self._rows[text] = found
        return found

    def dot(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """Each text's row times ``weights`` (one weight per vocabulary column)."""
        out = np.zeros(len(texts), dtype=np.float32)
        for number, text in enumerate(texts):
            columns, values = self.row(text)
            if len(columns):
                out[number] = float(values @ weights[columns])
        return out

    def dense(self, texts: Sequence[str]) -> np.ndarray:
        """The rows as a dense matrix (for tests and small batches)."""
        matrix = np.zeros((len(texts), len(self)), dtype=np.float32)
        for number, text in enumerate(texts):
            columns, values = self.row(text)
            matrix[number, columns] = values
        return matrix
