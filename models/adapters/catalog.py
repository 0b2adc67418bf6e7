"""The LoRA adapters a user has, each listed with the base model it was checked against.

Adapter files live in ``<models>/adapters`` with an ``adapters.json`` beside them. An import is
checked against its base model before anything is copied (architecture, every adapted weight's
shape), copied under a temporary name while hashing, and only then renamed into place and listed.
"""

from __future__ import annotations

import builtins
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from core.errors import ModelError
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from models.catalog import sha256_of, slug, stage_copy, write_json_atomically
from models.lora_gguf import check_fits

ADAPTERS_FILE = "adapters.json"


@dataclass(frozen=True)
class AdapterInfo:
    id: str
    file_name: str
    name: str
    architecture: str
    base_model_id: str  # the installed model it was checked against
    base_sha256: str
    rank: int
    alpha: float
    adapted_weights: int
    size_bytes: int
    sha256: str
    added_at: float = 0.0
    shipped: bool = False  # came with Enclave rather than imported by the user


class AdapterCatalog:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def list(self) -> list[AdapterInfo]:
        return sorted(self._read().values(), key=lambda info: (not info.shipped, info.name))

    def get(self, adapter_id: str) -> AdapterInfo:
        entries = self._read()
        if adapter_id not in entries:
            known = ", ".join(sorted(entries)) or "none"
            raise ModelError(f"No adapter called {adapter_id!r} is installed "
                             f"(installed: {known}).")
        return entries[adapter_id]

    def path_of(self, info: AdapterInfo) -> Path:
        return self.folder / info.file_name

    def for_base(self, base_model_id: str) -> builtins.list[AdapterInfo]:
        return [info for info in self.list() if info.base_model_id == base_model_id]

    def verify(self, info: AdapterInfo, *, cancel: CancelFn = never_cancel) -> bool:
        path = self.path_of(info)
        return path.is_file() and sha256_of(path, cancel=cancel) == info.sha256

    def import_file(self, source: Path, *, base_path: Path, base_model_id: str,
                    base_sha256: str, shipped: bool = False, progress: ProgressFn = no_progress,
                    cancel: CancelFn = never_cancel) -> AdapterInfo:
        """Check ``source`` fits the model at ``base_path``, then copy it in and list it."""
        source = Path(source).expanduser()
        metadata = check_fits(source, base_path)
        adapter_id = slug(source.stem, fallback="adapter")
        if adapter_id in self._read():
            raise ModelError(f"An adapter called {adapter_id!r} is already installed.")
        staged, sha = stage_copy(self.folder, [source], progress=progress, cancel=cancel)
        info = AdapterInfo(
            id=adapter_id, file_name=f"{adapter_id}.gguf", name=metadata.name,
            architecture=metadata.architecture, base_model_id=base_model_id,
            base_sha256=base_sha256, rank=metadata.rank, alpha=metadata.alpha,
            adapted_weights=len(metadata.adapted), size_bytes=metadata.size_bytes, sha256=sha,
            added_at=time.time(), shipped=shipped)
        try:
            os.replace(staged, self.path_of(info))
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        self._write({**self._read(), adapter_id: info})
        return info

    def remove(self, adapter_id: str) -> None:
        info = self.get(adapter_id)
        entries = self._read()
        del entries[adapter_id]
        self._write(entries)
        self.path_of(info).unlink(missing_ok=True)

    def _read(self) -> dict[str, AdapterInfo]:
        path = self.folder / ADAPTERS_FILE
        if not path.exists():
            return {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return {item["id"]: AdapterInfo(**item) for item in raw.get("adapters", [])}
        except (ValueError, TypeError, KeyError) as error:
            raise ModelError(f"The adapter list {path} is damaged ({error}); "
                             "remove it and import the adapters again.") from None

    def _write(self, entries: dict[str, AdapterInfo]) -> None:
        write_json_atomically(self.folder / ADAPTERS_FILE,
                              {"adapters": [asdict(info) for info in entries.values()]})


def describe_adapter(info: AdapterInfo) -> dict[str, str]:
    """What the adapter list shows, column by column (the CLI and the dialog)."""
    return {
        "Base model": info.base_model_id,
        "Rank": str(info.rank),
        "Weights": str(info.adapted_weights),
        "Size": f"{info.size_bytes / 2**20:,.1f} MB",
        "Source": "shipped" if info.shipped else "imported",
    }
