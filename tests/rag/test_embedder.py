"""The ONNX embedder against plain sentence-transformers, and its start-up without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from rag.embedder import (
    DEFAULT_VARIANT,
    LEGACY_EMBEDDER,
    Embedder,
    SentenceTransformerEmbedder,
    embedder_name,
    load_embedder_named,
    variant_named,
)

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "What is the notice period for termination?",
    "Either party may terminate this Agreement upon thirty (30) days prior written notice. " * 6,
    "Net revenue increased 12% to $4.2 billion, driven by subscription growth.",
    "x",
    "Der Vertrag unterliegt deutschem Recht; Gerichtsstand ist München.",
    "word " * 400,  # longer than the model's window: both truncate at 256 tokens
]


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "closest"), [("fp32", 0.999), ("int8", 0.97)])
def test_onnx_embeddings_match_sentence_transformers(variant: str, closest: float,
                                                     request: pytest.FixtureRequest) -> None:
    """fp32 is the same model; int8 (7-bit weights) stays close (lowest measured: 0.977, on a
    one-letter text). Its retrieval quality is measured on NFCorpus by ``make eval``."""
    ours_embedder = request.getfixturevalue("real_embedder" if variant == DEFAULT_VARIANT
                                            else "fp32_embedder")
    reference = SentenceTransformerEmbedder()
    ours, theirs = ours_embedder.embed(TEXTS), reference.embed(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= closest, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert ours_embedder.count_tokens(TEXTS[:3]) == reference.count_tokens(TEXTS[:3])


def test_variants_have_names_of_their_own(real_embedder: Embedder,
                                          fp32_embedder: Embedder) -> None:
    """A workspace records the name of the embedder of its vectors: variants must differ."""
    assert real_embedder.name == embedder_name(DEFAULT_VARIANT) == "all-MiniLM-L6-v2-int8"
    assert fp32_embedder.name == LEGACY_EMBEDDER == "all-MiniLM-L6-v2-fp32"
    assert variant_named(real_embedder.name) == "int8"
    assert variant_named("all-MiniLM-L6-v2 (sentence-transformers)") is None
    with pytest.raises(ModelError, match="does not have"):
        load_embedder_named("some-other-model")


def test_embedding_order_does_not_depend_on_batching(fp32_embedder: Embedder) -> None:
    together = fp32_embedder.embed(TEXTS)
    alone = np.vstack([fp32_embedder.embed([text]) for text in TEXTS])
    assert np.allclose(together, alone, atol=1e-4)


def test_int8_batching_moves_vectors_only_slightly(real_embedder: Embedder) -> None:
    """int8 quantises activations with one range per batch, so a text's vector in a batch
    differs a little from its vector alone (measured: cosine 0.976 for the one-letter text,
    0.988 or more for the others); it must still be that text's vector, in that text's place."""
    together = real_embedder.embed(TEXTS)
    alone = np.vstack([real_embedder.embed([text]) for text in TEXTS])
    similarities = together @ alone.T
    assert np.diag(similarities).min() > 0.95, np.diag(similarities)
    assert (similarities.argmax(axis=1) == np.arange(len(TEXTS))).all()


def test_the_embedder_starts_without_importing_torch(real_embedder: Embedder) -> None:
    code = ("import sys; from rag.embedder import load_embedder; "
            "load_embedder().embed(['hello']); "
            "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
