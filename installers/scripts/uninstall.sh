#!/usr/bin/env bash
# Removes Enclave. The user's data (workspaces, index, history, settings) stays unless
# --purge-data is given.
#
#   uninstall.sh [--prefix DIR] [--purge-data]
set -euo pipefail

PREFIX=""
PURGE=0
while (($#)); do
    case "$1" in
        --prefix) PREFIX=$2; shift ;;
        --purge-data) PURGE=1 ;;
        -h|--help) sed -n '2,6p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "enclave-uninstall: unknown option $1" >&2; exit 1 ;;
    esac
    shift
done

if [[ -z $PREFIX ]]; then
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
    PREFIX=$(cd "$here/../.." && pwd)
fi
[[ -f $PREFIX/install.conf ]] || { echo "enclave-uninstall: no installation in $PREFIX" >&2; exit 1; }
# shellcheck disable=SC1091
source "$PREFIX/install.conf"

rm -f "$BIN_DIR/enclave" "$SHARE_DIR/applications/enclave.desktop" \
      "$SHARE_DIR/icons/hicolor/256x256/apps/enclave.png"
rm -rf "$PREFIX"
echo "enclave-uninstall: removed the application from $PREFIX"

data=${ENCLAVE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/Enclave}
if ((PURGE)); then
    rm -rf "$data"
    echo "enclave-uninstall: removed the user data in $data"
elif [[ $PREFIX == "$HOME"/* ]]; then
    echo "enclave-uninstall: your workspaces, index, history, audit trail and settings were kept" \
         "in $data (uninstall with --purge-data, or delete that folder, to remove them)"
else
    echo "enclave-uninstall: every user's workspaces, index, history, audit trail and settings" \
         "were kept, each in ~/.local/share/Enclave (or \$ENCLAVE_HOME); delete that folder to" \
         "remove them"
fi
