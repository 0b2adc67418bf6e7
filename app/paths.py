"""Where Enclave keeps its files: one data directory per user, chosen once, never at import."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

HOME_OVERRIDE_VARIABLE = "ENCLAVE_HOME"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @classmethod
    def default(cls) -> DataPaths:
        override = os.environ.get(HOME_OVERRIDE_VARIABLE)
        if override:
            return cls(Path(override).expanduser().resolve())
        return cls(Path(platformdirs.user_data_dir("Enclave", appauthor=False)))

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def audit_file(self) -> Path:
        return self.root / "audit.jsonl"

    @property
    def history_dir(self) -> Path:
        return self.root / "history"

    @property
    def ocr_cache_dir(self) -> Path:
        """OCR results by content hash: re-reading a scan is instant (rag.ocr.cache)."""
        return self.root / "cache" / "ocr"

    def ensure(self) -> DataPaths:
        for folder in (self.root, self.models_dir, self.index_dir, self.logs_dir, self.history_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def bundled_models_dir() -> Path | None:
    """Models shipped beside the frozen app by the offline installer (payload/models)."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent.parent / "models"
    return folder if folder.is_dir() else None
