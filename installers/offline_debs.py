"""The companion archive of .deb files: what a bare Debian 12 lacks for the bundle's window.

    python -m installers.offline_debs --requirements payload/share/system-libraries.txt --out DIR

The frozen app carries its own libraries, but Qt's xcb plugin (the window) loads some from the
system, and install.sh checks the signature with ``openssl``. A minimal Debian 12
(``debootstrap --variant=minbase``) has none of them. On the build machine (Debian 12) apt's own
resolver, run against that minimal system's dpkg status, says what it would install for them;
``apt-get download`` fetches exactly those, and this writes a flat apt repository (a
``Packages`` index) beside them, plus ``install-debs.sh``, which installs exactly the packages
the installer named, with their dependencies, from that folder alone and with no network.
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
_SIMULATED_INSTALL = re.compile(r"^Inst (\S+) \((\S+) ", re.MULTILINE)


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


def resolve(packages: list[str], base_status: Path) -> list[str]:
    """``name=version`` of every package apt would install for ``packages`` on a system whose
    dpkg status is ``base_status`` (apt's own resolver: first alternatives, no recommends)."""
    output = _run(["apt-get", "-s", "-o", f"Dir::State::status={base_status.resolve()}",
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


def collect(named: list[str], out: Path, base_status: Path) -> list[Path]:
    """Downloads what ``named`` needs on top of ``base_status`` into ``out``, and writes the
    folder's apt index, checksums and install script."""
    if shutil.which("apt-get") is None or not _is_debian_12():
        raise DebsError("the .deb folder is resolved for Debian 12: build on Debian 12 "
                        "(bookworm), where apt sees its package lists")
    if not base_status.is_file():
        raise DebsError(f"no dpkg status file at {base_status}")
    wanted = resolve(named, base_status)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _run(["apt-get", "download", "-q", *wanted], cwd=out)
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
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-status", type=Path, required=True,
                        help="dpkg's status file of a bare Debian 12 (debootstrap "
                             "--variant=minbase: ROOT/var/lib/dpkg/status)")
    args = parser.parse_args(argv)
    named = list(args.package)
    if args.requirements:
        named += [*packages_named(args.requirements.read_text(encoding="utf-8")), SIGNATURE_TOOL,
                  FONT]
    if args.app_dir:
        from installers.system_libraries import requirements_text, xcb_system_libraries

        named += [*packages_named(requirements_text(xcb_system_libraries(args.app_dir))),
                  SIGNATURE_TOOL, FONT]
    try:
        debs = collect(sorted(set(named)), args.out, args.base_status)
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
