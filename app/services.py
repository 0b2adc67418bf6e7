"""The one place that chooses implementations; everything else receives its collaborators.

Tests swap parts by passing them in (a fake runtime, a temporary data directory).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.paths import DataPaths, bundled_models_dir
from app.settings import Settings, load_settings, save_settings
from models.catalog import EMBEDDED_MODEL_ID, ModelCatalog, ModelInfo
from models.errors import ModelError
from models.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from models.runtime import GenerationOptions, LlamaCppRuntime, probe_loadable

log = logging.getLogger(__name__)


@dataclass
class Services:
    paths: DataPaths
    settings: Settings
    catalog: ModelCatalog
    runtime: Any  # LlamaCppRuntime or a test double with the same methods
    extras: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        save_settings(self.settings, self.paths.settings_file)

    def active_model(self) -> ModelInfo:
        """The model the user chose, falling back to the embedded one (installed on demand)."""
        wanted = self.settings.active_model
        if wanted and wanted != EMBEDDED_MODEL_ID:
            return self.catalog.get(wanted)
        return self.catalog.install_embedded(bundled_dir=bundled_models_dir())

    def use_model(self, model_id: str) -> ModelInfo:
        info = self.catalog.get(model_id)
        self.settings = self.settings.model_copy(update={"active_model": info.id})
        self.save()
        return info

    def ensure_model_loaded(
        self, *, progress: ProgressFn = no_progress, cancel: CancelFn = never_cancel
    ) -> ModelInfo:
        info = self.active_model()
        path = self.catalog.path_of(info)
        if self.runtime.model_path != path:
            if not path.is_file():
                raise ModelError(f"The file of model {info.id!r} is missing: {path}. "
                                 "Import it again.")
            progress(0.0, f"Loading {info.name}")
            self.runtime.load(path, prompt_style=info.prompt_style,
                              context_length=info.context_length)
            log.info("loaded model %s (%s, ctx %d)", info.id, info.quantization,
                     self.runtime.n_ctx)
        return info

    def generation_options(self) -> GenerationOptions:
        llm = self.settings.llm
        return GenerationOptions(max_tokens=llm.max_tokens, temperature=llm.temperature)

    def library(self) -> Any:
        """The document library (app.library.LibraryService), built on first use."""
        if "library" not in self.extras:
            from app.library import LibraryService

            self.extras["library"] = LibraryService(self.paths, self.settings.rag)
        return self.extras["library"]

    def chat(self) -> Any:
        """Answers from the documents (app.chat.ChatService) with the settings as they are now:
        it holds no state of its own, so a fresh one per question sees every settings change."""
        from app.chat import ChatService

        rag = self.settings.rag
        return ChatService(
            self.library().retriever, self.runtime,
            system_prompt=self.settings.llm.system_prompt,
            options=self.generation_options(), top_k=rag.top_k,
            min_relevance=rag.min_relevance, ensure_model=self.ensure_model_loaded)

    def pii_analyzer(self) -> Any:
        """The PII analyzer (app.privacy), built on first use and then reused."""
        if "pii_analyzer" not in self.extras:
            from app.privacy.analyzer import build_analyzer

            threshold = self.settings.privacy.score_threshold
            self.extras["pii_analyzer"] = build_analyzer(score_threshold=threshold)
        return self.extras["pii_analyzer"]

    def privacy_policy(self, workspace: str | None = None) -> Any:
        """The privacy policy of ``workspace`` (the last used one by default)."""
        from app.privacy.policy import get_policy

        privacy = self.settings.privacy
        name = workspace or self.settings.last_workspace
        return get_policy(privacy.workspace_policies.get(name, privacy.default_policy))

    def close(self) -> None:
        library = self.extras.pop("library", None)
        if library is not None:
            library.close()
        self.runtime.unload()


def build_services(paths: DataPaths | None = None, *, runtime: Any = None) -> Services:
    paths = (paths or DataPaths.default()).ensure()
    settings = load_settings(paths.settings_file)
    catalog = ModelCatalog(paths.models_dir, probe=probe_loadable)
    if runtime is None:
        runtime = LlamaCppRuntime(threads=settings.llm.threads,
                                  context_cap=settings.llm.context_cap)
    return Services(paths=paths, settings=settings, catalog=catalog, runtime=runtime)
