#!/usr/bin/env bash
# A bare system made with debootstrap --variant=minbase, once, and kept in .cache/proof:
# Debian 12 (bookworm, the default) in minbase-root, Ubuntu 22.04 (jammy) or 24.04 (noble) in
# minbase-SUITE. No Python, no Qt libraries, no Tesseract, no openssl. The offline .deb folders
# are resolved against their dpkg status, and the installer proof runs in a copy of one.
#
#   installers/proof/minbase.sh [bookworm|jammy|noble]   prints the root's path (needs root)
set -euo pipefail
cd "$(dirname "$0")/../.."
SUITE=${1:-bookworm}

mirror() {
    # The Debian mirror apt already uses here (deb822 .sources files or the one-line format).
    local uri
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
          | grep -v security | head -1)
    [[ -n $uri ]] || uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
          | awk '{print $2}' | grep -v security | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}

case $SUITE in
    bookworm) ROOT=.cache/proof/minbase-root; ARGS=(bookworm "$ROOT" "$(mirror)") ;;
    jammy|noble)
        # Ubuntu's archive, checked with its archive key (pinned in installers/offline_debs.py);
        # this debootstrap may predate the suite: Ubuntu's scripts are all one (gutsy).
        ROOT=.cache/proof/minbase-$SUITE
        KEYRING=$(${PYTHON:-.cache/installer-venv/bin/python} -m installers.offline_debs --keyring-only)
        ARGS=(--keyring="$KEYRING" --components=main "$SUITE" "$ROOT"
              http://archive.ubuntu.com/ubuntu /usr/share/debootstrap/scripts/gutsy) ;;
    *) echo "minbase: bookworm, jammy or noble, not $SUITE" >&2; exit 2 ;;
esac

if [[ ! -f $ROOT/.complete ]]; then
    [[ $(id -u) == 0 ]] || { echo "minbase: debootstrap needs root" >&2; exit 1; }
    command -v debootstrap >/dev/null || { echo "minbase: apt-get install debootstrap" >&2; exit 1; }
    rm -rf "$ROOT"
    mkdir -p "$(dirname "$ROOT")"
    debootstrap --variant=minbase "${ARGS[@]}" >&2
    touch "$ROOT/.complete"
fi
echo "$ROOT"
