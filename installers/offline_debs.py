"""The companion archive of .deb files: what a bare Debian 12 (or Ubuntu 22.04/24.04) lacks for
the bundle's window.

    python -m installers.offline_debs --requirements payload/share/system-libraries.txt --out DIR
    python -m installers.offline_debs --distribution ubuntu24.04 --app-dir APP --out DIR ...

The frozen app carries its own libraries, but Qt's xcb plugin (the window) loads some from the
system, and install.sh checks the signature with ``openssl``. A minimal Debian 12
(``debootstrap --variant=minbase``) has none of them. On the build machine (Debian 12) apt's own
resolver, run against that minimal system's dpkg status, says what it would install for them;
``apt-get download`` fetches exactly those, and this writes a flat apt repository (a
``Packages`` index) beside them, plus ``install-debs.sh``, which installs exactly the packages
the installer named, with their dependencies, from that folder alone and with no network.

For Ubuntu the same resolver runs on a private apt state (``ubuntu_apt``: Ubuntu's archive,
main and universe with -updates and -security, checked with Ubuntu's archive key, whose
fingerprint is pinned here) against a ``debootstrap --variant=minbase`` Ubuntu root's status.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

SIGNATURE_TOOL = "openssl"  # install.sh checks the manifest's Ed25519 signature with it
FONT = "fonts-dejavu-core"  # Qt carries no font; install.sh names this one when none is there
INSTALL_SCRIPT = "install-debs.sh"
_NAME = re.compile(r"^[a-z0-9][a-z0-9.+-]+$")
# "Inst NAME (VERSION ...)", or "Inst NAME [INSTALLED] (VERSION ...)" for an upgrade of a package
# the bare system has in an older version (Ubuntu's minbase is the release, not -updates).
_SIMULATED_INSTALL = re.compile(r"^Inst (\S+) (?:\[\S+\] )?\((\S+) ", re.MULTILINE)


# Where each distribution's packages come from: None is the build machine's own apt (Debian 12).
DISTRIBUTIONS = {"debian12": None, "ubuntu22.04": "jammy", "ubuntu24.04": "noble"}
UBUNTU_MIRROR = "http://archive.ubuntu.com/ubuntu"
# "Ubuntu Archive Automatic Signing Key (2018) <ftpmaster@ubuntu.com>", which signs the Release
# files of 22.04 and 24.04. The keyring is taken from Ubuntu's ubuntu-keyring package and used
# only when it holds this key.
UBUNTU_ARCHIVE_KEY = "F6ECB3762474EDA9D21B7022871920D1991BC93C"
UBUNTU_KEYRING_FILE = "ubuntu-archive-keyring.gpg"


class DebsError(RuntimeError):
    pass


def packages_named(requirements: str) -> list[str]:
    """The Debian packages in a system-libraries.txt (soname, package per line)."""
    names = []
    for line in requirements.splitlines():
        fields = line.split()
        if len(fields) == 2 and not line.startswith("#") and _NAME.match(fields[1]):
            names.append(fields[1])
    return sorted(set(names))


def resolve(packages: list[str], base_status: Path, apt: list[str] | None = None) -> list[str]:
    """``name=version`` of every package apt would install for ``packages`` on a system whose
    dpkg status is ``base_status`` (apt's own resolver: first alternatives, no recommends).
    ``apt``: options for another distribution's package lists (:func:`ubuntu_apt`)."""
    output = _run(["apt-get", *(apt or []), "-s",
                   "-o", f"Dir::State::status={base_status.resolve()}",
                   "-o", "Debug::NoLocking=1", "install", "--no-install-recommends", *packages])
    return [f"{match.group(1)}={match.group(2)}"
            for match in _SIMULATED_INSTALL.finditer(output)]


def packages_index(folder: Path) -> str:
    """A flat repository's ``Packages`` file for the .deb files in ``folder``."""
    stanzas = []
    for deb in sorted(folder.glob("*.deb")):
        control = _run(["dpkg-deb", "-f", str(deb)]).rstrip("\n")
        data = deb.read_bytes()
        stanzas.append(f"{control}\nFilename: ./{deb.name}\nSize: {len(data)}\n"
                       f"SHA256: {hashlib.sha256(data).hexdigest()}\n")
    return "\n".join(stanzas)


INSTALL_DEBS = r"""#!/usr/bin/env bash
# Installs Debian packages from this folder only, with no network: the ones Enclave's installer
# names (it prints the exact command), with their dependencies from this folder.
#
#   sudo ./install-debs.sh PACKAGE...        e.g. sudo ./install-debs.sh openssl libxcb-cursor0
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($#)) || { sed -n '2,5p' "${BASH_SOURCE[0]}"; exit 1; }
[[ $(id -u) == 0 ]] || { echo "install-debs: run as root (sudo)" >&2; exit 1; }
(cd "$HERE" && sha256sum -c --quiet SHA256SUMS) \
    || { echo "install-debs: this folder was altered" >&2; exit 1; }
STATE=$(mktemp -d)
trap 'rm -rf "$STATE"' EXIT
echo "deb [trusted=yes] file:$HERE ./" >"$STATE/sources.list"
mkdir -p "$STATE/lists/partial" "$STATE/parts"
APT=(-o "Dir::Etc::SourceList=$STATE/sources.list" -o "Dir::Etc::SourceParts=$STATE/parts"
     -o "Dir::State::Lists=$STATE/lists" -o "APT::Get::List-Cleanup=false")
apt-get "${APT[@]}" update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" install -y --no-install-recommends "$@"
"""


def collect(named: list[str], out: Path, base_status: Path,
            apt: list[str] | None = None) -> list[Path]:
    """Downloads what ``named`` needs on top of ``base_status`` into ``out``, and writes the
    folder's apt index, checksums and install script. ``apt``: another distribution's lists
    (:func:`ubuntu_apt`); without it, the build machine's own (Debian 12)."""
    if shutil.which("apt-get") is None or (apt is None and not _is_debian_12()):
        raise DebsError("the .deb folder is resolved for Debian 12: build on Debian 12 "
                        "(bookworm), where apt sees its package lists")
    if not base_status.is_file():
        raise DebsError(f"no dpkg status file at {base_status}")
    wanted = resolve(named, base_status, apt)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _run(["apt-get", *(apt or []), "download", "-q", *wanted], cwd=out)
    debs = sorted(out.glob("*.deb"))
    index = packages_index(out)
    (out / "Packages").write_text(index, encoding="utf-8")
    (out / "Packages.gz").write_bytes(gzip.compress(index.encode()))
    script = out / INSTALL_SCRIPT
    script.write_text(INSTALL_DEBS, encoding="utf-8")
    script.chmod(0o755)
    sums = "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n"
                   for f in sorted(out.iterdir()) if f.name != "SHA256SUMS")
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return debs


