"""The allow-list, enforced: the egress broker connects only to listed addresses, speaks TLS
only with the pinned certificate, and an Enclave process in its own network namespace reaches
the firm's Chroma server through it, with nothing else leaving (strace)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.broker import (
    AllowedServer,
    Broker,
    BrokerRefusal,
    BrokerTransport,
    PolicyError,
    fingerprint,
    open_tunnel,
    parse_servers,
)
from rag.chroma_server import ChromaServer
from rag.errors import IndexStoreError
from rag.shared import SharedLibrary
from tests.conftest import REPO_ROOT
from tests.shared.conftest import MEMBERS, member_desktop
from tests.shared.servers import TENANT, ChromaProcess, create_matters, users_file
from tests.strace_egress import TRACED_CALLS, outbound_attempts, strace_works
from tests.test_offline_enforcement import needs_namespaces

PIN = "ab" * 32


@pytest.mark.parametrize(("entry", "says"), [
    ({"name": "x", "address": "chroma.firm.local", "port": 8000}, "needs an IP address"),
    ({"name": "x", "address": "10.0.0.5", "port": 8000}, "needs TLS with a pinned"),
    ({"name": "x", "address": "10.0.0.5", "port": 8000, "tls_sha256": "abc"}, "64 hex digits"),
    ({"name": "x", "address": "10.0.0.5"}, "needs an IP address and a port"),
])
def test_a_policy_that_cannot_be_enforced_is_refused_by_name(entry: dict[str, object],
                                                             says: str) -> None:
    with pytest.raises(PolicyError, match=says):
        parse_servers({"servers": [entry]})


def test_a_usable_policy() -> None:
    servers = parse_servers({"servers": [
        {"name": "chroma", "address": "127.0.0.1", "port": 8000},
        {"name": "llm", "address": "10.0.0.6", "port": 8443,
         "tls_sha256": ":".join(["AB"] * 32)}]})
    assert servers == [AllowedServer("chroma", "127.0.0.1", 8000),
                       AllowedServer("llm", "10.0.0.6", 8443, PIN)]


def _self_signed(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A certificate for 127.0.0.1 and its key; returns their paths and its SHA-256."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path, fingerprint(certificate.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="module")
def tls_chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ChromaProcess, str]]:
    """chromadb's server over HTTPS (self-signed, pinned by its SHA-256), matter acme."""
    folder = tmp_path_factory.mktemp("tls-chroma")
    cert, key, pin = _self_signed(folder, "chroma")
    server = ChromaProcess(folder / "data", users_file(folder / "users.yaml", MEMBERS),
                           tls=(cert, key)).start()
    try:
        _create_over_tls(server, pin, folder)
        yield server, pin
    finally:
        server.stop()


def _create_over_tls(server: ChromaProcess, pin: str, folder: Path) -> None:
    """As the administrator, through a broker that pins the certificate."""
    broker_socket = folder / "admin-broker.sock"
    with _broker([AllowedServer("chroma", "127.0.0.1", server.port, pin)], broker_socket):
        import chromadb.api.fastapi as fastapi_module  # noqa: F401 (loaded before patching)

        from rag.chroma_server import _httpx_through

        with _httpx_through(lambda: BrokerTransport(broker_socket)):
            create_matters(server.url.replace("https", "http"), ["acme"])


class _broker:  # noqa: N801 (a context manager read as a phrase)
    def __init__(self, servers: list[AllowedServer], path: Path) -> None:
        self.broker, self._stop = Broker(servers, path, "the test policy"), threading.Event()

    def __enter__(self) -> Broker:
        listener = self.broker.listen()
        self._thread = threading.Thread(target=self.broker.serve, args=(listener, self._stop))
        self._thread.start()
        return self.broker

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def _library(url: str, socket_path: Path) -> SharedLibrary:
    return SharedLibrary(ChromaServer(url, TENANT, MEMBERS["alice"][0], retry_seconds=2),
                         transport=lambda: BrokerTransport(socket_path))


def test_the_pinned_server_is_reached_through_the_broker(
        tls_chroma: tuple[ChromaProcess, str], tmp_path: Path) -> None:
    server, pin = tls_chroma
    with _broker([AllowedServer("chroma", "127.0.0.1", server.port, pin)],
                 tmp_path / "b.sock") as broker:
        library = _library(server.url, tmp_path / "b.sock")
        assert library.workspaces() == ["acme"]
        assert library.workspace("acme").documents() == []
    assert broker.refused == [] and broker.connected


