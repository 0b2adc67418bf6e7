"""Fixtures for the document library: fake and real embedders, workspaces on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.embedder import DEFAULT_VARIANT, Embedder, load_embedder
from rag.library import Library, Workspace
from rag.onnx_export import exported_model
from tests.rag.fakes import FakeEmbedder


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The product's default ONNX embedder, int8 (exported by set-up; exported here once if it
    is missing)."""
    return load_embedder(DEFAULT_VARIANT,
                         model=exported_model(tmp_path_factory.mktemp("embedder"), DEFAULT_VARIANT))


@pytest.fixture(scope="session")
def fp32_embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The fp32 ONNX embedder: the default before int8, still used by workspaces it filled."""
    return load_embedder("fp32", model=exported_model(tmp_path_factory.mktemp("embedder-fp32"),
                                                      "fp32"))


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "index")
    yield library
    library.close()


@pytest.fixture
def workspace(library: Library) -> Workspace:
    return library.workspace("matter-1")
