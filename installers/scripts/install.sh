#!/usr/bin/env bash
# Enclave offline installer. Needs no network, no Python and no compiler: only bash, coreutils,
# tar and openssl (for the Ed25519 signature).
#
#   ./install.sh                      install for this user (~/.local)
#   ./install.sh --system             install for every user (/opt/enclave, needs root)
#   ./install.sh --prefix DIR         install under DIR
#   ./install.sh --public-key FILE    check the signature against this key instead of the bundled
#                                     one (compare its fingerprint with the administrator's)
#   ./install.sh --skip-window-check  install even when system libraries the window needs are
#                                     missing (the command line works; the window will not start)
#
# Installing over an earlier version upgrades in place: the new version is unpacked beside the
# old one, checked, self-tested, and only then made current. User data (workspaces, index,
# history, settings) lives elsewhere and is never touched.
set -euo pipefail

BUNDLE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=$(cat "$BUNDLE/payload/VERSION")
SCOPE=user
PREFIX=""
PUBLIC_KEY="$BUNDLE/signing-key.pub.pem"
SELF_TEST=1
WINDOW_CHECK=1

say() { printf 'enclave-install: %s\n' "$*"; }
fail() { printf 'enclave-install: ERROR: %s\n' "$*" >&2; exit 1; }

parse_arguments() {
    while (($#)); do
        case "$1" in
            --system) SCOPE=system ;;
            --prefix) PREFIX=$2; shift ;;
            --public-key) PUBLIC_KEY=$2; shift ;;
            --skip-self-test) SELF_TEST=0 ;;
            --skip-window-check) WINDOW_CHECK=0 ;;
            -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
            *) fail "unknown option $1 (see --help)" ;;
        esac
        shift
    done
}

choose_locations() {
    if [[ $SCOPE == system ]]; then
        [[ $(id -u) == 0 ]] || fail "--system needs root (run with sudo)"
        PREFIX=${PREFIX:-/opt/enclave}
        BIN_DIR=/usr/local/bin
        SHARE_DIR=/usr/share
    else
        PREFIX=${PREFIX:-$HOME/.local/lib/enclave}
        BIN_DIR=$HOME/.local/bin
        SHARE_DIR=${XDG_DATA_HOME:-$HOME/.local/share}
    fi
}

companion_system() {
    # Which companion archive of .deb files fits this system (os-release): Ubuntu 22.04 and
    # 24.04 have their own; Debian 12's is named for anything else.
    local release=${ENCLAVE_OS_RELEASE:-/etc/os-release} system=""
    [[ -r $release ]] && system=$(. "$release" && echo "${ID:-} ${VERSION_ID:-}")
    case $system in
        "ubuntu 22.04") echo ubuntu22.04 ;;
        "ubuntu 24.04") echo ubuntu24.04 ;;
        *) echo debian12 ;;
    esac
}

offline_packages() {
    # How to install Debian packages at an air-gapped site: the companion archive of .deb files.
    local folder
    folder="enclave-$VERSION-$(companion_system)-debs"
    printf 'offline: unpack %s and run: sudo ./%s/install-debs.sh %s' \
        "$folder.tar.gz" "$folder" "$*"
}

verify_bundle() {
    command -v openssl >/dev/null || fail "openssl is needed to check the bundle's signature; install it (Debian/Ubuntu: sudo apt-get install openssl; $(offline_packages openssl)) and run this installer again"
    [[ -f $PUBLIC_KEY ]] || fail "public key not found: $PUBLIC_KEY"
    local print
    print=$(sha256sum "$PUBLIC_KEY" | cut -c1-32 | sed 's/..../&:/g; s/:$//')
    say "signing key fingerprint: $print"
    openssl pkeyutl -verify -pubin -inkey "$PUBLIC_KEY" -rawin -in "$BUNDLE/MANIFEST.sha256" \
        -sigfile "$BUNDLE/MANIFEST.sha256.sig" >/dev/null 2>&1 \
        || fail "the manifest's signature does not match the signing key: refusing to install"
    local failed
    failed=$(cd "$BUNDLE" && sha256sum -c --quiet MANIFEST.sha256 2>/dev/null | cut -d: -f1) || true
    [[ -z $failed ]] || fail "checksum mismatch, the bundle was altered or damaged: ${failed//$'\n'/, }"
    local unlisted
    unlisted=$(cd "$BUNDLE" && find . -type f ! -name MANIFEST.sha256 ! -name MANIFEST.sha256.sig \
        ! -name signing-key.pub.pem -printf '%P\n' | sort | comm -23 - <(cut -c67- MANIFEST.sha256 | sort))
    [[ -z $unlisted ]] || fail "files not in the signed manifest: ${unlisted//$'\n'/, }"
    say "bundle verified: signature and $(wc -l <"$BUNDLE/MANIFEST.sha256") checksums match"
}

