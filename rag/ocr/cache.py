"""OCR results kept by content: a re-run of the same page with the same engine is instant.

The key is the document's content hash, the page number, the resolution and the engine's
identity (program version and language), so a changed file or an upgraded engine reads anew.
Entries are written to a temporary file and renamed, so a crash never leaves half a result.
"""

from __future__ import annotations

import hashlib
import logging
import os
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

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"


def cache_key(source_hash: str, page: int, dpi: int, engine: str) -> str:
    return f"{source_hash}|{page}|{dpi}|{engine}"
