"""Chunking: verbatim slices of the page, bounded size, overlap, paragraphs respected."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chunking import chunk_document, chunk_page, count_words
from rag.documents import LoadedDocument, Page

SENTENCE = "The supplier shall deliver the goods within thirty days of each order."


def _page(text: str, number: int = 1) -> Page:
    return Page(number, text)


def _chunks(text: str, max_tokens: int = 60, overlap: int = 15) -> list:
    return list(chunk_page(_page(text), max_tokens=max_tokens, overlap_tokens=overlap,
                           count=count_words))


def _pairs(chunks: list) -> list:
    return list(zip(chunks, chunks[1:], strict=False))


def test_every_chunk_is_a_verbatim_slice_of_its_page() -> None:
    text = "\n\n".join(" ".join([SENTENCE] * 4) for _ in range(6))
    for chunk in _chunks(text):
        assert text[chunk.start:chunk.end] == chunk.text


def test_chunks_stay_within_the_token_budget() -> None:
    text = " ".join([SENTENCE] * 40)
    assert all(count_words([chunk.text])[0] <= 60 + 2 for chunk in _chunks(text))


def test_consecutive_chunks_overlap() -> None:
    chunks = _chunks(" ".join(f"Sentence number {n} is here." for n in range(80)))
    assert len(chunks) > 2
    assert all(later.start < earlier.end for earlier, later in _pairs(chunks))


def test_without_overlap_chunks_do_not_overlap() -> None:
    chunks = _chunks(" ".join(f"Sentence number {n} is here." for n in range(80)), overlap=0)
    assert all(later.start >= earlier.end for earlier, later in _pairs(chunks))


def test_whole_text_is_covered() -> None:
    text = " ".join(f"Clause {n} applies." for n in range(200))
    chunks = _chunks(text)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    assert all(later.start <= earlier.end for earlier, later in _pairs(chunks))


def test_a_chunk_breaks_at_a_paragraph_rather_than_mid_paragraph() -> None:
    first = " ".join(["Alpha terms apply here."] * 9)
    second = " ".join(["Beta terms apply here."] * 9)
    chunks = _chunks(f"{first}\n\n{second}", max_tokens=70, overlap=0)
    assert chunks[0].text == first


def test_a_sentence_longer_than_a_chunk_is_split_at_words() -> None:
    text = " ".join(f"word{n}" for n in range(400))
    chunks = _chunks(text, max_tokens=50, overlap=0)
    assert len(chunks) > 5 and all(chunk.text == text[chunk.start:chunk.end] for chunk in chunks)


def test_chunks_never_cross_pages_and_are_numbered() -> None:
    document = LoadedDocument(Path("d.pdf"), "pdf", (
        _page(" ".join([SENTENCE] * 10), 1), _page("Short second page.", 2)))
    chunks = chunk_document(document, max_tokens=60, overlap_tokens=10, count=count_words)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert chunks[-1].page == 2 and chunks[-1].text == "Short second page."


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_page_gives_no_chunks(text: str) -> None:
    assert _chunks(text) == []
