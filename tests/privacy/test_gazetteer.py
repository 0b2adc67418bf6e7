"""The stored name and place lists: what the pinned source packages (``names``: 1990 US Census;
``pycountry``: ISO 3166) give, loaded as case-folded words; and the folder switch that the
evaluation's ablation uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.privacy import gazetteer


@pytest.fixture
def restore_lists() -> Iterator[None]:
    yield
    gazetteer.use_folder(gazetteer.DATA)


def test_the_stored_files_are_what_the_pinned_sources_give() -> None:
    pytest.importorskip("names", reason="names is a development dependency (constraints.txt)")
    pytest.importorskip("pycountry", reason="pycountry is a development dependency")
    for path, text in gazetteer.file_texts().items():
        assert path.read_text(encoding="utf-8") == text, f"rebuild {path.name}: " \
            "python -m app.privacy.gazetteer"


def test_names_and_places_load_case_folded() -> None:
    assert gazetteer.is_given_name("Thomas") and gazetteer.is_given_name("INGRID")
    assert gazetteer.is_surname("Marsh") and gazetteer.is_known_name("marsh")
    assert {"norway", "new york", "tunisia", "new south wales"} <= gazetteer.place_names()


def test_english_stop_words_generic_places_and_comments_are_not_in_the_lists() -> None:
    for word in ("the", "will", "may", "can", "#"):
        assert word not in gazetteer.given_names() and word not in gazetteer.surnames()
    assert not {"central", "coast", "eastern", "mary"} & gazetteer.place_names()
    assert not any(name.startswith("#") for name in gazetteer.place_names())


def test_the_lists_can_be_read_from_another_folder_or_switched_off(
        tmp_path: Path, restore_lists: None) -> None:
    for path, content in ((gazetteer.GIVEN_NAMES_FILE, "# test\nqorvanth\n"),
                          (gazetteer.SURNAMES_FILE, "ebbelund\n"),
                          (gazetteer.PLACES_FILE, "atlantis\n")):
        (tmp_path / path.name).write_text(content, encoding="utf-8")
    gazetteer.use_folder(tmp_path)
    assert gazetteer.is_given_name("Qorvanth") and not gazetteer.is_given_name("Thomas")
    assert gazetteer.place_names() == {"atlantis"}
    gazetteer.use_folder(None)
    assert not gazetteer.is_known_name("Thomas") and not gazetteer.place_names()
    gazetteer.use_folder(gazetteer.DATA)
    assert gazetteer.is_given_name("Thomas")
