"""Semantic complement to the clause finder: a learned clause classifier and, for the fields it
does not cover, MiniLM similarity to general field descriptions.

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

For the clause fields (term, renewal, liability, non-compete, exclusivity, ...) the similarity
to descriptions is replaced by the probability of a classifier trained on lawyers' labels of
other contracts (:mod:`app.contracts.classifier`): a pooled candidate scores

    rule score + weight * (probability - centre)

with ``CLASSIFIER_SETTING`` chosen on the development part by cross-validation
(``tests/bench/tune_contract_classifier.py``). The classifier only rescores rule candidates: run
over every passage to propose, for a field the rules left empty, its most probable passage, it
was right 4 times and wrong 34 (probability >= 0.99; 8 against 145 at >= 0.9) on the
development contracts: it was trained against other clauses, never against ordinary prose, so
it is sure of far too many passages. It does not propose.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.contracts.classifier import ClauseClassifier, shipped_classifier
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


def pool_of(spec: FieldSpec, candidates: Sequence[Match], *, margin: float = POOL_MARGIN,
            size: int = MAX_CANDIDATES) -> list[Match]:
    """The field's best-scoring candidates within ``margin`` of its bar."""
    near = [match for match in candidates if match.score >= spec.min_score - margin]
    return sorted(near, key=lambda match: (-match.score, match.passage.index))[:size]


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


@dataclass(frozen=True)
class Setting:
    """How the learned classifier's probability joins the rule score."""

    weight: float  # rule points per unit of probability
    centre: float  # the probability at which a candidate's rule score is left as it is
    margin: float = POOL_MARGIN  # candidates this far below the field's bar are read


CLASSIFIER_SETTING = Setting(1.0, 0.3)


class ClassifierChances:
    """Each field's probability for every pooled candidate text of one contract."""

    def __init__(self, texts: Sequence[str], chances: dict[str, np.ndarray]) -> None:
        self._row = {text: number for number, text in enumerate(texts)}
        self._chances = chances

    def of(self, key: str, match: Match) -> float:
        return float(self._chances[key][self._row[match.passage.text[:UNIT_CHARS]]])


class ClassifierComplement:
    """Rescores each field's best rule candidates by the learned classifier's probability
    (:mod:`app.contracts.classifier`): ``rule score + weight * (probability - centre)``."""

    def __init__(self, embedder: Embedder, classifier: ClauseClassifier | None = None, *,
                 setting: Setting = CLASSIFIER_SETTING,
                 fields: Sequence[FieldSpec] = FIELDS) -> None:
        self.embedder, self.setting = embedder, setting
        self.classifier = classifier or shipped_classifier()
        self.fields = [spec for spec in fields if spec.key in self.classifier.fields]

    def read(self, candidates: dict[str, list[Match]], *, margin: float | None = None,
             cancel: CancelFn = never_cancel) -> ClassifierChances:
        """The pooled candidates embedded, each text once, in length order (less padding)."""
        margin = self.setting.margin if margin is None else margin
        texts = sorted({match.passage.text[:UNIT_CHARS] for spec in self.fields
                        for match in pool_of(spec, candidates.get(spec.key, []), margin=margin)},
                       key=lambda text: (len(text), text))
        check_cancelled(cancel)
        vectors = self.embedder.embed(texts, cancel=cancel) if texts else np.zeros((0, 0))
        return ClassifierChances(texts, self.classifier.probabilities(vectors))

    def combine(self, candidates: dict[str, list[Match]], chances: ClassifierChances,
                setting: Setting | None = None) -> dict[str, list[Match]]:
        """``candidates`` with each field's pool rescored (the rest kept as they are)."""
        setting = setting or self.setting
        combined = dict(candidates)
        for spec in self.fields if setting.weight else ():
            own = candidates.get(spec.key, [])
            pooled = {id(match) for match in pool_of(spec, own, margin=setting.margin)}
            combined[spec.key] = [replace(match, score=match.score + setting.weight * (
                chances.of(spec.key, match) - setting.centre)) if id(match) in pooled else match
                for match in own]
        return combined

    def rescore(self, candidates: dict[str, list[Match]], *,
                cancel: CancelFn = never_cancel) -> dict[str, list[Match]]:
        return self.combine(candidates, self.read(candidates, cancel=cancel))


class MeaningComplement:
    """The app's complement: the learned classifier for the fields it was trained on, the
    description similarity for the others (the parties and the agreement date, which CUAD
    labels as names and dates rather than clauses)."""

    def __init__(self, embedder: Embedder, classifier: ClauseClassifier | None = None) -> None:
        self.learned = ClassifierComplement(embedder, classifier)
        known = {spec.key for spec in self.learned.fields}
        self.described = SemanticComplement(
            embedder, fields=[spec for spec in FIELDS if spec.key not in known])

    def rescore(self, candidates: dict[str, list[Match]], *,
                cancel: CancelFn = never_cancel) -> dict[str, list[Match]]:
        described = self.described.rescore(candidates, cancel=cancel)
        return self.learned.rescore(described, cancel=cancel)


_COMPLEMENTS: weakref.WeakKeyDictionary[Embedder, MeaningComplement] = \
    weakref.WeakKeyDictionary()


def complement_for(embedder: Embedder) -> MeaningComplement:
    """One complement per embedder, so the descriptions are embedded once per session."""
    complement = _COMPLEMENTS.get(embedder)
    if complement is None:
        complement = _COMPLEMENTS[embedder] = MeaningComplement(embedder)
    return complement
