"""The no-egress guard: the process refuses every connection that could leave the machine.

Two layers. First, every library we ship that knows how to phone home is told not to (offline
modes and telemetry switches, set before those libraries are imported). Second, a Python audit
hook refuses any socket connection or name look-up that is not loopback or a Unix socket, and
records the attempt so that tests and the status bar can show the count. The hook cannot see
native code that opens sockets itself: app.network_isolation closes that gap with the kernel
(an empty network namespace), and the strace tests prove both layers over a long run.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # onnxruntime 1.29+ ships native 1DS telemetry that looks up its events host from native
    # threads (invisible to the audit hook) and queues events under ~/.cache/Microsoft;
    # telemetry_events toggles do not stop it, only this variable read at initialisation does.
    "ORT_DISABLE_TELEMETRY": "1",
}

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class EgressBlocked(ConnectionRefusedError):
    """Raised inside the library that tried to reach the network."""


@dataclass(frozen=True)
class EgressAttempt:
    when: float
    event: str
    destination: str


class EgressGuard:
    """Refuses and records outbound network attempts made through Python's socket module."""

    def __init__(self) -> None:
        self._attempts: list[EgressAttempt] = []
        self._lock = threading.Lock()
        self.installed = False

    @property
    def attempts(self) -> list[EgressAttempt]:
        with self._lock:
            return list(self._attempts)

    @property
    def blocked_count(self) -> int:
        with self._lock:
            return len(self._attempts)

    def reset(self) -> None:
        with self._lock:
            self._attempts.clear()

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        destination = _outbound_destination(event, args)
        if destination is None:
            return
        with self._lock:
            self._attempts.append(EgressAttempt(time.time(), event, destination))
        raise EgressBlocked(f"Enclave works offline: blocked {event} to {destination}")


def _outbound_destination(event: str, args: tuple[Any, ...]) -> str | None:
    """The destination of an event that would leave the machine, or None when it would not."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == socket.AF_UNIX or address is None:
            return None
        host = address[0] if isinstance(address, tuple) else address
        return None if _is_loopback(host) else _describe(address)
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0]
        return None if _is_loopback(host) else str(host)
    if event == "socket.gethostbyaddr":
        return None if _is_loopback(args[0]) else str(args[0])
    return None


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _describe(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)


_GUARD = EgressGuard()
_INSTALL_LOCK = threading.Lock()


def guard() -> EgressGuard:
    """The process-wide guard (installed or not)."""
    return _GUARD


def go_offline() -> EgressGuard:
    """Switch every known phone-home off and install the audit hook. Safe to call twice."""
    with _INSTALL_LOCK:
        for name, value in OFFLINE_ENVIRONMENT.items():
            os.environ[name] = value
        _pin_tldextract_to_its_snapshot()
        if not _GUARD.installed:
            sys.addaudithook(_GUARD.audit)
            _GUARD.installed = True
    return _GUARD


def _pin_tldextract_to_its_snapshot() -> None:
    """Presidio's e-mail recognizer calls ``tldextract.extract``, which by default downloads the
    public suffix list (and stalls ~20 s offline); the bundled snapshot is enough for us."""
    try:
        import tldextract
        import tldextract.tldextract as tld_module
    except ImportError:
        return
    offline_extractor = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
    )
    tld_module.TLD_EXTRACTOR = offline_extractor
