"""The semantic complement: rule candidates rescored by MiniLM similarity to field descriptions.

The clauses here are written for these tests (not taken from any contract or data set).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from app.contracts.document import ContractText
from app.contracts.fields import FIELDS, spec_of
from app.contracts.finder import choose_all, field_candidates
from app.contracts.semantic import SemanticComplement, pool_of
from app.contracts.service import summarize_text
from core.errors import Cancelled
from core.jobs import CancelFn, never_cancel
from rag.embedder import Embedder
from tests.contracts.conftest import contract_of
from tests.rag.fakes import FakeEmbedder

OPENING = ('This Consulting Agreement is entered into on May 2, 2023 between Alder Ridge '
           'Software Inc. ("Company") and Mira Okafor ("Consultant").')
# A non-compete in plain words: it names competing, but none of the drafting the rules score.
PARAPHRASED_NON_COMPETE = ("For a year after the end of this agreement, the Consultant shall not "
                           "be involved in any company that competes with the Company.")
# Use competition words too, but restrict nobody.
UNRELATED = ("The Company shall keep its prices competitive with market rates for similar "
             "services.",
             "The Consultant may engage in other consulting work that does not conflict with the "
             "services.")


def non_compete_quotes(text: str, embedder: Embedder | None) -> list[str]:
    contract = contract_of([OPENING + "\n\n" + text])
    result = summarize_text(contract, allow_non_contract=True, embedder=embedder)
    field = result.field("non_compete")
    if not field.found or field.citation is None:
        return []
    return [field.citation.quote, *(more.quote for more in field.more_citations)]


def test_the_rules_alone_miss_the_paraphrased_non_compete() -> None:
    contract = contract_of([OPENING + "\n\n" + PARAPHRASED_NON_COMPETE])
    candidates = field_candidates(contract)
    assert not choose_all(contract, FIELDS, candidates)["non_compete"]
    assert pool_of(spec_of("non_compete"), candidates["non_compete"])  # but it is a candidate


def test_a_paraphrased_non_compete_is_found_by_meaning(real_embedder: Embedder) -> None:
    assert non_compete_quotes(PARAPHRASED_NON_COMPETE, real_embedder) == [
        PARAPHRASED_NON_COMPETE]


@pytest.mark.parametrize("clause", UNRELATED)
def test_an_unrelated_clause_is_not_taken_for_a_non_compete(clause: str,
                                                            real_embedder: Embedder) -> None:
    assert non_compete_quotes(clause, None) == []
    assert non_compete_quotes(clause, real_embedder) == []


class RecordingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        self.texts += list(texts)
        return super().embed(texts, cancel=cancel)


def test_only_rule_candidates_are_embedded_each_text_once(sample_contract: ContractText) -> None:
    embedder = RecordingEmbedder()
    complement = SemanticComplement(embedder)
    complement.descriptions()
    embedder.texts.clear()
    candidates = field_candidates(sample_contract)
    complement.rescore(candidates)
    pooled = {match.passage.text for spec in FIELDS if spec.cuad_columns
              for match in pool_of(spec, candidates[spec.key])}
    assert embedder.texts and len(embedder.texts) == len(set(embedder.texts))
    assert set(embedder.texts) == pooled
    assert len(embedder.texts) < len(sample_contract.passages)


def test_weight_zero_leaves_the_rule_scores(sample_contract: ContractText) -> None:
    complement = SemanticComplement(FakeEmbedder(), weight=0.0)
    candidates = field_candidates(sample_contract)
    assert complement.rescore(candidates) == candidates  # weight 0: the rules alone


def test_rescoring_can_be_cancelled(sample_contract: ContractText) -> None:
    with pytest.raises(Cancelled):
        SemanticComplement(FakeEmbedder()).rescore(field_candidates(sample_contract),
                                                   cancel=lambda: True)
