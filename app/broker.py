"""The egress broker: the only way out of Enclave's empty network namespace, and only to the
servers the administrator allow-listed.

Enclave runs in its own network namespace (app.network_isolation), where no address outside
the process's own loopback exists. Just before it moves there, it starts this broker as a child
that stays in the machine's namespace, listening on a Unix socket (filesystem sockets cross
namespaces). To reach a server, the app's HTTP client opens that socket and asks
``CONNECT host:port``; the broker connects only if ``host:port`` is on the allow-list in the
administrator's policy (``/etc/enclave/policy.json``, "servers"), answering ``REFUSED <why>``
otherwise. The list holds addresses, never names, so nothing is ever looked up (0 DNS).

For a server with a ``tls_sha256`` the broker speaks TLS and accepts only a certificate with
that SHA-256 fingerprint (pinned: no certificate authority is trusted); a server off this
machine (not loopback) must have one, or the policy is refused as a whole. The app then speaks
plain HTTP inside the broker's tunnel, whatever scheme its URL says.

    {"require_offline_enforcement": true,
     "servers": [{"name": "chroma", "address": "10.0.0.5", "port": 8443,
                  "tls_sha256": "3f:a1:...:9c"},
                 {"name": "llm", "address": "10.0.0.6", "port": 8443, "tls_sha256": "..."}]}
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import json
import logging
import os
import select
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import EnclaveError

log = logging.getLogger(__name__)

SOCKET_VARIABLE = "ENCLAVE_BROKER_SOCKET"
CONNECT_SECONDS = 10.0  # the broker's connection to a server
ANSWER_SECONDS = 30.0  # the app's wait for the broker's answer (connection and TLS handshake)
_LINE_LIMIT = 512


class PolicyError(EnclaveError):
    """The administrator's allow-list cannot be used as written."""


class BrokerRefusal(EnclaveError):
    """The broker refused a connection (not allow-listed, or the certificate is not pinned)."""


@dataclass(frozen=True)
class AllowedServer:
    name: str
    address: str
    port: int
    tls_sha256: str = ""  # hex, lower case, no colons; empty: plain TCP (loopback only)

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _normalised_fingerprint(value: str) -> str:
    return value.replace(":", "").strip().lower()


def parse_servers(policy: dict[str, Any], source: str = "the policy") -> list[AllowedServer]:
    """The allow-list, checked: addresses only, TLS pinned for anything not on loopback."""
    servers = []
    for entry in policy.get("servers", []):
        name = str(entry.get("name", "?"))
        try:
            address = ipaddress.ip_address(str(entry["address"]))
            port = int(entry["port"])
        except (KeyError, ValueError) as error:
            raise PolicyError(f"Server {name!r} in {source} needs an IP address and a port "
                              f"(names are not looked up): {error}") from None
        pin = _normalised_fingerprint(str(entry.get("tls_sha256", "")))
        if pin and (len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin)):
            raise PolicyError(f"Server {name!r} in {source}: tls_sha256 must be 64 hex digits.")
        if not pin and not address.is_loopback:
            raise PolicyError(f"Server {name!r} ({address}) in {source} is not on this machine, "
                              "so it needs TLS with a pinned certificate (tls_sha256).")
        servers.append(AllowedServer(name, str(address), port, pin))
    return servers


def load_policy(path: Path) -> list[AllowedServer]:
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise PolicyError(f"The administrator's policy {path} cannot be read ({error}).") \
            from None
    return parse_servers(policy if isinstance(policy, dict) else {}, str(path))


# ----- the broker (outside the namespace)

