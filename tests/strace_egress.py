"""Reads ``strace -f -e trace=connect,sendto,sendmsg,sendmmsg`` output the way a security
reviewer would: every name look-up and every connection that could leave the machine.

The kernel sees what the Python audit hook cannot (native threads, C libraries), so this is the
check that catches a telemetry client inside a compiled dependency.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

TRACED_CALLS = "connect,sendto,sendmsg,sendmmsg"

# systemd-resolved's host-name socket: a DNS look-up even though it is local. nscd's socket is
# not listed: glibc asks it first for user and group entries too (getpass.getuser() does), and
# without a running nscd a host-name look-up goes on to port 53, which is flagged.
_RESOLVER_SOCKETS = ("/run/systemd/resolve/io.systemd.Resolve",)
_CALL = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")
_INET_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_INET4_ADDRESS = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_INET6_ADDRESS = re.compile(r'inet_pton\(AF_INET6,\s*"([^"]+)"')
_UNIX_PATH = re.compile(r'sun_path="([^"]*)"')


def strace_command(log: Path) -> list[str]:
    """The strace prefix that follows every thread and child and writes ``log``. With a seccomp
    filter only the traced calls stop the process, so a long run keeps nearly its own speed."""
    strace = shutil.which("strace")
    if strace is None:
        raise RuntimeError("strace is not installed (installers/setup_env.sh installs it)")
    return [strace, "-f", "--seccomp-bpf", "-qq", "-e", f"trace={TRACED_CALLS}", "-o", str(log)]


def outbound_attempts(trace: str) -> list[str]:
    """Every traced call that looks up a name or addresses anything but this machine."""
    return [line.strip() for line in trace.splitlines() if _is_outbound(line)]


def _is_outbound(line: str) -> bool:
    if not _CALL.search(line):
        return False
    if "sa_family=AF_UNIX" in line:
        path = _UNIX_PATH.search(line)
        return bool(path) and path.group(1) in _RESOLVER_SOCKETS
    if "sa_family=AF_INET" not in line:  # netlink, packet sockets without a destination, ...
        return False
    port = _INET_PORT.search(line)
    if port and port.group(1) == "53":
        return True  # DNS, also through a loopback resolver such as 127.0.0.53
    return not _is_loopback(line)


def _is_loopback(line: str) -> bool:
    v4 = _INET4_ADDRESS.search(line)
    if v4:
        return v4.group(1).startswith("127.") or v4.group(1) == "0.0.0.0"
    v6 = _INET6_ADDRESS.search(line)
    if v6:
        address = v6.group(1).lower()
        return address in ("::1", "::") or address.startswith("::ffff:127.")
    return False


def strace_works() -> bool:
    return shutil.which("strace") is not None and subprocess.run(
        ["strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=connect", "-o", "/dev/null",
         "true"],
        capture_output=True).returncode == 0
