"""Kernel-enforced offline mode: the process moves into its own empty network namespace.

Inside a fresh network namespace the only interface is a loopback that leads nowhere, so no
code, Python or native, can reach any network, whatever it tries. An unprivileged process gets
one through a user namespace that maps the user's own uid and gid onto themselves, so files
keep their owner. This must run before any thread exists (the kernel refuses to move a
multi-threaded process into a new user namespace), so ``enclave`` calls it first thing.

The window still reaches the display: X11 through its filesystem socket (libxcb falls back to
it when the abstract socket, which is per network namespace, is out of reach) and Wayland
through its socket file. A display reached over TCP cannot be, so then the process stays where
it is and the in-process guard (app.egress) is the only layer; the status bar says which.
Children inherit the namespace.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import logging
import os
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from core.errors import EnclaveError

log = logging.getLogger(__name__)

ENFORCEMENT_VARIABLE = "ENCLAVE_OFFLINE_ENFORCEMENT"  # auto (default) | off | required
ISOLATED_NAMESPACE_VARIABLE = "ENCLAVE_ISOLATED_NETNS"  # tells children where they already are
# Machine-wide administrator policy (root-owned, so a user cannot relax it); the path can be
# pointed elsewhere for tests and for installs under another prefix.
ADMIN_POLICY_VARIABLE = "ENCLAVE_ADMIN_POLICY"
DEFAULT_ADMIN_POLICY = "/etc/enclave/policy.json"
ENFORCED_LABEL = "Offline · enforced by the OS"
GUARDED_LABEL = "Offline · guarded in the process"

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


class OfflineEnforcementRequired(EnclaveError):
    """An administrator requires the OS-enforced mode and this machine cannot provide it."""


@dataclass(frozen=True)
class OfflineMode:
    enforced_by_os: bool
    detail: str
    namespace: str = ""

    @property
    def label(self) -> str:
        return ENFORCED_LABEL if self.enforced_by_os else GUARDED_LABEL


_mode = OfflineMode(False, "Enclave has not asked the kernel to isolate this process")


def offline_mode() -> OfflineMode:
    """How this process is kept offline, as the status bar and ``enclave doctor`` show it."""
    return _mode


def network_namespace(pid: int | str = "self") -> str:
    """The kernel's name of a process's network namespace, e.g. ``net:[4026531840]``."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return "unknown (no /proc on this system)"


def enforcement_wanted() -> str:
    value = os.environ.get(ENFORCEMENT_VARIABLE, "auto").strip().lower() or "auto"
    if value not in ("auto", "off", "required"):
        raise OfflineEnforcementRequired(
            f"{ENFORCEMENT_VARIABLE}={value!r} is not understood; use auto, off or required.")
    return value


def required_by_administrator() -> bool:
    """``{"require_offline_enforcement": true}`` in the administrator's policy file."""
    path = Path(os.environ.get(ADMIN_POLICY_VARIABLE) or DEFAULT_ADMIN_POLICY)
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as error:
        # A policy that cannot be read must not silently relax anything.
        raise OfflineEnforcementRequired(
            f"The administrator's policy {path} cannot be read ({error}); Enclave will not "
            "start until it can.") from None
    return isinstance(policy, dict) and policy.get("require_offline_enforcement") is True


def enter_offline_namespace(*, required: bool = False) -> OfflineMode:
    """Move this process into an empty network namespace when the kernel allows it.

    ``required``, ``ENCLAVE_OFFLINE_ENFORCEMENT=required`` or the administrator's policy file
    turns a refusal into an error, so the app does not start without OS enforcement.
    """
    global _mode
    wanted = enforcement_wanted()
    required = required or wanted == "required" or required_by_administrator()
    if wanted == "off" and not required:
        reason = f"turned off by {ENFORCEMENT_VARIABLE}=off"
        _mode = OfflineMode(False, reason)
    else:
        _mode = _isolate()
    if required and not _mode.enforced_by_os:
        raise OfflineEnforcementRequired(
            "Your administrator requires the network to be cut off by the operating system, "
            f"and it could not be: {_mode.detail}.")
    log.info("%s (%s)", _mode.label, _mode.detail)
    return _mode


def _isolate() -> OfflineMode:
    if not sys.platform.startswith("linux"):
        return OfflineMode(False, f"network namespaces are Linux only (this is {sys.platform})")
    current = network_namespace()
    if os.environ.get(ISOLATED_NAMESPACE_VARIABLE) == current:
        return OfflineMode(True, "inherited from the Enclave process that started this one",
                           current)
    obstacle = _obstacle()
    if obstacle:
        return OfflineMode(False, obstacle)
    refusal = _unshare()
    if refusal:
        return OfflineMode(False, refusal)
    _bring_loopback_up()
    namespace = network_namespace()
    os.environ[ISOLATED_NAMESPACE_VARIABLE] = namespace
    interfaces = sorted(name for _, name in socket.if_nameindex())
    return OfflineMode(True, f"own network namespace {namespace}, interfaces: "
                             f"{', '.join(interfaces)}", namespace)


def _obstacle() -> str:
    """Why this process cannot move now without breaking something, or ''."""
    threads = len(os.listdir("/proc/self/task"))
    if threads > 1:
        return f"{threads} threads were already running (the kernel needs a single thread)"
    return display_obstacle(os.environ.get("DISPLAY", ""))


def display_obstacle(display: str) -> str:
    """'' unless the X display is reached over TCP, which an empty namespace would cut off."""
    host = display.rpartition(":")[0]
    if host and not host.startswith("unix") and not host.startswith("/"):
        return f"the display is reached over the network (DISPLAY={display})"
    return ""


def _unshare() -> str:
    """'' once inside a new user + network namespace, else the kernel's refusal in words."""
    # The process's own symbols include libc's; find_library would run ldconfig in a child.
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
        _map_own_ids(uid, gid)
        return ""
    code = ctypes.get_errno()
    if os.geteuid() == 0 and libc.unshare(_CLONE_NEWNET) == 0:
        return ""
    if code in (errno.EPERM, errno.EACCES, errno.ENOSPC, errno.EUSERS):
        return ("the kernel refuses unprivileged user namespaces here "
                f"({errno.errorcode.get(code, code)}; e.g. kernel.unprivileged_userns_clone=0 "
                "or an AppArmor restriction)")
    return f"unshare failed: {os.strerror(code)}"


def _map_own_ids(uid: int, gid: int) -> None:
    """Map the user's uid and gid onto themselves, so files keep their owner."""
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError as error:
        # Past unshare there is no way back: without a mapping every file would look foreign.
        raise EnclaveError(f"Enclave could not finish isolating itself from the network: "
                           f"{error}. Start it with {ENFORCEMENT_VARIABLE}=off.") from error


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as stream:
        stream.write(text)


def _bring_loopback_up() -> None:
    """A new namespace's loopback is down; libraries that talk to themselves over 127.0.0.1
    (none of ours today) would otherwise fail in confusing ways."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))
    except OSError as error:
        log.warning("loopback stays down in the offline namespace: %s", error)
