"""Talking to the firm's Chroma server: one client per matter (a Chroma database), the user's
token on every request, and calls retried for a bounded time while the server restarts.

Every call a matter makes is idempotent (upserts by content-hash ids, deletes, reads), so a
call retried after a dropped connection cannot store anything twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rag.errors import IndexStoreError

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # how long a call waits for a restarting server before giving up
RETRY_ATTEMPTS = 40
_TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthClientProvider"


@dataclass(frozen=True)
class ChromaServer:
    """Where the firm's Chroma server is (``http://10.0.0.5:8000``, ``https://...``), the
    tenant holding the firm's matters and this user's token (None: a server without auth)."""

    url: str
    tenant: str = "default_tenant"
    token: str | None = None
    retry_seconds: float = RETRY_SECONDS

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 8000)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "https"


# A transport factory set by the app when a broker carries its connections (app.broker):
# chromadb builds its own httpx client, so the transport is handed to it while it does.
TransportFactory = Callable[[], Any]
_construction = threading.Lock()


def connect(server: ChromaServer, database: str, *,
            transport: TransportFactory | None = None) -> Any:
    """A chromadb client of ``database`` (one matter), retrying while the server restarts."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if server.token:
        settings.chroma_client_auth_provider = _TOKEN_PROVIDER
        settings.chroma_client_auth_credentials = server.token
    try:
        with _construction, _httpx_through(transport):
            client = retrying(server.retry_seconds)(
                chromadb.HttpClient, host=server.host, port=server.port, ssl=server.tls,
                settings=settings, tenant=server.tenant, database=database)
    except Exception as error:
        raise IndexStoreError(describe_refusal(server, database, error)) from None
    return Retrying(client, server.retry_seconds)


def user_identity(server: ChromaServer, *,
                  transport: TransportFactory | None = None) -> dict[str, Any]:
    """Who the server takes this token for: ``{"user_id", "tenant", "databases"}``."""
    import httpx

    headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
    options: dict[str, Any] = {"transport": transport()} if transport else {}
    try:
        with httpx.Client(headers=headers, timeout=30, **options) as client:
            response = retrying(server.retry_seconds)(
                client.get, server.url.rstrip("/") + "/api/v2/auth/identity")
            response.raise_for_status()
    except Exception as error:
        raise IndexStoreError(describe_refusal(server, "", error)) from None
    return dict(response.json())


def describe_refusal(server: ChromaServer, database: str, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    if "401" in text or "Unauthorized" in text or "AuthError" in text:
        return (f"The Chroma server {server.url} did not accept your token. Ask your "
                "administrator for a new one.")
    if "403" in text or "Forbidden" in text or "is not a member" in text:
        return (f"You are not a member of the matter {database!r} on {server.url}. Ask your "
                "administrator to add you.")
    if "does not exist" in text or "not found" in text.lower():
        return (f"The matter {database!r} does not exist on {server.url}. Your administrator "
                "creates it (enclave-server create-matter).")
    return f"The Chroma server {server.url} cannot be reached ({text})."


@contextlib.contextmanager
def _httpx_through(transport: TransportFactory | None) -> Iterator[None]:
    """While chromadb builds its client, its httpx clients go through ``transport``."""
    if transport is None:
        yield
        return
    import chromadb.api.fastapi as fastapi_module
    import httpx

    make_transport = transport

    class _Httpx:
        def __getattr__(self, name: str) -> Any:
            return getattr(httpx, name)

        @staticmethod
        def Client(*args: Any, **kwargs: Any) -> httpx.Client:  # noqa: N802 (httpx's name)
            kwargs.pop("verify", None)  # TLS is the broker's (pinned certificates)
            return httpx.Client(*args, transport=make_transport(), **kwargs)

    original = fastapi_module.httpx
    fastapi_module.httpx = _Httpx()  # type: ignore[assignment]
    try:
        yield
    finally:
        fastapi_module.httpx = original


def _is_transient(error: BaseException) -> bool:
    import httpx

    return isinstance(error, httpx.TransportError)


def retrying(seconds: float, attempts: int = RETRY_ATTEMPTS) -> Callable[..., Any]:
    """``retrying(s)(call, *args)``: ``call`` again after connection failures, at most
    ``attempts`` times within ``s`` seconds (waits of 0.1 s growing to 2 s)."""
    def run(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        deadline, wait = time.monotonic() + seconds, 0.1
        for attempt in range(1, attempts + 1):
            try:
                return call(*args, **kwargs)
            except Exception as error:
                if not _is_transient(error) or attempt == attempts or \
                        time.monotonic() + wait > deadline:
                    raise
                log.warning("Chroma server unreachable (%s); retry %d", error, attempt)
                time.sleep(wait)
                wait = min(wait * 2, 2.0)
        raise IndexStoreError("unreachable: the last attempt raises")
    return run


class Retrying:
    """A chromadb client or collection whose calls are retried (see :func:`retrying`); the
    collections it returns are wrapped the same way."""

    def __init__(self, target: Any, seconds: float) -> None:
        self._target, self._retry = target, retrying(seconds)
        self._seconds = seconds

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._wrap(self._retry(value, *args, **kwargs))
        return call

    def _wrap(self, result: Any) -> Any:
        from chromadb.api.models.Collection import Collection

        return Retrying(result, self._seconds) if isinstance(result, Collection) else result
