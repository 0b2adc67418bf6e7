"""The composition root: the one place that chooses implementations (runtime, embedder, vector
index, PII analyzer, contract phraser) from the settings; everything else receives its
collaborators. Tests swap parts by passing factories to :func:`build_services`.

Parts are built on first use, once, even when several worker threads ask at the same moment;
heavy imports (Chroma, spaCy, onnxruntime) happen then, not when the app starts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from app.audit import AuditLog, AuditTrail, AuditWriteError
from app.history import HistoryStore
from app.library_service import LibraryService
from app.model_service import ModelService
from app.name_key import name_key, name_key_exists
from app.paths import DataPaths
from app.settings import Settings, SettingsStore
from app.workspaces import WorkspaceService
from core.errors import InputError
from models.catalog import ModelCatalog
from models.llm import LlmRuntime
from models.runtime import LlamaCppRuntime, probe_loadable
from models.server_runtime import LlamaServerRuntime
from rag.chroma_server import ChromaServer
from rag.library import Library
from rag.names import NameSeal
from rag.ocr import OcrCache, ScanReader
from rag.shared import SharedLibrary

if TYPE_CHECKING:
    from app.chat import ChatService
    from app.contracts.phrasing import ModelPhraser
    from app.privacy.analyzer import PiiAnalyzer
    from app.privacy.apply import IndexRedactor
    from app.privacy.policy import PrivacyPolicy
    from app.review import ReviewService
    from rag.embedder import Embedder
    from rag.index import ChromaIndex

T = TypeVar("T")
log = logging.getLogger(__name__)


class Lazy(Generic[T]):
    """A part built by ``build`` on first use; the lock makes concurrent first uses build once."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    @property
    def built(self) -> T | None:
        return self._value


