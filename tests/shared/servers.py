"""Real servers for the shared-matter tests: chromadb's own server (its FastAPI app under uvicorn,
with token authentication and our membership check) and llama-cpp-python's OpenAI-compatible
server, each a child process on a loopback port, started, killed and restarted by the tests.

Also usable from the command line for a manual try or the bench:
``python -m tests.shared.servers chroma --data /tmp/chroma --port 8010``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "admin-token-for-tests"
TENANT = "firm"
START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float,
                  log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}): "
                               f"{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not listening on {port} after {seconds} s: "
                       f"{log.read_text(errors='replace')[-3000:]}")


def users_file(path: Path, members: dict[str, tuple[str, list[str]]]) -> Path:
    """``members``: user -> (token, databases); plus the administrator."""
    users = [{"id": "admin", "role": "admin", "tenant": "*", "databases": ["*"],
              "tokens": [ADMIN_TOKEN]}]
    users += [{"id": user, "role": "member", "tenant": TENANT, "databases": databases,
               "tokens": [token]} for user, (token, databases) in members.items()]
    path.write_text(yaml.safe_dump({"users": users}), encoding="utf-8")
    return path


@dataclass
class ChromaProcess:
    """chromadb's server on ``data``; ``users`` (a users file) turns token auth and the
    membership check on. ``tls`` = (certificate, key) serves HTTPS."""

    data: Path
    users: Path | None = None
    port: int = field(default_factory=free_port)
    tls: tuple[Path, Path] | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> ChromaProcess:
        env = dict(os.environ, IS_PERSISTENT="TRUE", PERSIST_DIRECTORY=str(self.data),
                   ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(REPO_ROOT))
        if self.users is not None:
            env.update(
                CHROMA_SERVER_AUTHN_PROVIDER="chromadb.auth.token_authn."
                                             "TokenAuthenticationServerProvider",
                CHROMA_SERVER_AUTHN_CREDENTIALS_FILE=str(self.users),
                CHROMA_SERVER_AUTHZ_PROVIDER="rag.chroma_membership.MatterMembership")
        command = [sys.executable, "-m", "uvicorn", "chromadb.app:app", "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning"]
        if self.tls:
            command += ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]
        log = self.data.parent / f"chroma-{self.port}.log"
        self.process = subprocess.Popen(command, env=env, stdout=log.open("ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process, START_SECONDS, log)
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to flush or say goodbye, as a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class LlamaServerProcess:
    """llama-cpp-python's OpenAI-compatible server on ``model``, with an API key."""

    model: Path
    log_dir: Path
    api_key: str = "model-key-for-tests"
    port: int = field(default_factory=free_port)
    tls: tuple[Path, Path] | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> LlamaServerProcess:
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model),
                   "--host", "127.0.0.1", "--port", str(self.port), "--api_key", self.api_key,
                   "--n_ctx", "2048", "--n_threads", "2", "--model_alias", "firm-model"]
        if self.tls:
            command += ["--ssl_certfile", str(self.tls[0]), "--ssl_keyfile", str(self.tls[1])]
        log = self.log_dir / f"llama-{self.port}.log"
        self.process = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_for_port(self.port, self.process, START_SECONDS, log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def create_matters(url: str, matters: list[str], tenant: str = TENANT) -> None:
    """As the administrator: the firm's tenant and one database per matter."""
    from app.server_admin import create_matter

    for matter in matters:
        create_matter(url, ADMIN_TOKEN, tenant, matter)


def main() -> None:
    kind, *rest = sys.argv[1:]
    data = Path(rest[rest.index("--data") + 1])
    port = int(rest[rest.index("--port") + 1])
    if kind != "chroma":
        raise SystemExit("usage: python -m tests.shared.servers chroma --data DIR --port N")
    data.mkdir(parents=True, exist_ok=True)
    server = ChromaProcess(data, port=port).start()
    print(json.dumps({"url": server.url, "pid": server.process.pid if server.process else 0}))


if __name__ == "__main__":
    main()
