"""Hybrid retrieval and ChatService with fakes: fusion, filters, citations checked, not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.chat import NOT_FOUND, ChatService, check_citations, cited_numbers
from rag.ingest import ChunkingOptions, ingest
from rag.library import Workspace
from rag.retrieval import HybridRetriever, reciprocal_rank_fusion
from rag.store import keyword_query
from tests.rag.fakes import FakeEmbedder, FakeRuntime, write_pdf

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


def _chat(workspace: Workspace, embedder: FakeEmbedder, answer: str,
          min_relevance: float = 0.3) -> tuple[ChatService, FakeRuntime]:
    runtime = FakeRuntime(answer)
    service = ChatService(lambda name: HybridRetriever(workspace, embedder), runtime,
                          system_prompt="Answer from the sources.", top_k=3,
                          min_relevance=min_relevance)
    return service, runtime


def test_answer_cites_numbered_sources_and_citations_are_verified(
        filled: Workspace, fake_embedder: FakeEmbedder) -> None:
    service, runtime = _chat(filled, fake_embedder,
                             'Client call records are "kept for seven years" [1].')
    streamed: list[str] = []
    answer = service.ask("How long are client calls kept?", workspace="matter-1",
                         on_token=streamed.append)
    assert answer.found and "".join(streamed).strip() == answer.text
    assert runtime.requests[0].context.startswith("[1] (policy.pdf, page 2)")
    (citation,) = answer.citations
    assert citation.verified and citation.hit is not None and citation.hit.page == 2


def test_a_quote_that_is_not_on_the_page_fails_the_check(filled: Workspace,
                                                         fake_embedder: FakeEmbedder) -> None:
    service, _ = _chat(filled, fake_embedder,
                       'Records are "kept for ten years in a vault" [1].')
    answer = service.ask("How long are client calls kept?", workspace="matter-1")
    assert not answer.citations[0].verified
    assert "quoted text not on page" in answer.citations[0].detail


def test_a_citation_to_a_source_that_was_not_given_is_flagged(
        filled: Workspace, fake_embedder: FakeEmbedder) -> None:
    service, _ = _chat(filled, fake_embedder, "Seven years [1], per the archive rules [7].")
    answer = service.ask("How long are client calls kept?", workspace="matter-1")
    assert [(c.number, c.verified) for c in answer.citations] == [(1, True), (7, False)]


def test_a_passage_changed_since_indexing_fails_the_check(filled: Workspace,
                                                          fake_embedder: FakeEmbedder) -> None:
    hits = HybridRetriever(filled, fake_embedder).search("client calls seven years", top_k=1)
    (citation,) = check_citations("See [1].", hits, lambda hit: "a different page text")
    assert not citation.verified and "passage not found" in citation.detail


def test_nothing_relevant_says_not_found_and_never_asks_the_model(
        filled: Workspace, fake_embedder: FakeEmbedder) -> None:
    service, runtime = _chat(filled, fake_embedder, "invented", min_relevance=0.9)
    answer = service.ask("Who won the football match yesterday?", workspace="matter-1")
    assert not answer.found and answer.text == NOT_FOUND and runtime.requests == []


@pytest.mark.parametrize(("text", "numbers"), [
    ("A [1] and B [2].", [1, 2]), ("Both [1, 3].", [1, 3]), ("No citation.", []),
    ("Repeated [2] [2].", [2]),
])
def test_cited_numbers(text: str, numbers: list[int]) -> None:
    assert cited_numbers(text) == numbers


def test_a_model_that_starts_writing_its_own_sources_is_stopped(
        filled: Workspace, fake_embedder: FakeEmbedder) -> None:
    service, _ = _chat(filled, fake_embedder, "Seven years [1].\n[2] (policy.pdf, page 9) made up "
                                              "text that goes on and on")
    streamed: list[str] = []
    answer = service.ask("How long are client calls kept?", workspace="matter-1",
                         on_token=streamed.append)
    assert answer.text == "Seven years [1]." and "".join(streamed).strip() == answer.text
    assert [citation.number for citation in answer.citations] == [1]