class Services:
    def __init__(self, paths: DataPaths, settings: SettingsStore, catalog: ModelCatalog,
                 runtime: LlmRuntime, *, embedder: Callable[[], Embedder] | None = None,
                 pii_analyzer: Lazy[PiiAnalyzer] | None = None,
                 audit: AuditTrail | None = None) -> None:
        self.paths, self.settings_store, self.catalog, self.runtime = (
            paths, settings, catalog, runtime)
        self.audit: AuditTrail = audit if audit is not None else AuditLog(paths.audit_file)
        self.models = ModelService(catalog, runtime, settings, audit=self.audit)
        self._vector_index = Lazy(self._open_vector_index)
        self._embedder = Lazy(embedder or self._load_embedder)
        self._embedder_name = None if embedder else _default_embedder_name
        self._older_embedders: dict[str, Lazy[Embedder]] = {}  # of workspaces not re-embedded
        self._older_lock = threading.Lock()
        self._pii_analyzer = pii_analyzer or Lazy(self._build_pii_analyzer)
        self._library = Lazy(self._open_library)

    # ----- settings
    @property
    def settings(self) -> Settings:
        return self.settings_store.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.settings_store.current = settings

    def save(self) -> None:
        self.settings_store.save()

    # ----- parts
    def library(self) -> LibraryService:
        return self._library.get()

    def history(self) -> HistoryStore:
        return HistoryStore(self.paths.history_dir, redactor_for=self._history_redactor,
                            names=_name_seal(), seal_names_for=self._seals_names)

    def workspaces(self) -> WorkspaceService:
        return WorkspaceService(self.library(), self.history(),
                                carry_policy=self._carry_policy)

    def review(self) -> ReviewService:
        from app.review import ReviewService

        return ReviewService(self.library(), self.pii_analyzer, self.privacy_policy,
                             audit=self.audit)

    def embedder(self) -> Embedder:
        return self._embedder.get()

    def pii_analyzer(self) -> PiiAnalyzer:
        return self._pii_analyzer.get()

    def chat(self) -> ChatService:
        """Answers from the documents with the settings as they are now: a ChatService holds
        no state of its own, so a fresh one per question sees every settings change."""
        from app.answers.clauses import ClauseScorer
        from app.chat import ChatService

        settings = self.settings
        return ChatService(
            self.library().retriever, self.runtime, system_prompt=settings.llm.system_prompt,
            options=self.models.generation_options(), top_k=settings.rag.top_k,
            min_relevance=settings.rag.min_relevance, ensure_model=self._ensure_model,
            index_is_redacted=lambda name: self.privacy_policy(name).redacts_index,
            audit=self.audit, answered_by=self.answered_by(), scorer=ClauseScorer.shipped())

    def answered_by(self) -> dict[str, str]:
        """Which servers an answer comes from, for the audit trail."""
        shared = self.settings.shared
        return {"sources_from": shared.chroma_url or "this desktop",
                "model_from": getattr(self.runtime, "server", "this desktop")}

    def _ensure_model(self) -> object:
        """A model server holds its model itself; a local runtime loads the active one."""
        if isinstance(self.runtime, LlamaServerRuntime):
            return None
        return self.models.ensure_loaded()

    def contract_phraser(self, *, use_model: bool) -> ModelPhraser | None:
        """None: fixed template wording; otherwise the local model rewords (checked)."""
        if not use_model:
            return None
        from app.contracts.phrasing import ModelPhraser

        return ModelPhraser(self.runtime, self.models.generation_options(),
                            ensure_model=self.models.ensure_loaded)

    def privacy_policy(self, workspace: str | None = None) -> PrivacyPolicy:
        """The privacy policy of ``workspace`` (the last used one by default)."""
        from app.privacy.policy import get_policy

        privacy = self.settings.privacy
        name = workspace or self.settings.last_workspace
        return get_policy(privacy.workspace_policies.get(name, privacy.default_policy))

    def close(self) -> None:
        library = self._library.built
        if library is not None:
            library.close()
        analyzer = self._pii_analyzer.built
        if analyzer is not None:
            analyzer.close()  # its worker processes, if any (started again on next use)
        self.runtime.unload()

    # ----- the choices
    def _open_library(self) -> LibraryService:
        library = shared_library(self.settings, self.paths.index_dir / "shared") or \
            Library(self.paths.index_dir, open_index=self._vector_index.get,
                    on_recovered=self._record_recovered,
                    names=_name_seal(), seal_names_for=self._seals_names)
        scans = ScanReader(cache=OcrCache(self.paths.ocr_cache_dir))
        return LibraryService(library, lambda: self.settings.rag, self._embedder.get,
                              embedder_named=self._embedder_named,
                              embedder_name=self._embedder_name,
                              transform_for=self._index_transform,
                              treatment_for=lambda name: self.privacy_policy(name).index_treatment,
                              audit=self.audit,
                              scans=scans)

    def _record_recovered(self, workspace: str, doc_ids: list[str]) -> None:
        """Documents an interrupted ingest or purge left half-done, removed at open: their
        ingest record (written just before the commit that never came) is answered here."""
        try:
            self.audit.record("recovered_index", workspace=workspace, doc_ids=doc_ids,
                              reason="interrupted_ingest_or_purge")
        except AuditWriteError as error:
            log.warning("recovery of workspace %s not recorded: %s", workspace, error.message)

    def _open_vector_index(self) -> ChromaIndex:
        from rag.index import ChromaIndex

        return ChromaIndex(self.paths.index_dir / "chroma")

    def _load_embedder(self) -> Embedder:
        from rag.embedder import DEFAULT_VARIANT

        return self._load_variant(DEFAULT_VARIANT)

    def _embedder_named(self, name: str) -> Embedder:
        """The embedder that made an older workspace's vectors, loaded once, on first use."""
        with self._older_lock:
            lazy = self._older_embedders.setdefault(name, Lazy(lambda: self._load_named(name)))
        return lazy.get()

    def _load_named(self, name: str) -> Embedder:
        from rag.embedder import load_embedder_named, variant_named

        variant = variant_named(name)
        return self._load_variant(variant) if variant else load_embedder_named(name)

    def _load_variant(self, variant: str) -> Embedder:
        from rag.embedder import load_embedder
        from rag.onnx_export import exported_model

        return load_embedder(variant, model=exported_model(self.paths.root / "embedder", variant))

    def _carry_policy(self, old: str, new: str) -> None:
        policies = self.settings.privacy.workspace_policies
        if old in policies and policies.get(new) != policies[old]:
            self.settings_store.update("privacy", workspace_policies={**policies,
                                                                      new: policies[old]})
        adapters = self.settings.llm.workspace_adapters  # a renamed workspace keeps its adapter
        if old in adapters and adapters.get(new) != adapters[old]:
            self.settings_store.update("llm", workspace_adapters={**adapters, new: adapters[old]})

    def _seals_names(self, workspace: str) -> bool:
        """A strict workspace stores file names and titles sealed (rag.names)."""
        return self.privacy_policy(workspace).redacts_index

    def _history_redactor(self, workspace: str) -> Callable[[str], str] | None:
        """Conversation history follows the workspace's policy: redacted as its index is."""
        transform = self._index_transform(workspace)
        return transform.redact_text if transform is not None else None

    def _index_transform(self, workspace: str) -> IndexRedactor | None:
        """What ingest stores of a document in ``workspace``: its policy applied (app.privacy
        .apply); None when the policy keeps the text."""
        policy = self.privacy_policy(workspace)
        if not policy.redacts_index:  # not even imported: Presidio takes seconds to import
            return None
        from app.privacy.apply import index_transform

        return index_transform(policy, self.pii_analyzer)

    def _build_pii_analyzer(self) -> PiiAnalyzer:
        from app.privacy.analyzer import build_analyzer
        from core.cpu import physical_cores

        # Batches of texts (multi-page ingest under a redacting policy, scans, exports) are
        # shared with warm worker processes, one per physical core up to the setting.
        return build_analyzer(score_threshold=self.settings.privacy.score_threshold,
                              workers=min(self.settings.privacy.workers, physical_cores()))