class Broker:
    def __init__(self, servers: list[AllowedServer], socket_path: Path,
                 policy_name: str = "the administrator's policy") -> None:
        self.servers = {(server.address, server.port): server for server in servers}
        self.socket_path, self.policy_name = socket_path, policy_name
        self.refused: list[str] = []
        self.connected: list[str] = []

    def listen(self) -> socket.socket:
        """The Unix socket, only this user may open (0600, in a 0700 folder)."""
        self.socket_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.socket_path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o600)
        listener.listen(64)
        listener.settimeout(0.5)
        return listener

    def serve(self, listener: socket.socket, stop: threading.Event) -> None:
        with listener:
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            try:
                target = self._answer(client)
            except (OSError, BrokerRefusal) as error:
                self._refuse(client, str(error))
                return
            with target:
                _pipe(client, target)

    def _answer(self, client: socket.socket) -> socket.socket:
        client.settimeout(CONNECT_SECONDS)
        host, port = _read_request(client)
        server = self.servers.get((host, port))
        if server is None:
            raise BrokerRefusal(f"{host}:{port} is not on the allow-list of {self.policy_name}")
        target = self._connect(server)
        self.connected.append(server.endpoint)
        client.sendall(b"OK\n")
        client.settimeout(None)
        return target

    def _connect(self, server: AllowedServer) -> socket.socket:
        raw = socket.create_connection((server.address, server.port), timeout=CONNECT_SECONDS)
        if not server.tls_sha256:
            raw.settimeout(None)
            return raw
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # pinned instead
        tls = context.wrap_socket(raw)
        presented = fingerprint(tls.getpeercert(binary_form=True) or b"")
        if presented != server.tls_sha256:
            tls.close()
            raise BrokerRefusal(f"{server.name} ({server.endpoint}) presented a certificate with "
                                f"SHA-256 {presented}, not the one {self.policy_name} pins")
        tls.settimeout(None)
        return tls

    def _refuse(self, client: socket.socket, reason: str) -> None:
        self.refused.append(reason)
        log.warning("broker refused: %s", reason)
        with contextlib.suppress(OSError):
            client.sendall(f"REFUSED {reason}\n".encode()[:_LINE_LIMIT * 2])


def _read_request(client: socket.socket) -> tuple[str, int]:
    line = b""
    while not line.endswith(b"\n"):
        piece = client.recv(1)
        if not piece or len(line) > _LINE_LIMIT:
            raise BrokerRefusal("malformed request")
        line += piece
    verb, _, endpoint = line.decode("ascii", "replace").strip().partition(" ")
    host, _, port = endpoint.rpartition(":")
    if verb != "CONNECT" or not port.isdigit():
        raise BrokerRefusal(f"malformed request {line[:80]!r}")
    return host.strip("[]"), int(port)


def _pipe(one: socket.socket, other: socket.socket) -> None:
    """Copy both ways until either side closes (TLS data buffered in ``ssl`` counts)."""
    sockets: list[Any] = [one, other]
    # poll, not select: select() refuses a descriptor numbered 1024 or more, which a busy
    # process (the app with its index and model open) reaches ("filedescriptor out of range").
    poller = select.poll()
    by_descriptor = {}
    for sock in sockets:
        poller.register(sock, select.POLLIN)
        by_descriptor[sock.fileno()] = sock
    while True:
        ready = [s for s in sockets if isinstance(s, ssl.SSLSocket) and s.pending()]
        if not ready:
            ready = [by_descriptor[fd] for fd, _ in poller.poll(300_000)]
            if not ready:
                return
        for source in ready:
            data = _receive(source)
            if data == b"":
                return
            if data is not None:
                (other if source is one else one).sendall(data)


def _receive(source: socket.socket) -> bytes | None:
    """What ``source`` has; None when a TLS socket had only TLS's own records (a TLS 1.3
    session ticket arrives after the handshake: a blocking read would then wait for data
    while the app's request waits to be forwarded)."""
    if not isinstance(source, ssl.SSLSocket):
        return source.recv(65536)
    source.setblocking(False)
    try:
        return source.recv(65536)
    except ssl.SSLWantReadError:
        return None
    finally:
        source.setblocking(True)


# ----- the app's side (inside the namespace)

def transport_from_environment() -> Any:
    """An httpx transport factory through the broker, when this process has one."""
    path = os.environ.get(SOCKET_VARIABLE)
    return (lambda: BrokerTransport(Path(path))) if path else None


