"""The document library's fixtures (workspaces on disk, fake and real embedders)."""

from tests.rag.conftest import fake_embedder, library, real_embedder, workspace

__all__ = ["fake_embedder", "library", "real_embedder", "workspace"]
