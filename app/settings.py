"""Typed, validated user settings, stored as JSON in the data directory.

Nothing is read at import time: :func:`load_settings` is called by whoever builds the services.
A bad value is refused with the value quoted, so the user can find and fix it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.disk import write_whole
from core.errors import InputError

if TYPE_CHECKING:
    from app.audit import AuditTrail

SCHEMA_VERSION = 1

DEFAULT_SYSTEM_PROMPT = (
    "You are Enclave, a careful assistant for a regulated firm. Answer only from the provided "
    "sources and cite them as [1], [2]. If the sources do not contain the answer, say so."
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LlmSettings(_Section):
    context_cap: int = Field(4096, ge=512, le=131072, description="Largest context to allocate")
    threads: int = Field(0, ge=0, le=256, description="0 means one per physical core")
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    max_tokens: int = Field(512, ge=1, le=8192)
    system_prompt: str = Field(DEFAULT_SYSTEM_PROMPT, min_length=1, max_length=4000)
    workspace_adapters: dict[str, str] = Field(
        default_factory=dict, description="LoRA adapter id per workspace (models/adapters)")


class RagSettings(_Section):
    chunk_tokens: int = Field(200, ge=32, le=256)
    chunk_overlap_tokens: int = Field(40, ge=0, le=128)
    max_text_mb: int = Field(32, ge=1, le=512, description="A larger text, HTML or e-mail file "
                             "is refused before it is read")
    top_k: int = Field(6, ge=1, le=50)
    min_relevance: float = Field(0.3, ge=0.0, le=1.0, description="Cosine below which a "
                                 "passage does not count as an answer source")


class PrivacySettings(_Section):
    default_policy: str = Field("standard", description="policy of workspaces not listed below")
    workspace_policies: dict[str, str] = Field(default_factory=dict)
    score_threshold: float = Field(0.4, ge=0.0, le=1.0)
    workers: int = Field(2, ge=1, le=16, description="processes for PII analysis of many "
                         "pages (POSIX; at most one per physical core; 1: none forked)")

    @field_validator("default_policy")
    @classmethod
    def _known_policy(cls, name: str) -> str:
        from app.privacy.policy import POLICIES

        if name not in POLICIES:
            raise ValueError(f"unknown policy; choose one of {', '.join(sorted(POLICIES))}")
        return name

    @field_validator("workspace_policies")
    @classmethod
    def _known_policies(cls, policies: dict[str, str]) -> dict[str, str]:
        for name in policies.values():
            cls._known_policy(name)
        return policies


class SharedSettings(_Section):
    """The firm's servers (empty: workspaces and model on this desktop). Tokens are read from
    files, never kept in the settings; the allow-list of reachable servers is the
    administrator's (/etc/enclave/policy.json), not the user's."""

    chroma_url: str = Field("", description="e.g. http://10.0.0.5:8000: matters on the server")
    tenant: str = Field("default_tenant", min_length=1, max_length=63)
    chroma_token_file: str = Field("", description="file holding this user's Chroma token")
    llm_url: str = Field("", description="e.g. http://10.0.0.6:8080: answers from the server")
    llm_model: str = Field("", max_length=200, description="model name on the server")
    llm_prompt_style: str = Field("chat", pattern="^(chat|completion)$")
    llm_key_file: str = Field("", description="file holding this user's model server key")

    @field_validator("chroma_url", "llm_url")
    @classmethod
    def _server_url(cls, url: str) -> str:
        from urllib.parse import urlsplit

        url = url.strip().rstrip("/")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname
                    or parts.path or parts.query):
            raise ValueError("use http://HOST:PORT or https://HOST:PORT")
        return url


class Settings(_Section):
    schema_version: int = SCHEMA_VERSION
    active_model: str | None = None
    last_workspace: str = "default"
    llm: LlmSettings = Field(default_factory=LlmSettings)
    rag: RagSettings = Field(default_factory=RagSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    shared: SharedSettings = Field(default_factory=SharedSettings)


# Each entry upgrades a stored dict from version N to N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    version = int(raw.get("schema_version", 1))
    if version > SCHEMA_VERSION:
        raise InputError(
            f"Settings were written by a newer Enclave (schema {version}); "
            f"this version understands schema {SCHEMA_VERSION}."
        )
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
        raw["schema_version"] = version
    return raw


def parse_settings(raw: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(migrate(raw))
    except ValidationError as error:
        raise InputError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "settings"
        problems.append(f"{where} = {item.get('input')!r}: {item['msg']}")
    return "Invalid setting: " + "; ".join(problems)


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"Cannot read settings file {path}: {error}") from None
    if not isinstance(raw, dict):
        raise InputError(f"Settings file {path} does not hold a JSON object.")
    return parse_settings(raw)


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically so a crash never leaves a half-written settings file."""
    write_whole(path, json.dumps(settings.model_dump(), indent=2),
                "The settings were not saved")


def updated(settings: Settings, section: str, **values: Any) -> Settings:
    """A validated copy of ``settings`` with ``values`` set in ``section`` ("" = top level)."""
    raw = settings.model_dump()
    target = raw if not section else raw.setdefault(section, {})
    target.update(values)
    return parse_settings(raw)


class SettingsStore:
    """The settings in force and the file they live in. Every service reads ``current`` when
    it needs a value, so a change made in Settings is seen at once; changes are saved at once."""

    def __init__(self, path: Path, settings: Settings | None = None, *,
                 audit: AuditTrail | None = None) -> None:
        self.path = path
        self.current = settings if settings is not None else load_settings(path)
        self._saved = self.current
        self._audit = audit
        self._lock = threading.Lock()

    def save(self) -> None:
        with self._lock:
            save_settings(self.current, self.path)
            changed = changed_fields(self._saved, self.current)
            self._saved = self.current
        if changed and self._audit is not None:  # names of fields only, never their values
            self._audit.record("settings_change", fields=changed)

    def update(self, section: str, **values: Any) -> Settings:
        """Validate, apply and save ``values`` in ``section`` ("" = top level)."""
        self.current = updated(self.current, section, **values)
        self.save()
        return self.current


def changed_fields(before: Settings, after: Settings) -> list[str]:
    """Dotted names of the settings that differ ("llm.temperature")."""
    old, new = before.model_dump(), after.model_dump()
    changed = []
    for key in sorted(set(old) | set(new)):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            changed += [f"{key}.{name}" for name in sorted(set(old[key]) | set(new[key]))
                        if old[key].get(name) != new[key].get(name)]
        elif old.get(key) != new.get(key):
            changed.append(key)
    return changed
