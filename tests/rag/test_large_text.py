"""A large text file costs time and memory in proportion to its size (issue 29): counted in
bounded batches, loaded without a copy per word, refused unread over the limit, and ingested
after the smaller files of its batch. No timing: operation counts and traced memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pytest

from rag.chunking import COUNT_BATCH, MAX_SPAN_CHARS, chunk_document, count_words
from rag.errors import TooLarge
from rag.ingest import ChunkingOptions, ingest
from rag.library import Workspace
from rag.loaders import load_bytes, read_bytes
from tests.rag.fakes import FakeEmbedder

LINE = ("The Supplier shall indemnify the Customer against all losses arising from any "
        "breach of this Agreement by the Supplier.")


class CountingCounter:
    """The crude word counter, recording how much it is asked to count at once."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.longest = 0

    def __call__(self, texts: Sequence[str]) -> list[int]:
        self.batches.append(len(texts))
        self.longest = max([self.longest, *map(len, texts)])
        return count_words(texts)


def _text(megabytes: float, separator: str) -> bytes:
    unit = LINE + separator
    return (unit * int(megabytes * 1e6 / len(unit))).encode()


def _chunk(data: bytes, count: CountingCounter) -> list:
    document = load_bytes(Path("big.txt"), data)
    return chunk_document(document, max_tokens=200, overlap_tokens=40, count=count)


@pytest.mark.parametrize("separator", ["\n", "\n\n", " "])
def test_sentences_are_counted_in_bounded_batches_and_chunks_grow_linearly(
        separator: str) -> None:
    small, large = CountingCounter(), CountingCounter()
    small_chunks, large_chunks = _chunk(_text(0.25, separator), small), \
        _chunk(_text(1.0, separator), large)
    assert max(large.batches) <= COUNT_BATCH and large.longest <= MAX_SPAN_CHARS
    assert sum(large.batches) == pytest.approx(4 * sum(small.batches), rel=0.02)
    assert len(large_chunks) == pytest.approx(4 * len(small_chunks), rel=0.02)


def test_a_text_with_no_punctuation_or_line_break_is_cut_before_it_is_counted() -> None:
    count = CountingCounter()
    data = _text(1.0, " ").replace(b".", b"")
    chunks = _chunk(data, count)
    assert count.longest <= MAX_SPAN_CHARS
    assert all(count_words([chunk.text])[0] <= 200 + 2 for chunk in chunks)
    text = load_bytes(Path("big.txt"), data).pages[0].text
    assert all(text[chunk.start:chunk.end] == chunk.text for chunk in chunks)


def test_loading_and_chunking_a_large_text_takes_memory_in_proportion() -> None:
    """Before: a plain space matched one by one in normalisation took 12x the text at peak."""
    data = _text(4.0, "\n")
    tracemalloc.start()
    try:
        _chunk(data, CountingCounter())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(data), f"{peak / len(data):.1f}x the file's size"


def test_a_text_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(_text(1.2, "\n"))
    with pytest.raises(TooLarge) as refusal:
        read_bytes(big, max_text_mb=1)
    assert "over the 1 MB limit" in refusal.value.message
    assert "rag.max_text_mb" in refusal.value.message
    assert read_bytes(big, max_text_mb=2)[:10] == LINE[:10].encode()


def test_a_large_file_is_ingested_after_the_small_ones_and_reported_in_order(
        tmp_path: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rag.ingest.LARGE_FILE_BYTES", 500_000)
    huge, larger, small = tmp_path / "huge.txt", tmp_path / "larger.txt", tmp_path / "small.txt"
    huge.write_bytes(_text(1.5, "\n"))
    larger.write_bytes(_text(0.6, "\n").replace(b"Supplier", b"Vendor"))
    small.write_text("Payment is due within thirty days of the invoice.")
    started: list[str] = []
    report = ingest([huge, larger, small], workspace=workspace, embedder=FakeEmbedder(),
                    chunking=ChunkingOptions(max_text_mb=1),
                    progress=lambda fraction, name: started.append(name))
    assert [Path(result.path).name for result in report.results] == \
        ["huge.txt", "larger.txt", "small.txt"]
    assert [result.status for result in report.results] == ["refused", "indexed", "indexed"]
    assert report.results[0].reason == "too large"
    assert started.index("small.txt") < started.index("larger.txt")
    assert workspace.consistency_problems() == []
