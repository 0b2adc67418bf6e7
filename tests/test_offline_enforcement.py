"""Offline, enforced by the operating system: the kernel's empty network namespace, and long
real workflows watched with strace, as a security reviewer would check them."""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import network_isolation
from app.network_isolation import (
    ENFORCED_LABEL,
    OfflineEnforcementRequired,
    network_namespace,
    required_by_administrator,
)
from tests.conftest import REPO_ROOT, SHARED_DATA
from tests.strace_egress import outbound_attempts, strace_command, strace_works

CUAD_PDFS = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"


def _can_isolate() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import os, ctypes; libc = ctypes.CDLL(None); "
                            "os._exit(0 if libc.unshare(0x50000000) == 0 else 1)"])
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _can_isolate(), reason="this kernel refuses unprivileged user namespaces; Enclave then "
    "runs guarded in the process, which test_egress.py covers")


def _enclave_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(REPO_ROOT),
               ENCLAVE_OFFLINE_ENFORCEMENT="auto", ENCLAVE_ADMIN_POLICY=str(home / "none.json"))
    env.pop(network_isolation.ISOLATED_NAMESPACE_VARIABLE, None)
    env.update(extra)
    return env


# --- what the strace reader flags ---------------------------------------------------------

FLAGGED = [
    '9 connect(5, {sa_family=AF_INET, sin_port=htons(53), '
    'sin_addr=inet_addr("10.255.255.53")}, 16) = -1 ENETUNREACH',
    '9 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16)',
    '9 sendto(6, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(443), '
    'sin_addr=inet_addr("20.42.65.92")}, 16) = 1',
    '9 connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
    'inet_pton(AF_INET6, "2603:1030::5", &sin6_addr), sin6_scope_id=0}, 28) = -1',
    '9 connect(3, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 42)',
]
ALLOWED = [
    '9 connect(5, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X99"}, 20) = 0',
    '9 connect(5, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X99"}, 110) = 0',
    '9 connect(4, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16)',
    '9 sendmsg(4, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, ...}, 0) = 20',
    '9 sendto(6, "abc", 3, MSG_NOSIGNAL, NULL, 0) = 3',
    # a user-database look-up (getpwuid); a host-name look-up would go on to port 53
    '9 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
    '9 connect(7, {sa_family=AF_INET6, sin6_port=htons(9), inet_pton(AF_INET6, "::1", &a)}, 28)',
]


@pytest.mark.parametrize("line", FLAGGED)
def test_strace_reader_flags_lookups_and_outside_connections(line: str) -> None:
    assert outbound_attempts(line) == [line]


@pytest.mark.parametrize("line", ALLOWED)
def test_strace_reader_lets_local_traffic_pass(line: str) -> None:
    assert outbound_attempts(line) == []


# --- the decision, without moving the test process ----------------------------------------


@pytest.mark.parametrize("display", ["remote-host:10.0", "localhost:11.0", "10.1.2.3:0"])
def test_a_display_reached_over_tcp_keeps_the_process_in_place(display: str) -> None:
    assert "over the network" in network_isolation.display_obstacle(display)


@pytest.mark.parametrize("display", [":99", ":0.0", "unix:0", "/tmp/launch-x/org.x:0", ""])
def test_a_local_display_does_not_stop_isolation(display: str) -> None:
    assert network_isolation.display_obstacle(display) == ""