def ubuntu_apt(codename: str, state: Path) -> list[str]:
    """apt options that see Ubuntu ``codename``'s archive (amd64; main and universe, with
    -updates and -security) from a private state folder, its lists brought up to date. The
    Release files are checked with Ubuntu's archive key (:func:`ubuntu_keyring`)."""
    keyring = ubuntu_keyring(state)
    return _private_apt(state / codename, [
        f"deb [arch=amd64 signed-by={keyring}] {UBUNTU_MIRROR} {suite} main universe"
        for suite in (codename, f"{codename}-updates", f"{codename}-security")])


def ubuntu_keyring(state: Path) -> Path:
    """Ubuntu's archive keyring, from its ubuntu-keyring package: fetched once (the package
    lists of that first fetch are not yet checked), then used only if it holds the pinned
    :data:`UBUNTU_ARCHIVE_KEY`, so everything apt fetches afterwards is checked against it."""
    keyring = state / UBUNTU_KEYRING_FILE
    if not keyring.is_file():
        bootstrap = state / "keyring-bootstrap"
        apt = _private_apt(bootstrap, [f"deb [arch=amd64 trusted=yes] {UBUNTU_MIRROR} noble main"])
        _run(["apt-get", *apt, "download", "-q", "ubuntu-keyring"], cwd=bootstrap)
        deb = next(bootstrap.glob("ubuntu-keyring_*.deb"))
        _run(["dpkg-deb", "-x", str(deb), str(bootstrap / "files")])
        shutil.copy(bootstrap / "files/usr/share/keyrings" / UBUNTU_KEYRING_FILE, keyring)
        shutil.rmtree(bootstrap)
    fingerprints = re.findall(r"^fpr:+([0-9A-F]{40}):", _run(
        ["gpg", "--batch", "--no-default-keyring", "--with-colons", "--show-keys",
         str(keyring)]), re.MULTILINE)
    if UBUNTU_ARCHIVE_KEY not in fingerprints:
        keyring.unlink()
        raise DebsError(f"the Ubuntu keyring does not hold the archive key {UBUNTU_ARCHIVE_KEY}; "
                        "removed it")
    return keyring.resolve()


