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
from models.adapters.catalog import AdapterCatalog, AdapterInfo
from models.catalog import EMBEDDED_MODEL_ID, ModelCatalog, ModelInfo
from models.llm import LlmRuntime
from models.runtime import GenerationOptions

log = logging.getLogger(__name__)


class ModelService:
    def __init__(self, catalog: ModelCatalog, runtime: LlmRuntime, settings: SettingsStore, *,
                 bundled_dir: Callable[[], Path | None] = bundled_models_dir,
                 audit: AuditTrail = NO_AUDIT) -> None:
        self.catalog, self.runtime, self._settings = catalog, runtime, settings
        self.adapters = AdapterCatalog(catalog.models_dir / "adapters")
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

    # ----- adapters (one per workspace, on top of the active model)
    def adapter_for(self, workspace: str | None = None) -> AdapterInfo | None:
        """The adapter chosen for ``workspace`` (the last used one by default), if any."""
        settings = self._settings.current
        chosen = settings.llm.workspace_adapters.get(workspace or settings.last_workspace)
        return self.adapters.get(chosen) if chosen else None

    def use_adapter(self, workspace: str, adapter_id: str | None) -> AdapterInfo | None:
        """Answer in ``workspace`` with ``adapter_id`` on top of the model (None: without)."""
        info = self.adapters.get(adapter_id) if adapter_id else None
        chosen = dict(self._settings.current.llm.workspace_adapters)
        if info is None:
            chosen.pop(workspace, None)
        else:
            chosen[workspace] = info.id
        self._settings.update("llm", workspace_adapters=chosen)
        self._audit.record("adapter_switch", workspace=workspace,
                           adapter_id=info.id if info else None,
                           sha256=info.sha256 if info else None)
        return info

    def import_adapter(self, path: Path, *, progress: ProgressFn = no_progress,
                       cancel: CancelFn = never_cancel) -> AdapterInfo:
        """A firm's own adapter, checked against the active model before it is copied in."""
        base = self.active(progress=progress, cancel=cancel)
        info = self.adapters.import_file(path, base_path=self.catalog.path_of(base),
                                         base_model_id=base.id, base_sha256=base.sha256,
                                         progress=progress, cancel=cancel)
        self._audit.record("adapter_import", adapter_id=info.id, sha256=info.sha256,
                           base_model_id=base.id)
        return info

    def ensure_loaded(self, *, progress: ProgressFn = no_progress,
                      cancel: CancelFn = never_cancel) -> ModelInfo:
        with self._lock:
            info = self.active(progress=progress, cancel=cancel)
            path = self.catalog.path_of(info)
            adapter = self._adapter_path(info)
            if self.runtime.model_path != path or self.runtime.adapter_path != adapter:
                self._load(info, path, progress, cancel, adapter)
            return info

    def _adapter_path(self, model: ModelInfo) -> Path | None:
        adapter = self.adapter_for()
        if adapter is None:
            return None
        if adapter.base_model_id != model.id:
            raise ModelError(f"The adapter {adapter.name!r} chosen for this workspace was made "
                             f"for the model {adapter.base_model_id!r}, not {model.id!r}. "
                             "Choose another adapter in Settings, or none.")
        return self.adapters.path_of(adapter)

    def _load(self, info: ModelInfo, path: Path, progress: ProgressFn,
              cancel: CancelFn, adapter: Path | None = None) -> None:
        if not path.is_file():
            raise ModelError(f"The file of model {info.id!r} is missing: {path}. "
                             "Import it again.")
        check_cancelled(cancel)
        progress(0.0, f"Loading {info.name}" + (f" with {adapter.stem}" if adapter else ""))
        self.runtime.load(path, prompt_style=info.prompt_style,
                          context_length=info.context_length, adapter=adapter)
        if cancel():  # llama.cpp cannot stop mid-load: drop what a cancelled load made
            self.runtime.unload()
            raise Cancelled("Model loading was cancelled.")
        log.info("loaded model %s (%s, ctx %d)", info.id, info.quantization,
                 self.runtime.n_ctx)

    def generation_options(self) -> GenerationOptions:
        llm = self._settings.current.llm
        return GenerationOptions(max_tokens=llm.max_tokens, temperature=llm.temperature)
