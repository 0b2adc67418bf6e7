"""No egress: the guard refuses and records, and a whole workflow makes zero attempts."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.egress import EgressBlocked, guard

ROOT = Path(__file__).resolve().parents[1]
UNROUTABLE = ("203.0.113.7", 443)  # TEST-NET-3: never a real host


@pytest.mark.egress_attempts_expected
def test_outbound_connection_is_refused_and_recorded() -> None:
    before = guard().blocked_count
    with socket.socket() as sock, pytest.raises(EgressBlocked):
        sock.connect(UNROUTABLE)
    assert guard().blocked_count == before + 1
    assert guard().attempts[-1].destination == "203.0.113.7:443"


@pytest.mark.egress_attempts_expected
def test_dns_lookup_is_refused() -> None:
    with pytest.raises(EgressBlocked):
        socket.getaddrinfo("telemetry.example.com", 443)
    with pytest.raises(EgressBlocked):
        socket.gethostbyname("huggingface.co")


@pytest.mark.egress_attempts_expected
def test_udp_datagram_to_the_outside_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(EgressBlocked):
        sock.sendto(b"x", ("198.51.100.1", 53))


def test_loopback_and_unix_sockets_still_work(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with socket.create_connection(("localhost", port), timeout=5):
            pass
        accepted.join(5)
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as unix_server:
        unix_server.bind(path)
        unix_server.listen(1)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)


def test_offline_switches_are_set_for_every_known_offender() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"


def test_tldextract_uses_its_bundled_snapshot_without_fetching() -> None:
    import tldextract

    assert tldextract.extract(["someone", "mail.example.co.uk"][1]).suffix == "co.uk"


def _workflow_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "TRANS"))}
    env.pop("ANONYMIZED_TELEMETRY", None)
    env.update(ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def _run_workflow(command: list[str], home: Path) -> dict:
    result = subprocess.run(command + [sys.executable, "-m", "tests.egress_workflow"],
                            cwd=ROOT, env=_workflow_env(home), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_full_workflow_makes_zero_outbound_attempts(home_with_embedded_model: Path) -> None:
    report = _run_workflow([], home_with_embedded_model)
    assert report["guard_installed"]
    assert report["attempts"] == []
    assert report["answer_chars"] > 0
    assert set(report["steps"]) == {"installation", "ingest", "answer", "redaction"}
    assert report["contract_fields_found"] > 0


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="this kernel refuses user network namespaces")
def test_full_workflow_works_in_a_namespace_with_no_network(home_with_embedded_model: Path) -> None:
    report = _run_workflow(["unshare", "-rn"], home_with_embedded_model)
    assert report["attempts"] == [] and report["answer_chars"] > 0
    assert "none left" in report["steps"]["redaction"]
