"""LibraryService: the document library as the app uses it (workspaces, ingest, retrieval).

The embedder is loaded on first use, so starting the app or listing documents stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from app.paths import DataPaths
from app.settings import RagSettings
from models.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.embedder import Embedder, load_embedder
from rag.ingest import ChunkingOptions, IngestReport, ingest
from rag.library import Library, Workspace
from rag.retrieval import HybridRetriever


class LibraryService:
    def __init__(self, paths: DataPaths, settings: RagSettings, *,
                 embedder: Embedder | None = None, library: Library | None = None) -> None:
        self.paths, self.settings = paths, settings
        self.library = library or Library(paths.index_dir)
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(export_dir=self.paths.root / "embedder")
            return self._embedder

    def workspace(self, name: str) -> Workspace:
        return self.library.workspace(name)

    def ingest(self, paths: Sequence[Path], *, workspace: str, password: str | None = None,
               progress: ProgressFn = no_progress,
               cancel: CancelFn = never_cancel) -> IngestReport:
        chunking = ChunkingOptions(self.settings.chunk_tokens, self.settings.chunk_overlap_tokens)
        return ingest(paths, workspace=self.workspace(workspace), embedder=self.embedder,
                      chunking=chunking, password=password, progress=progress, cancel=cancel)

    def retriever(self, workspace: str) -> HybridRetriever:
        return HybridRetriever(self.workspace(workspace), self.embedder)

    def purge(self, workspace: str, reference: str) -> list[str]:
        return self.workspace(workspace).remove(reference)

    def close(self) -> None:
        self.library.close()
