"""The real ONNX embedder and the sample workspace's documents in a real index on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.embedder import Embedder
from rag.ingest import ingest
from rag.library import Library
from tests.rag.conftest import real_embedder  # noqa: F401  (a session fixture)

SAMPLES = Path(__file__).resolve().parents[2] / "app" / "samples"


@pytest.fixture
def sample_library(tmp_path: Path, real_embedder: Embedder) -> Iterator[Library]:  # noqa: F811
    library = Library(tmp_path / "index")
    ingest(sorted(SAMPLES.glob("*.md")), workspace=library.workspace("sample"),
           embedder=real_embedder)
    yield library
    library.close()