def test_administrator_policy_requires_enforcement(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "policy.json"
    monkeypatch.setenv(network_isolation.ADMIN_POLICY_VARIABLE, str(policy))
    assert not required_by_administrator()
    policy.write_text('{"require_offline_enforcement": true}')
    assert required_by_administrator()
    policy.write_text("{not json")
    with pytest.raises(OfflineEnforcementRequired, match="cannot be read"):
        required_by_administrator()


def test_unknown_enforcement_value_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(network_isolation.ENFORCEMENT_VARIABLE, "sometimes")
    with pytest.raises(OfflineEnforcementRequired, match="'sometimes'"):
        network_isolation.enforcement_wanted()


def _native_getenv(name: str) -> str | None:
    value = ctypes.CDLL(None).getenv
    value.restype = ctypes.c_char_p
    found = value(name.encode())
    return found.decode() if found else None


def test_forked_pii_workers_see_the_telemetry_switch_in_their_native_environment() -> None:
    """PII workers are forked; onnxruntime reads its switch with getenv, not os.environ."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_native_getenv, ("ORT_DISABLE_TELEMETRY",)) == "1"


# --- the real thing, in fresh processes ---------------------------------------------------

_CHILD_REPORT = (
    "import json, subprocess, sys\n"
    "from app.egress import go_offline\n"
    "from app.network_isolation import enter_offline_namespace, network_namespace\n"
    "go_offline(); mode = enter_offline_namespace()\n"
    "child = subprocess.run([sys.executable, '-c', 'from app.network_isolation import *; "
    "m = enter_offline_namespace(); print(network_namespace(), m.detail)'],"
    " capture_output=True, text=True, check=True).stdout.strip()\n"
    "import socket\n"
    "print(json.dumps({'enforced': mode.enforced_by_os, 'namespace': network_namespace(),"
    " 'child': child, 'interfaces': [n for _, n in socket.if_nameindex()]}))\n"
)


@needs_namespaces
def test_process_gets_its_own_empty_network_namespace_and_children_inherit_it(
        tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _CHILD_REPORT], cwd=REPO_ROOT,
                            env=_enclave_env(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["enforced"]
    assert report["namespace"] != network_namespace()
    assert report["interfaces"] == ["lo"]
    assert report["child"].startswith(report["namespace"])
    assert "inherited" in report["child"]


@needs_namespaces
def test_doctor_reports_enforcement_by_the_os(home_with_embedded_model: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "app.cli", "doctor"], cwd=REPO_ROOT,
                            env=_enclave_env(home_with_embedded_model), capture_output=True,
                            text=True, timeout=300)
    assert f"{ENFORCED_LABEL}: own network namespace" in result.stdout, result.stdout
    assert f"Network namespace: {network_namespace()}" not in result.stdout


def test_required_enforcement_refuses_to_start_when_it_cannot_be_had(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"require_offline_enforcement": true}')
    env = _enclave_env(tmp_path, DISPLAY="remote-host:10.0", ENCLAVE_ADMIN_POLICY=str(policy))
    result = subprocess.run([sys.executable, "-m", "app.cli", "doctor"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "administrator requires" in result.stderr
    assert "DISPLAY=remote-host:10.0" in result.stderr


# --- a sustained real workflow under strace ----------------------------------------------


def _files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.slow
@pytest.mark.timeout(3000)  # minutes of ingest on purpose; a loaded 2-core machine is slower
@pytest.mark.skipif(not strace_works(), reason="strace cannot trace here (ptrace refused)")
def test_minutes_of_real_work_make_no_lookup_and_no_outside_connection(
        home_with_embedded_model: Path, tmp_path: Path) -> None:
    """Ingest of the 61 CUAD contracts (minutes of embedding, when onnxruntime's telemetry used
    to look its host up), questions, a redaction and a contract summary, with HOME empty."""
    home = tmp_path / "user-home"
    home.mkdir()
    log = tmp_path / "strace.log"
    env = _enclave_env(home_with_embedded_model, HOME=str(home))
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                     "ORT_DISABLE_TELEMETRY", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(variable, None)  # the app must set its own switches
    started = time.monotonic()
    result = subprocess.run(
        strace_command(log) + [sys.executable, "-m", "tests.egress_workflow", str(CUAD_PDFS)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=2900)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"sustained workflow: {elapsed:.0f} s, {report['folder_chunks']} passages, "
          f"{report['offline_detail']}")
    assert report["folder_indexed"] >= 55 and report["folder_answer_sources"] > 0
    assert report["attempts"] == []
    assert outbound_attempts(log.read_text(errors="replace")) == []
    assert _files_under(home) == [], "files written under HOME outside Enclave's data folder"


# --- the real window, inside the namespace ------------------------------------------------


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private X server; the display number is chosen by Xvfb itself."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as stream:
        number = stream.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


def _window_titles(display: str) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree", "-display", display],
                          capture_output=True, text=True).stdout


@needs_namespaces
@pytest.mark.gui
def test_window_opens_on_the_real_xcb_platform_inside_the_namespace(
        home_with_embedded_model: Path, xvfb_display: str, tmp_path: Path) -> None:
    env = _enclave_env(home_with_embedded_model, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    app = subprocess.Popen([sys.executable, "-m", "ui", "gui"], cwd=REPO_ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while '"Enclave' not in _window_titles(xvfb_display) and app.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        assert app.poll() is None, app.communicate()[1][-3000:]
        assert '"Enclave' in _window_titles(xvfb_display)
        assert network_namespace(app.pid) != network_namespace()
    finally:
        app.terminate()
        app.wait(30)
