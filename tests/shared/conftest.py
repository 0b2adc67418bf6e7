"""Fixtures for shared matters: a real Chroma server with three users, and desktops (data
folders whose settings point at it) that tests run ``enclave`` commands in, as processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.network_isolation import ADMIN_POLICY_VARIABLE, ISOLATED_NAMESPACE_VARIABLE
from tests.conftest import REPO_ROOT
from tests.shared.servers import TENANT, ChromaProcess, create_matters, users_file

MEMBERS = {"alice": ("alice-token-1", ["acme"]), "carol": ("carol-token-2", ["acme"]),
           "bob": ("bob-token-3", ["harbor"])}
CLAUSES = [
    "Either party may terminate this Agreement on {n} days' written notice to the other party.",
    "This Agreement is governed by the laws of the State of {state}.",
    "The Supplier shall indemnify the Customer against all losses arising from {thing}.",
    "Payment is due within {n} days of the invoice date; late payments bear interest.",
    "Each party shall keep the other's confidential information secret for {n} years.",
]
STATES = ["Delaware", "New York", "California", "Texas", "Ohio", "Oregon", "Maine", "Utah"]
THINGS = ["third-party claims", "data breaches", "defective goods", "late delivery"]


@dataclass
class Desktop:
    """One user's data folder; :meth:`run` is ``enclave ARGS`` in a new process."""

    home: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=REPO_ROOT,
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=REPO_ROOT,
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)


def make_desktop(home: Path, shared: dict[str, str], secrets: dict[str, str] | None = None,
                 **env: str) -> Desktop:
    """A data folder whose settings name the servers; ``secrets`` (file name -> text) are
    written beside and their paths given to the settings under the same keys."""
    home.mkdir(parents=True, exist_ok=True)
    for key, text in (secrets or {}).items():
        (home / key).write_text(text, encoding="utf-8")
        shared = {**shared, key: str(home / key)}
    (home / "settings.json").write_text(json.dumps({"schema_version": 1, "shared": shared}),
                                        encoding="utf-8")
    environment = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(REPO_ROOT),
                       ENCLAVE_OFFLINE_ENFORCEMENT="off",
                       **{ADMIN_POLICY_VARIABLE: str(home / "no-policy.json")})
    environment.pop(ISOLATED_NAMESPACE_VARIABLE, None)
    environment.update(env)
    return Desktop(home, environment)


def write_documents(folder: Path, count: int, first: int = 0) -> list[Path]:
    """``count`` short contracts, each different (its number is in every clause)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(first, first + count):
        clauses = [clause.format(n=10 + number, state=STATES[number % len(STATES)],
                                 thing=THINGS[number % len(THINGS)]) for clause in CLAUSES]
        text = f"Services Agreement number {number}\n\n" + "\n\n".join(clauses * 3)
        path = folder / f"agreement-{number:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaProcess]:
    """chromadb's server with token authentication and the membership check; matters acme
    (alice, carol) and harbor (bob)."""
    folder = tmp_path_factory.mktemp("chroma-server")
    server = ChromaProcess(folder / "data", users_file(folder / "users.yaml", MEMBERS)).start()
    try:
        create_matters(server.url, ["acme", "harbor"])
        yield server
    finally:
        server.stop()


def member_desktop(tmp_path: Path, user: str, url: str, **shared: str) -> Desktop:
    token = MEMBERS[user][0]
    return make_desktop(tmp_path / f"desktop-{user}", {"chroma_url": url, "tenant": TENANT,
                                                       **shared},
                        {"chroma_token_file": token})


def desktop_process(url: str, user: str, command: str, argument: str,
                    matter: str = "acme") -> subprocess.Popen[str]:
    """``tests.shared.desktop``: one user's ingest or search, in a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.shared.desktop", command, url, TENANT, MEMBERS[user][0],
         matter, argument], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str], timeout: float = 300) -> dict[str, Any]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["stderr"] = err
    return result
