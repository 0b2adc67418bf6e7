"""The e-mail recognizers (Presidio's, via tldextract, and ours) never reach the network."""

from __future__ import annotations

import pytest

from app.privacy.recognizers.contact import has_public_suffix


def test_public_suffixes_come_from_the_bundled_snapshot() -> None:
    assert has_public_suffix("example.co.uk")
    assert not has_public_suffix("localhost")


@pytest.mark.slow
def test_vanilla_presidio_email_recognizer_stays_offline() -> None:
    from tests.bench.pii_common import vanilla_presidio

    results = vanilla_presidio().analyze("Write to jane@example.com today.", "en")
    assert "EMAIL_ADDRESS" in {r.entity_type for r in results}


@pytest.mark.slow
def test_analyzer_loads_the_packaged_spacy_model_and_never_downloads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Presidio's own spaCy engine calls ``spacy.cli.download`` for a model it cannot find;
    ours loads the packaged model itself, so a download attempt fails this test."""
    import spacy.cli

    from app.privacy.analyzer import build_analyzer

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"spaCy tried to download a model: {args}")

    monkeypatch.setattr(spacy.cli, "download", refuse)
    findings = build_analyzer().analyze("Call Eleanor Marsh on 212-555-0193.")
    assert findings