def _private_apt(state: Path, sources: list[str]) -> list[str]:
    """apt options for a state folder of its own (sources, lists, cache; nothing of the build
    machine's apt configuration), after ``apt-get update``."""
    for folder in ("lists/partial", "cache/archives/partial", "parts", "preferences.d",
                   "trusted.gpg.d"):
        (state / folder).mkdir(parents=True, exist_ok=True)
    (state / "sources.list").write_text("".join(f"{line}\n" for line in sources),
                                        encoding="utf-8")
    state = state.resolve()
    options = {
        "Dir::Etc::SourceList": state / "sources.list", "Dir::Etc::SourceParts": state / "parts",
        "Dir::Etc::PreferencesParts": state / "preferences.d",
        "Dir::Etc::TrustedParts": state / "trusted.gpg.d", "Dir::State::Lists": state / "lists",
        "Dir::Cache": state / "cache", "APT::Architecture": "amd64",
        "APT::Architectures": "amd64", "Debug::NoLocking": "1",
    }
    apt = [item for key, value in options.items() for item in ("-o", f"{key}={value}")]
    _run(["apt-get", *apt, "update", "-q"])
    return apt


def _is_debian_12() -> bool:
    try:
        release = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return False
    return "ID=debian" in release and 'VERSION_ID="12"' in release


def _run(command: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        raise DebsError(f"{' '.join(command[:3])} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installers.offline_debs")
    parser.add_argument("--requirements", type=Path, default=None,
                        help="the frozen app's system-libraries.txt (adds openssl too)")
    parser.add_argument("--app-dir", type=Path, default=None,
                        help="the frozen app: what its window needs (adds openssl too)")
    parser.add_argument("--archive", action="store_true",
                        help="also pack the folder as FOLDER.tar.gz (the companion archive)")
    parser.add_argument("--package", action="append", default=[], help="another package")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--base-status", type=Path, default=None,
                        help="dpkg's status file of a bare system of that distribution "
                             "(debootstrap --variant=minbase: ROOT/var/lib/dpkg/status)")
    parser.add_argument("--distribution", choices=sorted(DISTRIBUTIONS), default="debian12")
    parser.add_argument("--apt-state", type=Path, default=Path(".cache/apt-ubuntu"),
                        help="where Ubuntu's package lists and keyring are kept")
    parser.add_argument("--keyring-only", action="store_true",
                        help="only fetch and check Ubuntu's archive keyring; print its path")
    args = parser.parse_args(argv)
    if args.keyring_only:
        try:
            print(ubuntu_keyring(args.apt_state))
        except (DebsError, StopIteration, OSError) as error:
            print(f"offline-debs: Ubuntu keyring: {error}", file=sys.stderr)
            return 1
        return 0
    if args.out is None or args.base_status is None:
        parser.error("--out and --base-status are needed")
    named = list(args.package)
    if args.requirements:
        named += [*packages_named(args.requirements.read_text(encoding="utf-8")), SIGNATURE_TOOL,
                  FONT]
    if args.app_dir:
        from installers.system_libraries import requirements_text, xcb_system_libraries

        named += [*packages_named(requirements_text(xcb_system_libraries(args.app_dir))),
                  SIGNATURE_TOOL, FONT]
    try:
        codename = DISTRIBUTIONS[args.distribution]
        apt = ubuntu_apt(codename, args.apt_state) if codename else None
        debs = collect(sorted(set(named)), args.out, args.base_status, apt)
    except DebsError as error:
        print(f"offline-debs: {error}", file=sys.stderr)
        return 1
    size = sum(deb.stat().st_size for deb in debs) / 2**20
    print(f"offline-debs: {len(debs)} packages ({size:.1f} MB) in {args.out}")
    if args.archive:
        archive = args.out.with_name(args.out.name + ".tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(args.out, arcname=args.out.name)
        print(f"offline-debs: {archive} ({archive.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