linker_cache() {
    # The libraries the dynamic loader can find (ldconfig lives in sbin, not on every PATH).
    PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null \
        || fail "cannot list the system's libraries (ldconfig -p failed)"
}

check_system_libraries() {
    # Qt's xcb platform plugin (the window) needs these from the system; the build listed them.
    local wanted="$BUNDLE/payload/share/system-libraries.txt" cache name soname package
    local -A present=()
    local missing=() packages=()
    [[ -f $wanted ]] || return 0
    cache=$(linker_cache)
    while read -r name _; do present[$name]=1; done <<<"$cache"
    while read -r soname package; do
        [[ -z $soname || $soname == \#* || -n ${present[$soname]:-} ]] && continue
        missing+=("$soname")
        [[ $package == - ]] || packages+=("$package")
    done <"$wanted"
    # Qt carries no fonts: with none on the system the window opens with no text at all.
    if ! compgen -G "/usr/share/fonts/*/*" >/dev/null && ! compgen -G "/usr/share/fonts/*/*/*" >/dev/null \
            && ! compgen -G "/usr/local/share/fonts/*" >/dev/null; then
        missing+=("a font (none in /usr/share/fonts)")
        packages+=(fonts-dejavu-core)
    fi
    ((${#missing[@]})) || { say "system libraries for the window: all present"; return 0; }
    local advice="install them and run this installer again"
    ((${#packages[@]})) && advice="install them (Debian/Ubuntu: sudo apt-get install ${packages[*]}; $(offline_packages "${packages[@]}")) and run this installer again"
    if ((WINDOW_CHECK)); then
        fail "the window cannot start: these system libraries are missing: ${missing[*]}; $advice (or pass --skip-window-check to install for the command line only)"
    fi
    say "WARNING: the window will not start until these system libraries are installed: ${missing[*]}; $advice"
}

unpack() {
    TARGET="$PREFIX/versions/$VERSION"
    rm -rf "$TARGET.partial"
    mkdir -p "$TARGET.partial"
    cp -a "$BUNDLE/payload/." "$TARGET.partial/"
    # The signed manifest travels along: verify.sh checks the installed files against it later.
    cp -a "$BUNDLE/uninstall.sh" "$BUNDLE/verify.sh" "$BUNDLE/MANIFEST.sha256" \
        "$BUNDLE/MANIFEST.sha256.sig" "$BUNDLE/signing-key.pub.pem" "$TARGET.partial/"
    rm -rf "$TARGET"
    mv "$TARGET.partial" "$TARGET"
}

self_test() {
    ((SELF_TEST)) || { say "self-test skipped"; return 0; }
    say "running the self-test (no network is used)"
    local scratch
    scratch=$(mktemp -d)
    if ! ENCLAVE_HOME="$scratch" "$TARGET/app/enclave" selftest; then
        rm -rf "$scratch" "$TARGET"
        fail "the self-test failed; the previous installation (if any) is unchanged"
    fi
    rm -rf "$scratch"
}

activate() {
    ln -sfn "versions/$VERSION" "$PREFIX/current.new"
    mv -T "$PREFIX/current.new" "$PREFIX/current"
    mkdir -p "$BIN_DIR" "$SHARE_DIR/applications" "$SHARE_DIR/icons/hicolor/256x256/apps"
    ln -sfn "$PREFIX/current/app/enclave" "$BIN_DIR/enclave"
    cp "$TARGET/share/enclave.png" "$SHARE_DIR/icons/hicolor/256x256/apps/enclave.png"
    sed "s|@EXEC@|$PREFIX/current/app/enclave|" "$TARGET/share/enclave.desktop" \
        >"$SHARE_DIR/applications/enclave.desktop"
    printf 'PREFIX=%q\nBIN_DIR=%q\nSHARE_DIR=%q\n' "$PREFIX" "$BIN_DIR" "$SHARE_DIR" \
        >"$PREFIX/install.conf"
    for old in "$PREFIX"/versions/*; do
        [[ $old == "$TARGET" ]] || rm -rf "$old"
    done
}

main() {
    parse_arguments "$@"
    choose_locations
    verify_bundle
    check_system_libraries
    unpack
    self_test
    activate
    say "Enclave $VERSION installed in $PREFIX; start it from the applications menu or with $BIN_DIR/enclave"
}

main "$@"
