"""The ONNX embedder against plain sentence-transformers, and its start-up without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.embedder import Embedder, SentenceTransformerEmbedder

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
def test_onnx_embeddings_match_sentence_transformers(real_embedder: Embedder) -> None:
    reference = SentenceTransformerEmbedder()
    ours, theirs = real_embedder.embed(TEXTS), reference.embed(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert real_embedder.count_tokens(TEXTS[:3]) == reference.count_tokens(TEXTS[:3])


def test_embedding_order_does_not_depend_on_batching(real_embedder: Embedder) -> None:
    together = real_embedder.embed(TEXTS)
    alone = np.vstack([real_embedder.embed([text]) for text in TEXTS])
    assert np.allclose(together, alone, atol=1e-4)


def test_the_embedder_starts_without_importing_torch(real_embedder: Embedder) -> None:
    code = ("import sys; from rag.embedder import load_embedder; "
            "load_embedder().embed(['hello']); "
            "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
