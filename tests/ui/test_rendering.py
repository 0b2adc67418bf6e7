"""The plain parts of the window: page highlighting, transcript links, Markdown export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.history import CitationRef, Exchange, to_markdown
from ui.highlight import PASSAGE_COLOUR, colour_of, legend_html, page_html
from ui.transcript import ON_DARK, answer_html, parse_citation_href, sources_html, transcript_html


@dataclass(frozen=True)
class FakeFinding:
    entity_type: str
    start: int
    end: int


REF = CitationRef(1, "lease.pdf", "/docs/lease.pdf", "abc123", 2, 0, 10, "Rent is due",
                  True, "verified on page 2")


def test_findings_are_wrapped_in_their_type_colour_and_text_is_escaped() -> None:
    html = page_html("Call <Ann> at 555", [FakeFinding("PERSON", 5, 12)])
    assert f"background:{colour_of('PERSON')}" in html and "&lt;Ann&gt;" in html
    assert "title='PERSON'" in html


def test_the_passage_wins_over_findings_it_overlaps() -> None:
    html = page_html("Ann Lee pays rent.", [FakeFinding("PERSON", 0, 7)], passage=(0, 18))
    assert PASSAGE_COLOUR in html and "PERSON" not in html and "name='passage'" in html


@pytest.mark.parametrize("passage", [(5, 2), (0, 99), (-1, 3)])
def test_an_impossible_passage_is_ignored(passage: tuple[int, int]) -> None:
    assert PASSAGE_COLOUR not in page_html("short text", [], passage=passage)


def test_legend_lists_types_with_counts() -> None:
    legend = legend_html(Counter({"PERSON": 3, "EMAIL_ADDRESS": 1}))
    assert "Person&nbsp;<b>3</b>" in legend
    assert "Email&nbsp;Address&nbsp;<b>1</b>" in legend, "a chip must not break inside"
    assert "No personal data" in legend_html(Counter())


@pytest.mark.parametrize(("text", "links"), [
    ("Rent is due monthly [1].", ["cite:7:1"]),
    ("See [1, 2] and [9].", ["cite:7:1", "cite:7:2"]),
    ("No citation here.", []),
])
def test_known_citations_become_links(text: str, links: list[str]) -> None:
    html = answer_html(text, 7, {1, 2})
    assert [part.split("'")[0] for part in html.split("href='")[1:]] == links


def test_the_whole_bracketed_number_is_the_link_not_the_digit_alone() -> None:
    assert answer_html("Illinois [1].", 0, {1}) == "Illinois <a href='cite:0:1'>[1]</a>."
    assert answer_html("See [1, 9].", 0, {1}) == "See <a href='cite:0:1'>[1]</a> [9]."
    assert answer_html("Section [4] applies.", 0, {1}) == "Section [4] applies."


@pytest.mark.parametrize(("href", "target"), [
    ("cite:0:1", (0, 1)), ("cite:12:3", (12, 3)), ("http://x", None), ("cite:a:1", None),
    ("cite:0:1:2", (0, 1)), ("cite:0:1:x", None),
])
def test_citation_links_parse_back(href: str, target: tuple[int, int] | None) -> None:
    assert parse_citation_href(href) == target


def test_sources_show_whether_each_citation_was_verified() -> None:
    uncited = CitationRef(2, "memo.txt", "/m", "d", 1, 0, 1, "x", False, "", cited=False)
    html = sources_html([uncited, REF], 0)
    assert html.index("[1]") < html.index("[2]")
    assert "✓ verified" in html and "not cited" in html


def test_markdown_export_lists_sources_with_their_check() -> None:
    text = to_markdown("Lease", [Exchange("When?", "Monthly [1].", [REF], stopped=True)])
    assert "# Conversation — Lease" in text and "*(stopped)*" in text
    assert "[1] lease.pdf, page 2 (verified): “Rent is due”" in text


def test_status_colours_stay_readable_on_a_dark_palette() -> None:
    ref = CitationRef(number=1, source="a.pdf", path="a.pdf", doc_id="d", page=1, start=0,
                      end=5, text="x", verified=True)
    exchanges = [Exchange("Q?", "A [1].", [ref])]
    light = transcript_html(exchanges, "#f7f7f7")
    dark = transcript_html(exchanges, "#333333")
    assert "color:#2e7d32" in light and "color:#2e7d32" not in dark
    assert f"color:{ON_DARK['#2e7d32']}" in dark


@pytest.mark.parametrize(("name", "chosen", "expected"), [
    ("intake.redacted.md", "PDF (*.pdf)", "intake.redacted.pdf"),  # type changed, name kept
    ("intake.redacted", "PDF (*.pdf)", "intake.redacted.pdf"),
    ("intake.redacted.md", "Markdown (*.md)", "intake.redacted.md"),
    ("mine.txt", "PDF (*.pdf)", "mine.txt"),  # a suffix the user typed is theirs
    ("mine.pdf", "Markdown (*.md)", "mine.pdf"),
])
def test_the_redacted_copy_takes_the_file_type_chosen_in_the_dialog(
        name: str, chosen: str, expected: str) -> None:
    from ui.review_view import with_chosen_type

    assert with_chosen_type(Path("/d") / name, chosen, ".md") == Path("/d") / expected
