"""The stored name and place lists: what the pinned Faker gives, loaded as case-folded words."""

from __future__ import annotations

import pytest

from app.privacy import gazetteer


def test_the_stored_files_are_what_the_pinned_faker_gives() -> None:
    pytest.importorskip("faker", reason="faker is a development dependency (constraints.txt)")
    for path, text in gazetteer.file_texts().items():
        assert path.read_text(encoding="utf-8") == text, f"rebuild {path.name}: " \
            "python -m app.privacy.gazetteer"


def test_names_and_places_load_case_folded() -> None:
    assert gazetteer.is_given_name("Thomas") and gazetteer.is_given_name("ORSOLYA")
    assert gazetteer.is_surname("Marsh") and gazetteer.is_known_name("marsh")
    assert {"norway", "new york", "tunisia"} <= gazetteer.place_names()


def test_english_stop_words_and_comments_are_not_in_the_lists() -> None:
    for word in ("the", "will", "may", "can", "#"):
        assert word not in gazetteer.given_names() and word not in gazetteer.surnames()
    assert not any(name.startswith("#") for name in gazetteer.place_names())