def BrokerTransport(socket_path: Path) -> Any:  # noqa: N802 (a class built on first use)
    """An httpx transport whose every connection is a tunnel the broker opened."""
    import httpcore
    import httpx
    from httpcore._backends.sync import SyncStream

    class Backend(httpcore.NetworkBackend):
        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Any = None) -> httpcore.NetworkStream:
            return SyncStream(open_tunnel(socket_path, host, port, timeout))

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Any = None) -> httpcore.NetworkStream:
            raise BrokerRefusal("only allow-listed servers are reachable")

    class Transport(httpx.HTTPTransport):
        def __init__(self) -> None:
            super().__init__()
            self._pool = httpcore.ConnectionPool(network_backend=Backend(),
                                                 max_keepalive_connections=8)

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.scheme == "https":  # the broker speaks TLS, pinned
                request.url = request.url.copy_with(scheme="http")
            return super().handle_request(request)

    return Transport()


def open_tunnel(socket_path: Path, host: str, port: int,
                timeout: float | None = CONNECT_SECONDS) -> socket.socket:
    """A socket connected (through the broker) to ``host:port``; BrokerRefusal if refused."""
    tunnel = socket.socket(socket.AF_UNIX)
    tunnel.settimeout(max(timeout or 0.0, ANSWER_SECONDS))
    try:
        tunnel.connect(str(socket_path))
        tunnel.sendall(f"CONNECT {host}:{port}\n".encode("ascii"))
        reply = b""
        while not reply.endswith(b"\n") and len(reply) < _LINE_LIMIT * 2:
            piece = tunnel.recv(1)
            if not piece:
                break
            reply += piece
    except OSError:
        tunnel.close()
        raise
    if reply != b"OK\n":
        tunnel.close()
        reason = reply.decode("utf-8", "replace").strip().removeprefix("REFUSED ")
        raise BrokerRefusal(f"Enclave may not connect to {host}:{port}: "
                            f"{reason or 'the broker closed the connection'}.")
    tunnel.settimeout(None)
    return tunnel


def start_broker(policy: Path, socket_path: Path) -> subprocess.Popen[bytes]:
    """The broker as a child that stays in this namespace; it exits when this process does
    (its standard input is a pipe only this process holds)."""
    broker = subprocess.Popen(
        [sys.executable, "-m", "app.broker", "--policy", str(policy), "--socket",
         str(socket_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert broker.stdout is not None
    ready = broker.stdout.readline()  # "ready" once listening, or nothing if it failed
    if ready.strip() != b"ready":
        broker.wait(10)
        raise PolicyError(f"The egress broker did not start (exit {broker.returncode}).")
    os.environ[SOCKET_VARIABLE] = str(socket_path)
    return broker


def _stop_at_end_of_input(stop: threading.Event) -> None:
    sys.stdin.buffer.read()  # returns when the app, the only writer, has exited
    stop.set()


_running: list[subprocess.Popen[bytes]] = []  # held so its pipe stays open while we run


def start_broker_for_policy() -> None:
    """Start the broker when the administrator's policy lists servers (and none runs for this
    process tree yet); the app's connections to them then go through it."""
    from app.network_isolation import ADMIN_POLICY_VARIABLE, DEFAULT_ADMIN_POLICY

    if os.environ.get(SOCKET_VARIABLE) and Path(os.environ[SOCKET_VARIABLE]).exists():
        return  # started by the Enclave process that started this one
    policy = Path(os.environ.get(ADMIN_POLICY_VARIABLE) or DEFAULT_ADMIN_POLICY)
    if not load_policy(policy):
        return
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / \
        f"enclave-broker-{os.getuid()}"
    _running.append(start_broker(policy, folder / f"{os.getpid()}.sock"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.broker")
    parser.add_argument("--policy", type=Path, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="broker: %(message)s")
    try:
        servers = load_policy(args.policy)
    except PolicyError as error:
        print(error.message, file=sys.stderr)
        return 2
    broker, stop = Broker(servers, args.socket, str(args.policy)), threading.Event()
    threading.Thread(target=_stop_at_end_of_input, args=(stop,), daemon=True).start()
    listener = broker.listen()
    print("ready", flush=True)
    broker.serve(listener, stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
