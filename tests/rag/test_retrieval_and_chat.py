"""Hybrid retrieval with fakes: fusion, filters, passages, neighbours; citations checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.answers.check import check_citations, cited_numbers
from rag.ingest import ChunkingOptions, ingest
from rag.library import Workspace
from rag.retrieval import HybridRetriever, reciprocal_rank_fusion
from rag.store import keyword_query
from tests.rag.fakes import FakeEmbedder, write_pdf

TEXTS = {
    "lease.txt": "The tenant pays rent monthly. The lease term is five years. "
                 "Rent escalates by three percent annually.",
    "nda.txt": "Confidential information excludes public knowledge. The obligations of "
               "confidentiality survive for two years after termination.",
    "loan.txt": "The borrower repays principal quarterly. The interest rate is SOFR plus "
                "two hundred basis points.",
}


@pytest.fixture
def filled(tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> Workspace:
    paths = []
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    paths.append(write_pdf(tmp_path / "policy.pdf", [
        "Cover page of the retention policy.",
        "Records of client calls are kept for seven years in the archive.",
    ]))
    ingest(paths, workspace=workspace, embedder=fake_embedder,
           chunking=ChunkingOptions(max_tokens=60, overlap_tokens=0))
    return workspace


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "d"]])
    assert [item for item, _ in fused][:2] == ["b", "c"] or fused[0][0] in {"b", "c"}
    assert {item for item, _ in fused} == {"a", "b", "c", "d"}


def test_keyword_query_drops_stopwords_and_quotes_terms() -> None:
    assert keyword_query('What is the "interest" rate?') == '"interest" OR "rate"'
    assert keyword_query("the of and") == ""


@pytest.mark.parametrize("mode", ["hybrid", "vector", "keyword"])
def test_each_mode_finds_the_document_that_answers(filled: Workspace,
                                                   fake_embedder: FakeEmbedder, mode: str) -> None:
    hits = HybridRetriever(filled, fake_embedder).search("interest rate SOFR basis points",
                                                         top_k=3, mode=mode)
    assert Path(hits[0].path).name == "loan.txt"


def test_hits_carry_page_and_exact_passage(filled: Workspace, fake_embedder: FakeEmbedder) -> None:
    (hit,) = HybridRetriever(filled, fake_embedder).search("client calls kept seven years archive",
                                                           top_k=1)
    assert Path(hit.path).name == "policy.pdf" and hit.page == 2
    page = filled.store.page_text(hit.doc_id, 2)
    assert page is not None and page[hit.start:hit.end] == hit.text
    assert hit.similarity is not None and hit.similarity > 0.3


def test_document_filter_limits_both_searches(filled: Workspace,
                                              fake_embedder: FakeEmbedder) -> None:
    nda = next(r.doc_id for r in filled.documents() if r.paths[0].endswith("nda.txt"))
    hits = HybridRetriever(filled, fake_embedder).search("interest rate", top_k=5,
                                                         doc_ids=[nda])
    assert {hit.doc_id for hit in hits} == {nda}


def test_a_passage_changed_since_indexing_fails_the_check(filled: Workspace,
                                                          fake_embedder: FakeEmbedder) -> None:
    hits = HybridRetriever(filled, fake_embedder).search("client calls seven years", top_k=1)
    (citation,) = check_citations("See [1].", hits, lambda hit: "a different page text")
    assert not citation.verified and "passage not found" in citation.detail


@pytest.mark.parametrize(("text", "numbers"), [
    ("A [1] and B [2].", [1, 2]), ("Both [1, 3].", [1, 3]), ("No citation.", []),
    ("Repeated [2] [2].", [2]),
])
def test_cited_numbers(text: str, numbers: list[int]) -> None:
    assert cited_numbers(text) == numbers


def test_following_and_opening_passages_come_from_the_same_document(
        tmp_path: Path, workspace: Workspace, fake_embedder: FakeEmbedder) -> None:
    text = " ".join(f"Clause {number} says something about topic {number}." for number in range(60))
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    ingest([tmp_path / "long.txt"], workspace=workspace, embedder=fake_embedder,
           chunking=ChunkingOptions(max_tokens=40, overlap_tokens=0))
    retriever = HybridRetriever(workspace, fake_embedder)
    (hit,) = retriever.search("topic 30", top_k=1)
    (after,) = retriever.following([hit])
    assert after.doc_id == hit.doc_id and after.start >= hit.end - 1
    (opening,) = retriever.openings([hit.doc_id])
    assert opening.start == 0 and opening.text.startswith("Clause 0")
