"""spaCy's greedy NER decoding, redone with numpy: the same model, the same entities, about a
tenth of the decoding time.

spaCy decodes a document token by token in compiled code, but the installed build takes and
releases the GIL several times for every action of every step (Cython's error checks after
each call into its state class): measured with ``perf``, about 40% of NER time went to GIL
hand-overs and the decoding loop was over half of the NER. This module runs the model's own
layers (tok2vec, the precomputed lower layer, the output layer) and makes the same choices:

* Outside an entity the state's features are the current token and two padding rows, so the
  scores of every token "outside" are computed at once in one matrix product, and the choice
  there (begin, unit or out; the first best valid action, as spaCy's ``arg_max_if_valid``)
  depends on the token alone.
* Inside an entity (a small share of tokens) the features are the current token, the
  entity's first token and the previous token; only the two valid actions (in, last: same
  label) are scored, one step at a time.

The validity rules are spaCy's BILUO rules (``spacy/pipeline/_parser_internals/ner.pyx``) for
documents with no preset entities, which is what the analyzer gives it. Scores may differ from
spaCy's in the last bit (numpy's BLAS against BLIS's reference kernel in the output layer),
so a near-tie can in principle go the other way; on the synthetic PII set and the CUAD
contracts the entities are the same (``tests/privacy/test_greedy_ner.py`` checks a sample;
``tests/bench/compare_ner.py`` the whole sets). :func:`supports` says whether a pipeline's
NER has the shape this decoder knows; otherwise the analyzer keeps spaCy's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.attrs import IS_SPACE, SENT_START
from spacy.tokens import Doc, Span

_BEGIN, _IN, _LAST, _UNIT, _OUT = "BILUO"


def supports(nlp: Any) -> bool:
    """Whether ``nlp`` is a tokenizer and one greedy transition NER with an output layer, three
    state features and no unseen classes (the model this decoder reproduces)."""
    if nlp.pipe_names != ["ner"]:
        return False
    ner = nlp.get_pipe("ner")
    model = ner.model
    return (type(ner).__name__ == "EntityRecognizer" and ner.cfg.get("beam_width", 1) == 1
            and model.attrs.get("has_upper") and not model.attrs.get("unseen_classes")
            and model.get_ref("lower").get_dim("nF") == 3
            and not getattr(ner, "postprocesses", None))


class GreedyNer:
    """Named entities of docs with ``nlp``'s NER model (see the module docstring)."""

    def __init__(self, nlp: Any) -> None:
        ner = nlp.get_pipe("ner")
        model = ner.model
        self._tok2vec = model.get_ref("tok2vec")
        self._lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self._weights = upper.get_param("W")  # (classes, hidden)
        self._bias = upper.get_param("b")
        self._feature_bias = self._lower.get_param("b")  # (hidden, pieces)
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self._moves = [name[0] if name != "O" else _OUT for name in names]
        self._labels = [name[2:] if name != "O" else "" for name in names]
        closed = [move in (_BEGIN, _UNIT, _OUT) and (move == _OUT or self._labels[i])
                  for i, move in enumerate(self._moves)]
        self._closed = np.array(closed, dtype=bool)
        self._out = self._moves.index(_OUT)
        self._begin = np.array([m == _BEGIN for m in self._moves], dtype=bool) & self._closed
        self._unit = np.array([m == _UNIT for m in self._moves], dtype=bool) & self._closed
        self._inside = {label: names.index(f"I-{label}") for label in set(self._labels)
                        if f"I-{label}" in names}
        self._last = {label: names.index(f"L-{label}") for label in set(self._labels)
                      if f"L-{label}" in names}

    def __call__(self, docs: Sequence[Doc]) -> list[Doc]:
        """``docs`` (fresh from the tokenizer) with their entities set, like ``ner.pipe``."""
        filled = [doc for doc in docs if len(doc)]
        if filled:
            features = self._lower.predict(self._tok2vec.predict(filled))
            closed = self._closed_choices(features)
            row = 1  # row 0 holds the padding
            for doc in filled:
                self._annotate(doc, features, closed, row)
                row += len(doc)
        for doc in docs:
            if not len(doc):
                doc.set_ents([], default="outside")
        return list(docs)

    def _closed_choices(self, features: np.ndarray) -> np.ndarray:
        """The class chosen at every token when no entity is open, before validity by
        position (begin needs a next token in the same sentence; no entity on white space):
        the best of begin/unit/out, the best of unit/out, and out."""
        summed = features[1:, 0] + features[0, 1]
        summed += features[0, 2]
        summed += self._feature_bias
        scores = _maxout(summed) @ self._weights.T + self._bias
        out = self._out
        with_begin = np.where(self._closed, scores, -np.inf).argmax(axis=1)
        unit_or_out = np.where(self._unit | (np.arange(len(self._moves)) == out),
                               scores, -np.inf).argmax(axis=1)
        return np.stack([with_begin, unit_or_out, np.full(len(scores), out)], axis=1)

    def _annotate(self, doc: Doc, features: np.ndarray, closed: np.ndarray, row: int) -> None:
        size = len(doc)
        flags = doc.to_array([IS_SPACE, SENT_START])
        space = flags[:, 0].astype(bool)
        # Begin is valid with a next token that does not start a sentence, off white space.
        can_begin = np.zeros(size, dtype=bool)
        can_begin[:-1] = flags[1:, 1] != 1
        can_begin &= ~space
        kind = np.where(can_begin, 0, np.where(space, 2, 1))
        choice = closed[np.arange(row, row + size) - 1, kind]
        entities: list[Span] = []
        position = 0
        for start in np.flatnonzero(choice != self._out).tolist():
            if start < position:
                continue
            label = self._labels[choice[start]]
            end = start + 1 if self._moves[choice[start]] == _UNIT else \
                self._entity_end(features, row, start, label, flags[:, 1], size)
            entities.append(Span(doc, start, end, label=label))
            position = end
        doc.set_ents(entities, default="outside")

    def _entity_end(self, features: np.ndarray, row: int, start: int, label: str,
                    sent_start: np.ndarray, size: int) -> int:
        """Where the entity begun at ``start`` ends: in or last, step by step."""
        inside, last = self._inside[label], self._last[label]
        pair = self._weights[[inside, last]]
        pair_bias = self._bias[[inside, last]]
        first = features[row + start, 1]
        token = start + 1
        while True:
            if token + 1 >= size or sent_start[token + 1] == 1:
                return token + 1  # in is not valid: last
            summed = features[row + token, 0] + first
            summed += features[row + token - 1, 2]
            summed += self._feature_bias
            scores = _maxout(summed) @ pair.T + pair_bias
            # spaCy keeps the first best class: in wins a tie when it comes first.
            if scores[1] > scores[0] or (scores[1] == scores[0] and last < inside):
                return token + 1
            token += 1


def _maxout(summed: np.ndarray) -> np.ndarray:
    """The largest piece of each hidden unit (numpy's ``max`` over a short last axis is slow)."""
    best = summed[..., 0]
    for piece in range(1, summed.shape[-1]):
        best = np.maximum(best, summed[..., piece])
    return best
