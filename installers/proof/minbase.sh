#!/usr/bin/env bash
# A bare Debian 12 (debootstrap --variant=minbase bookworm), made once and kept in
# .cache/proof/minbase-root: no Python, no Qt libraries, no Tesseract, no openssl. The offline
# .deb folder is resolved against its dpkg status, and the installer proof runs in a copy.
#
#   installers/proof/minbase.sh      prints the root's path (needs root and debootstrap)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=.cache/proof/minbase-root

mirror() {
    # The Debian mirror apt already uses here (deb822 .sources files or the one-line format).
    local uri
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
          | grep -v security | head -1)
    [[ -n $uri ]] || uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
          | awk '{print $2}' | grep -v security | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}

if [[ ! -f $ROOT/.complete ]]; then
    [[ $(id -u) == 0 ]] || { echo "minbase: debootstrap needs root" >&2; exit 1; }
    command -v debootstrap >/dev/null || { echo "minbase: apt-get install debootstrap" >&2; exit 1; }
    rm -rf "$ROOT"
    mkdir -p "$(dirname "$ROOT")"
    debootstrap --variant=minbase bookworm "$ROOT" "$(mirror)" >&2
    touch "$ROOT/.complete"
fi
echo "$ROOT"
