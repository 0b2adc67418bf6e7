"""The adapter's training examples, built from CUAD's real label file."""

from __future__ import annotations

import re

import pytest

from app.answers.phrasing import SYSTEM as PHRASING_SYSTEM
from models.adapters.data import NOT_STATED, SYSTEM, Example, examples, read_rows, split_of
from tests.bench.answer_labels import split_of as evaluation_split


@pytest.fixture(scope="module")
def built() -> list[Example]:
    return list(examples(read_rows(), seed=19))


def test_the_prompt_is_the_answer_pipelines_own() -> None:
    assert SYSTEM == PHRASING_SYSTEM


def test_contracts_the_evaluation_holds_out_never_reach_training(built: list[Example]) -> None:
    assert {e.split for e in built} == {"train", "held-out"}
    for example in built:
        held_out = evaluation_split(example.contract) == "held-out"
        assert (example.split == "held-out") == held_out == (split_of(example.contract) ==
                                                              "held-out")


def test_an_answer_cites_the_passage_that_states_it(built: list[Example]) -> None:
    answered = [e for e in built if not e.field.endswith(":not_stated")]
    assert len(answered) > 500
    for example in answered:
        number = re.search(r"\[(\d)\]\.\n$", example.answer)
        assert number, example.answer
        cited = re.search(rf"^\[{number.group(1)}\] \(.*", example.prompt, re.MULTILINE)
        assert cited, example.prompt
        figures = re.findall(r"\d+", example.answer[:number.start()])
        assert all(figure in cited.group(0) for figure in figures if len(figure) == 4)


def test_some_examples_give_only_distractors_and_say_so(built: list[Example]) -> None:
    unstated = [e for e in built if e.field.endswith(":not_stated")]
    assert 0.05 < len(unstated) / len(built) < 0.3
    assert all(e.answer == f" {NOT_STATED}\n" for e in unstated)


def test_the_same_seed_gives_the_same_examples() -> None:
    rows = read_rows()[:40]
    assert list(examples(rows, seed=3)) == list(examples(rows, seed=3))
