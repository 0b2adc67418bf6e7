"""Every input the fuzz campaign (``make fuzz``) found crashing a reader, kept small under
tests/fuzz/crashers/TARGET/, now returns or is refused with a message; and a short mutation run
of each reader shows the harness itself catches what it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.run import check
from tests.fuzz.targets import TARGETS, seeds

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # damaged TIFF tags
CRASHERS = sorted((Path(__file__).parent / "crashers").glob("*/*.bin"))


@pytest.mark.parametrize("crasher", CRASHERS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_kept_crasher_is_read_or_refused_with_a_message(crasher: Path) -> None:
    assert check(crasher.parent.name, crasher.read_bytes()) is None


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_seed_is_read_or_refused(target: str) -> None:
    found = list(seeds(target))
    assert found
    assert [check(target, data) for data in found] == [None] * len(found)


def test_the_harness_names_an_exception_that_is_not_a_refusal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TARGETS, "html", lambda data: data.decode("ascii"))
    failure = check("html", b"\xff")
    assert failure is not None and failure[0].startswith("UnicodeDecodeError at ")


def test_the_harness_stops_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def spin(data: bytes) -> None:
        while True:
            pass

    monkeypatch.setitem(TARGETS, "text", spin)
    failure = check("text", b"x", per_input=0.2)
    assert failure is not None and failure[0] == "hang over 0.2 s"
