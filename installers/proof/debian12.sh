#!/usr/bin/env bash
# The offline installer, proven on a bare Debian 12 with no network (make installer-proof).
#
#   installers/proof/debian12.sh [ARCHIVE]      default: the newest dist/enclave-*.tar.gz
#   PROOF_SUITE=jammy|noble installers/proof/debian12.sh [ARCHIVE]
#       the same on a bare Ubuntu 22.04 or 24.04, with its own companion .deb folder; the
#       checks up to the window and the audit trail (make installer-proof-ubuntu)
#
# Needs root (debootstrap, chroot, namespaces) and a built archive with its companion
# .deb folder (make installer). Steps:
#   1. a bare Debian 12 root (installers/proof/minbase.sh, cached), copied afresh;
#   2. the archive, the .deb folder and the test inputs copied in; a second archive, the same
#      app as version N+1, is made for the upgrade (installers.build --app-dir, re-signed);
#   3. the root entered with no network at all (own network, mount and pid namespaces,
#      pivot_root), where installers/proof/inside.sh installs as an administrator would and runs
#      every check as an ordinary user;
#   4. the results: one line per check, the window's screenshot as PNG, the install time.
# Not part of make test or CI: it takes about 15 minutes on two busy cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=installers/proof
PROOF=.cache/proof
SUITE=${PROOF_SUITE:-bookworm}
case $SUITE in
    bookworm) DISTRIBUTION=debian12 ROOT=$PROOF/root OUT=$PROOF/out TOOLS_DEBS=$PROOF/tools-debs ;;
    jammy|noble)
        [[ $SUITE == jammy ]] && DISTRIBUTION=ubuntu22.04 || DISTRIBUTION=ubuntu24.04
        ROOT=$PROOF/root-$SUITE OUT=$PROOF/out-$SUITE TOOLS_DEBS=$PROOF/tools-debs-$SUITE ;;
    *) echo "installer-proof: PROOF_SUITE is bookworm, jammy or noble" >&2; exit 2 ;;
esac
VENV=${ENCLAVE_VENV:-.cache/installer-venv}

