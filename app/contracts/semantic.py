"""Semantic complement to the clause finder: MiniLM similarity to general field descriptions.

The rules in :mod:`app.contracts.fields` score passages by drafting cues. A clause worded in a
way they were not written for still matches a field's required words but scores below the
field's bar (the field is "not found"), or loses to a look-alike that happens to carry more
cues. Here each field's best rule candidates (those within ``POOL_MARGIN`` of its bar) are
embedded with the app's embedder and compared with a few plain descriptions of the field
(:mod:`app.contracts.descriptions`); a candidate's score becomes

    rule score + WEIGHT * (similarity - CENTRE)

so a candidate like the description gains, one unlike it loses, and the finder then chooses
its quotes from the new scores as before. Only candidates are embedded (tens of passages per
contract, each text once), never the whole contract.

``WEIGHT`` and ``CENTRE`` were chosen on the development part of the CUAD split only, with
cross-validation within it (``tests/bench/tune_contract_semantic.py``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from app.contracts.descriptions import FIELD_DESCRIPTIONS
from app.contracts.fields import FIELDS, FieldSpec
from app.contracts.finder import Match
from core.jobs import CancelFn, check_cancelled, never_cancel
from rag.embedder import Embedder

WEIGHT = 3.0  # rule points per unit of cosine similarity
CENTRE = 0.4  # the similarity at which a candidate's rule score is left as it is
POOL_MARGIN = 3.0  # candidates this far below a field's bar are read
MAX_CANDIDATES = 15  # per field, the best-scoring ones
UNIT_CHARS = 600  # about 128 word pieces, the length MiniLM was trained on
# The fields whose effect was measured against lawyers' labels (CUAD); the others' descriptions
# only serve as rivals (a confidentiality clause is more like confidentiality than non-compete).
RESCORED = tuple(spec.key for spec in FIELDS if spec.cuad_columns)


class DescriptionVectors:
    """Every field's descriptions embedded once; a text's similarity to a field is its cosine
    to the field's closest description."""

    def __init__(self, embedder: Embedder) -> None:
        self.fields = list(FIELD_DESCRIPTIONS)
        vectors = embedder.embed([text for key in self.fields for text in FIELD_DESCRIPTIONS[key]])
        owners = [key for key in self.fields for _ in FIELD_DESCRIPTIONS[key]]
        self._vectors, self._owners = vectors, np.array(owners)

    def similarities(self, units: np.ndarray) -> dict[str, np.ndarray]:
        """Field -> the similarity of each unit (row) to that field."""
        cosines = units @ self._vectors.T
        return {key: cosines[:, self._owners == key].max(axis=1) for key in self.fields}


def pool_of(spec: FieldSpec, candidates: Sequence[Match]) -> list[Match]:
    """The field's best-scoring candidates within ``POOL_MARGIN`` of its bar."""
    near = [match for match in candidates if match.score >= spec.min_score - POOL_MARGIN]
    return sorted(near, key=lambda match: (-match.score, match.passage.index))[:MAX_CANDIDATES]


class SemanticComplement:
    """Rescores the rule candidates of each field by how much they read like the field."""

    def __init__(self, embedder: Embedder, *, weight: float = WEIGHT, centre: float = CENTRE,
                 fields: Sequence[FieldSpec] = FIELDS) -> None:
        self.embedder, self.weight, self.centre = embedder, weight, centre
        self.fields = [spec for spec in fields if spec.key in RESCORED]
        self._descriptions: DescriptionVectors | None = None

    def rescore(self, candidates: dict[str, list[Match]], *,
                cancel: CancelFn = never_cancel) -> dict[str, list[Match]]:
        """``candidates`` with the pooled ones rescored (the rest, far below the bar, kept)."""
        pools = {spec.key: pool_of(spec, candidates.get(spec.key, [])) for spec in self.fields}
        texts = sorted({match.passage.text[:UNIT_CHARS] for pool in pools.values()
                        for match in pool})
        if not texts:
            return candidates
        check_cancelled(cancel)
        similarity = self.descriptions().similarities(self.embedder.embed(texts, cancel=cancel))
        row = {text: number for number, text in enumerate(texts)}
        rescored = dict(candidates)
        for key, pool in pools.items():
            new = {id(match): replace(match, score=match.score + self.weight * (
                float(similarity[key][row[match.passage.text[:UNIT_CHARS]]]) - self.centre))
                   for match in pool}
            rescored[key] = [new.get(id(match), match) for match in candidates[key]]
        return rescored

    def descriptions(self) -> DescriptionVectors:
        if self._descriptions is None:
            self._descriptions = DescriptionVectors(self.embedder)
        return self._descriptions


_COMPLEMENTS: weakref.WeakKeyDictionary[Embedder, SemanticComplement] = \
    weakref.WeakKeyDictionary()


def complement_for(embedder: Embedder) -> SemanticComplement:
    """One complement per embedder, so the descriptions are embedded once per session."""
    complement = _COMPLEMENTS.get(embedder)
    if complement is None:
        complement = _COMPLEMENTS[embedder] = SemanticComplement(embedder)
    return complement
