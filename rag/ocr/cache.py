"""OCR results kept by content: a re-run of the same page with the same engine is instant.

The key is the document's content hash, the page number, the resolution and the engine's
identity (program version and language), so a changed file or an upgraded engine reads anew.
Entries are written to a temporary file and renamed, so a crash never leaves half a result.
They are grouped by document, so purging a document deletes its OCR text too
(:meth:`OcrCache.forget`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from rag.ocr.scan import PageScan

log = logging.getLogger(__name__)


class OcrCache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def get(self, key: str) -> PageScan | None:
        path = self._path(key)
        try:
            return PageScan.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
            log.info("unusable OCR cache entry %s dropped: %s", path.name, error)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, scan: PageScan) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(scan.to_json())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def forget(self, source_hash: str) -> None:
        """Delete every entry of the document whose content hash is ``source_hash`` (a purge:
        its words must not stay readable here)."""
        shutil.rmtree(self._document_folder(source_hash), ignore_errors=True)

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self._document_folder(key.split("|", 1)[0]) / f"{digest}.json"

    def _document_folder(self, source_hash: str) -> Path:
        """Entries live under a digest of their document's hash, so a purge finds them all."""
        folder = hashlib.sha256(f"doc|{source_hash}".encode()).hexdigest()
        return self.folder / folder[:2] / folder


def cache_key(source_hash: str, page: int, dpi: int, engine: str) -> str:
    return f"{source_hash}|{page}|{dpi}|{engine}"
