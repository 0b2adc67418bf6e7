"""ModelService: which model is active, choosing another, and loading it into the runtime.

Loading is asked for from several worker threads (the window at start, a question, a contract
phrased by the model): a lock makes the second caller wait for the first load, not start its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from app.audit import NO_AUDIT, AuditTrail
from app.paths import bundled_models_dir
from app.settings import SettingsStore
from core.errors import Cancelled, ModelError
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from models.catalog import EMBEDDED_MODEL_ID, ModelCatalog, ModelInfo
from models.llm import LlmRuntime
from models.runtime import GenerationOptions

log = logging.getLogger(__name__)


class ModelService:
    def __init__(self, catalog: ModelCatalog, runtime: LlmRuntime, settings: SettingsStore, *,
                 bundled_dir: Callable[[], Path | None] = bundled_models_dir,
                 audit: AuditTrail = NO_AUDIT) -> None:
        self.catalog, self.runtime, self._settings = catalog, runtime, settings
        self._audit = audit
        self._bundled_dir = bundled_dir
        self._lock = threading.Lock()

    def active(self, *, progress: ProgressFn = no_progress,
               cancel: CancelFn = never_cancel) -> ModelInfo:
        """The model the user chose, falling back to the embedded one (installed on demand)."""
        wanted = self._settings.current.active_model
        if wanted and wanted != EMBEDDED_MODEL_ID:
            return self.catalog.get(wanted)
        return self.catalog.install_embedded(bundled_dir=self._bundled_dir(),
                                             progress=progress, cancel=cancel)

    def use(self, model_id: str) -> ModelInfo:
        info = self.catalog.get(model_id)
        self._settings.update("", active_model=info.id)
        self._audit.record("model_switch", model_id=info.id, sha256=info.sha256)
        return info

    def import_file(self, path: Path, *, progress: ProgressFn = no_progress,
                    cancel: CancelFn = never_cancel) -> ModelInfo:
        info = self.catalog.import_file(path, progress=progress, cancel=cancel)
        self._audit.record("model_import", model_id=info.id, sha256=info.sha256)
        return info

    def ensure_loaded(self, *, progress: ProgressFn = no_progress,
                      cancel: CancelFn = never_cancel) -> ModelInfo:
        with self._lock:
            info = self.active(progress=progress, cancel=cancel)
            path = self.catalog.path_of(info)
            if self.runtime.model_path != path:
                self._load(info, path, progress, cancel)
            return info

    def _load(self, info: ModelInfo, path: Path, progress: ProgressFn,
              cancel: CancelFn) -> None:
        if not path.is_file():
            raise ModelError(f"The file of model {info.id!r} is missing: {path}. "
                             "Import it again.")
        check_cancelled(cancel)
        progress(0.0, f"Loading {info.name}")
        self.runtime.load(path, prompt_style=info.prompt_style,
                          context_length=info.context_length)
        if cancel():  # llama.cpp cannot stop mid-load: drop what a cancelled load made
            self.runtime.unload()
            raise Cancelled("Model loading was cancelled.")
        log.info("loaded model %s (%s, ctx %d)", info.id, info.quantization,
                 self.runtime.n_ctx)

    def generation_options(self) -> GenerationOptions:
        llm = self._settings.current.llm
        return GenerationOptions(max_tokens=llm.max_tokens, temperature=llm.temperature)
