"""The text of a cited page, to check a citation against: read again from the file on disk when
the file still holds the indexed content, else the copy the index kept at ingest time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.documents import content_hash
from rag.errors import DocumentRefused
from rag.loaders import load_bytes, read_bytes
from rag.loaders.pdf import extract_page
from rag.retrieval import Hit


class PageReader:
    def __init__(self, stored: Callable[[str, int], str | None] | None = None, *,
                 from_files: bool = True) -> None:
        """``from_files=False``: the stored pages only (a workspace that keeps redacted text)."""
        self._stored, self._from_files = stored, from_files
        self._cache: dict[tuple[str, int], str | None] = {}

    def text(self, hit: Hit) -> str | None:
        key = (hit.doc_id, hit.page)
        if key not in self._cache:
            from_file = self._from_file(hit) if self._from_files else None
            self._cache[key] = from_file or (self._stored(*key) if self._stored else None)
        return self._cache[key]

    @staticmethod
    def _from_file(hit: Hit) -> str | None:
        path = Path(hit.path)
        try:
            data = read_bytes(path)
            if content_hash(data) != hit.doc_id:
                return None
            if data[:1024].find(b"%PDF-") >= 0:
                return extract_page(data, hit.page)
            return load_bytes(path, data).page(hit.page).text
        except (DocumentRefused, KeyError, IndexError, OSError):
            return None
