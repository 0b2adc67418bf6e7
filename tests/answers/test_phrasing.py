"""The model's wording is cut at the prompt's markers, a loop, or a word budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.answers.phrasing import collect, repeats, tidy


class Stream:
    """A generator-like stream that records whether generation was stopped."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces, self.closed, self.taken = pieces, False, 0

    def __iter__(self) -> Iterator[str]:
        for piece in self.pieces:
            self.taken += 1
            yield piece

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("pieces", "expected"), [
    (["Ninety (90) days", "' notice [1].", "\nQuestion:", " what else?"],
     "Ninety (90) days' notice."),
    (["Answer: ", "The laws of New York govern", ".", " Question: Who"],
     "The laws of New York govern."),
    (["90 days [1].", "\n[2] (file.pdf, page 3) made up"], "90 days."),
    (["It is 2015-03-13.", " Answer: 2015-03-13", " Answer: 2015-03-13"], "It is 2015-03-13."),
])
def test_the_wording_stops_at_the_prompts_own_markers(pieces: list[str], expected: str) -> None:
    assert collect(iter(Stream(pieces))) == expected


def test_generation_is_stopped_once_the_model_loops() -> None:
    stream = Stream(["Answer is 5 days", " and 5 days", " and 5 days", " and 5 days"] * 20)
    text = collect(stream.__iter__())
    assert stream.taken < 10
    assert not repeats(text[: text.rfind(" and 5 days")] if " and 5 days" in text else text)


def test_a_long_ramble_is_cut_to_one_sentence() -> None:
    words = [f" w{number}" for number in range(200)]
    stream = Stream(words)
    text = collect(stream.__iter__())
    assert stream.taken < 60 and len(text.split()) <= 46


@pytest.mark.parametrize(("text", "expected"), [
    ('"Ninety days." [1] More text.', "Ninety days."),
    ("The notice is 90 days [1, 2].", "The notice is 90 days."),
])
def test_tidy_keeps_one_sentence_without_citation_marks(text: str, expected: str) -> None:
    assert tidy(text) == expected