def test_an_address_not_on_the_list_is_refused_by_name(
        tls_chroma: tuple[ChromaProcess, str], tmp_path: Path) -> None:
    server, pin = tls_chroma
    with _broker([AllowedServer("chroma", "127.0.0.1", server.port + 1, pin)],
                 tmp_path / "b.sock") as broker:
        with pytest.raises(IndexStoreError, match=rf"127\.0\.0\.1:{server.port} is not on the "
                                                  "allow-list of the test policy"):
            _library(server.url, tmp_path / "b.sock").workspace("acme")
        with pytest.raises(BrokerRefusal, match="203.0.113.7:443 is not on the allow-list"):
            open_tunnel(tmp_path / "b.sock", "203.0.113.7", 443)
    assert len(broker.refused) == 2 and broker.connected == []


def test_a_wrong_certificate_is_refused(tls_chroma: tuple[ChromaProcess, str],
                                        tmp_path: Path) -> None:
    server, _ = tls_chroma
    wrong = [AllowedServer("chroma", "127.0.0.1", server.port, "cd" * 32)]
    with _broker(wrong, tmp_path / "b.sock") as broker, \
            pytest.raises(IndexStoreError, match="presented a certificate with SHA-256"):
        _library(server.url, tmp_path / "b.sock").workspace("acme")
    assert broker.connected == []


_EXECVE_BROKER = re.compile(r'^(\d+)\s+execve\(.*"app\.broker"', re.MULTILINE)
_INET_CONNECT = re.compile(r'^(\d+)\s+connect\(\d+, \{sa_family=AF_INET6?, '
                           r'sin6?_port=htons\((\d+)\).*?"([0-9a-f.:]+)"', re.MULTILINE)


_CHILD = re.compile(r"^(\d+)\s+(?:clone3?|v?fork)\(.*\)\s+=\s+(\d+)", re.MULTILINE)


def _descendants(root: str, trace: str) -> set[str]:
    """``root`` and every thread or process it started (strace -f, clone traced)."""
    children: dict[str, list[str]] = {}
    for parent, child in _CHILD.findall(trace):
        children.setdefault(parent, []).append(child)
    found, waiting = {root}, [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            if child not in found:
                found.add(child)
                waiting.append(child)
    return found


@needs_namespaces
@pytest.mark.skipif(not strace_works(), reason="strace cannot trace here (ptrace refused)")
def test_an_isolated_desktop_reaches_only_the_allow_listed_server(
        tls_chroma: tuple[ChromaProcess, str], tmp_path: Path) -> None:
    """``enclave docs list`` in its own network namespace, under strace: the documents come
    from the pinned server through the broker; no name is looked up, no other address is
    connected to, and the app's own process connects to no address at all."""
    server, pin = tls_chroma
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"servers": [
        {"name": "chroma", "address": "127.0.0.1", "port": server.port, "tls_sha256": pin}]}))
    desktop = member_desktop(tmp_path, "alice", server.url)
    desktop.env.update(ENCLAVE_OFFLINE_ENFORCEMENT="auto", ENCLAVE_ADMIN_POLICY=str(policy))
    log = tmp_path / "strace.log"
    traced = f"trace={TRACED_CALLS},execve,clone,clone3,fork,vfork"
    command = [shutil.which("strace") or "strace", "-f", "-qq", "-e", traced, "-o", str(log),
               sys.executable, "-m", "app.cli", "docs", "list", "--workspace", "acme"]
    result = subprocess.run(command, cwd=REPO_ROOT, env=desktop.env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "document(s) in workspace 'acme'" in result.stdout
    trace = log.read_text(errors="replace")
    assert outbound_attempts(trace) == []  # no look-up, nothing off this machine
    brokers = set(_EXECVE_BROKER.findall(trace))
    assert len(brokers) == 1
    broker = _descendants(next(iter(brokers)), trace)  # the broker and its threads
    connects = _INET_CONNECT.findall(trace)
    assert connects and {pid for pid, _, _ in connects} <= broker
    assert {(port, address) for _, port, address in connects} == {(str(server.port),
                                                                    "127.0.0.1")}
    print(f"egress: {len(connects)} TCP connect(s), all by the broker to the allow-listed "
          f"127.0.0.1:{server.port}; {len(outbound_attempts(trace))} look-ups or other "
          "destinations")