def _default_embedder_name() -> str:
    from rag.embedder import DEFAULT_EMBEDDER

    return DEFAULT_EMBEDDER


def _repair_audit(audit: AuditLog) -> None:
    """What an interrupted write left in the audit trail is put right (and recorded) at start;
    if even that cannot be written now, the first action says so."""
    try:
        audit.repair()
    except AuditWriteError as error:
        log.warning("audit trail not repaired at start: %s", error.message)


def build_services(paths: DataPaths | None = None, *, runtime: LlmRuntime | None = None,
                   embedder: Callable[[], Embedder] | None = None,
                   pii_analyzer: Lazy[PiiAnalyzer] | None = None) -> Services:
    """The services of the data directory ``paths``; tests pass a runtime double, an embedder
    factory, or a PII analyzer shared across tests."""
    paths = (paths or DataPaths.default()).ensure()
    audit = AuditLog(paths.audit_file)
    _repair_audit(audit)
    settings = SettingsStore(paths.settings_file, audit=audit)
    catalog = ModelCatalog(paths.models_dir, probe=probe_loadable)
    if runtime is None:
        runtime = server_runtime(settings.current) or LlamaCppRuntime(
            threads=settings.current.llm.threads, context_cap=settings.current.llm.context_cap)
    return Services(paths, settings, catalog, runtime, embedder=embedder,
                    pii_analyzer=pii_analyzer, audit=audit)


def _name_seal() -> NameSeal:
    """Seals a strict workspace's names with the key outside the data folder (made on the
    first name sealed, never just to look one up)."""
    return NameSeal(name_key, exists=name_key_exists)


def shared_library(settings: Settings, locks: Path) -> SharedLibrary | None:
    """The firm's Chroma server holds the workspaces when the settings name one."""
    shared = settings.shared
    if not shared.chroma_url:
        return None
    server = ChromaServer(shared.chroma_url, shared.tenant,
                          read_secret(shared.chroma_token_file, "Chroma token"))
    return SharedLibrary(server, locks=locks, transport=broker_transport())


def server_runtime(settings: Settings) -> LlamaServerRuntime | None:
    """The firm's model server answers when the settings name one."""
    shared = settings.shared
    if not shared.llm_url:
        return None
    return LlamaServerRuntime(shared.llm_url, model=shared.llm_model,
                              api_key=read_secret(shared.llm_key_file, "model server key"),
                              prompt_style=shared.llm_prompt_style,
                              context_length=settings.llm.context_cap,
                              transport=broker_transport())


def read_secret(path: str, what: str) -> str | None:
    """A token kept in a file (empty name: none)."""
    if not path:
        return None
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip() or None
    except OSError as error:
        raise InputError(f"Your {what} file {path} cannot be read ({error.strerror}).") from None


def broker_transport() -> Callable[[], Any] | None:
    """How connections to the firm's servers leave an isolated process (app.broker); None:
    directly (a desktop not isolated, or servers on this machine)."""
    from app.broker import transport_from_environment

    return transport_from_environment()