fail() { echo "installer-proof: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "needs root (debootstrap, chroot and namespaces)"
ARCHIVE=${1:-$(ls -t dist/enclave-*-linux-*.tar.gz 2>/dev/null | head -1)}
[[ -f $ARCHIVE ]] || fail "no archive: run make installer first"
NAME=$(basename "$ARCHIVE" .tar.gz)
VERSION=${NAME#enclave-}
VERSION=${VERSION%-linux-*}
DEBS=$(dirname "$ARCHIVE")/enclave-$VERSION-$DISTRIBUTION-debs.tar.gz
[[ -f $DEBS ]] || fail "no companion .deb archive $DEBS (make installer builds it)"
KEY=${SIGNING_KEY:-.cache/installer-dev-key.pem}

next_version() {
    # The same frozen app as version N+1: enough to prove the upgrade path (data, history and
    # audit trail survive, the new version runs them), without freezing twice. It comes from
    # the archive itself (or from the build's frozen folder beside it, which is the same app).
    local next="$VERSION.1" out=$PROOF/next app
    local archive=$out/enclave-$next-linux-x86_64.tar.gz
    [[ -f $archive && $archive -nt $ARCHIVE ]] && { echo "$next"; return; }
    rm -rf "$out" && mkdir -p "$out"
    app=$(dirname "$ARCHIVE")/work/dist/enclave
    if [[ ! -d $app ]]; then
        tar -xzf "$ARCHIVE" -C "$out"
        app=$out/$NAME/payload/app
    fi
    "$VENV/bin/python" -m installers.build --app-dir "$app" --version "$next" --out "$out" \
        --signing-key "$KEY" >&2
    rm -rf "${out:?}/$NAME" "$out/enclave-$next-linux-x86_64"
    echo "$next"
}

TOOLS=(xvfb x11-utils xdotool strace)

tools() {
    # Test tools only, never needed by Enclave: an X server, xwininfo/xdotool to find and drive
    # the window, strace to watch the app's sockets. Resolved like the companion folder, against
    # the bare root; made again when the list changes.
    local folder=$TOOLS_DEBS
    [[ -f $folder/Packages && $(cat "$folder/.tools" 2>/dev/null) == "${TOOLS[*]}" ]] && return
    rm -rf "$folder"
    "$VENV/bin/python" -m installers.offline_debs "${TOOLS[@]/#/--package=}" --out "$folder" \
        --distribution "$DISTRIBUTION" --base-status "$BASE/var/lib/dpkg/status" >&2
    echo "${TOOLS[*]}" >"$folder/.tools"
}

prepare_root() {
    rm -rf "$ROOT" "$OUT"
    mkdir -p "$OUT"
    cp -a "$BASE" "$ROOT"
    local media=$ROOT/media/enclave
    mkdir -p "$media" "$ROOT/proof"
    cp "$ARCHIVE" "$DEBS" "$media/"
    chmod -R a+rX "$media"
    cp -a "$TOOLS_DEBS" "$ROOT/proof/tools-debs"
    cp "$HERE/inside.sh" "$ROOT/proof/"
    # The inputs: the sample documents, a scanned page, a PDF with personal data, a contract.
    PYTHONPATH=$PWD .venv/bin/python -m tests.installers.proof_inputs "$ROOT/proof/inputs"
}

enter_offline() {
    # Own network namespace (only a loopback, down), mount and pid namespaces; pivot_root
    # rather than chroot, so that the app's own user namespace (its OS-enforced offline mode)
    # is allowed as on a real machine.
    unshare --net --mount --pid --fork --kill-child bash -c '
        set -e
        root=$1
        mount --make-rprivate /
        mount --bind "$root" "$root"
        mount --rbind /dev "$root/dev"
        mount -t tmpfs tmpfs "$root/tmp"
        mkdir -p "$root/.old"
        cd "$root"
        pivot_root . .old
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        umount -l /.old
        rmdir /.old
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            bash /proof/inside.sh "$2" "$3" "$4" "$5"' \
        proof "$PWD/$ROOT" "$NAME" "$VERSION" "$NEXT" "$DISTRIBUTION"
}

screenshot() {
    # Xvfb wrote its screen as an XWD file (-fbdir); PNG for the README.
    [[ -f $ROOT/proof/out/window.xwd ]] || return 0
    PYTHONPATH=$PWD .venv/bin/python -m tests.installers.proof_inputs --xwd-to-png \
        "$ROOT/proof/out/window.xwd" "$OUT/window.png"
}

deliver_next() {
    # Built beside the first checks (it is mostly compression); inside.sh waits for it before
    # the upgrade step. The root's /media is a folder of this machine, so it can arrive late.
    local next
    next=$(next_version) || { touch "$ROOT/media/enclave/next.failed"; return 1; }
    cp "$PROOF/next/enclave-$next-linux-x86_64.tar.gz" "$ROOT/media/enclave/"
    chmod a+r "$ROOT/media/enclave/enclave-$next-linux-x86_64.tar.gz"
    touch "$ROOT/media/enclave/next.ready"
}

main() {
    local started=$SECONDS
    BASE=$(PYTHON="$VENV/bin/python" bash "$HERE/minbase.sh" "$SUITE")
    NEXT="$VERSION.1"
    tools
    prepare_root
    if [[ $SUITE == bookworm ]]; then
        deliver_next >"$OUT/next-build.log" 2>&1 &
    fi
    local status=0
    enter_offline || status=$?
    wait
    cp -a "$ROOT/proof/out/." "$OUT/" 2>/dev/null || true
    screenshot
    if [[ $SUITE == bookworm ]]; then
        PYTHONPATH=$PWD .venv/bin/python -m tests.installers.proof_inputs --check-outputs "$OUT" \
            >>"$OUT/results.tsv" || status=1
    elif [[ -f $OUT/window.png ]]; then
        printf 'window-screenshot\tPASS\t%s\n' "$OUT/window.png" >>"$OUT/results.tsv"
    else
        printf 'window-screenshot\tFAIL\tno screenshot\n' >>"$OUT/results.tsv"
    fi
    echo "installer-proof: results ($((SECONDS - started)) s in all; logs in $OUT):"
    column -t -s $'\t' "$OUT/results.tsv"
    grep -q $'\tFAIL\t' "$OUT/results.tsv" && status=1
    return "$status"
}

main "$@"
