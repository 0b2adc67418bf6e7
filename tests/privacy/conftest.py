"""The real analyzer (Presidio + spaCy), built once per test session."""

from __future__ import annotations

import pytest

from app.privacy.analyzer import PiiAnalyzer, build_analyzer


@pytest.fixture(scope="session")
def analyzer() -> PiiAnalyzer:
    return build_analyzer()


def found(analyzer: PiiAnalyzer, text: str) -> set[tuple[str, str]]:
    """(entity type, value) of every finding in ``text``."""
    return {(f.entity_type, text[f.start:f.end]) for f in analyzer.analyze(text)}
