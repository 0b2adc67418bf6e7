#!/usr/bin/env bash
# Runs inside the bare Debian 12 root with no network (installers/proof/debian12.sh enters it).
# Installs Enclave as an administrator would, then checks it as an ordinary user. Every check
# writes one line to /proof/out/results.tsv: name, PASS or FAIL, detail; logs beside it.
#
#   inside.sh NAME VERSION NEXT_VERSION [DISTRIBUTION]
# DISTRIBUTION (debian12, ubuntu22.04, ubuntu24.04) names the companion .deb archive; on
# Ubuntu the checks stop after the window and the audit trail (the rest is the same app).
set -uo pipefail
NAME=$1 VERSION=$2 NEXT=$3 DISTRIBUTION=${4:-debian12}
MEDIA=/media/enclave
OUT=/proof/out
INPUTS=/proof/inputs
USER_NAME=clerk
USER_HOME=/home/$USER_NAME
DATA=$USER_HOME/.local/share/Enclave
WORKSPACE="Sample matter"  # app.samples.SAMPLE_WORKSPACE, which the window opens first
QUESTION="How much notice is needed to terminate the agreement for convenience?"
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: >"$RESULTS"

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; echo "proof: $1: $2 $3"; }

check() {
    # check NAME EXPECTED_PATTERN COMMAND...: PASS when it exits 0 and its output matches.
    local name=$1 pattern=$2; shift 2
    local log=$OUT/$name.log started=$SECONDS
    "$@" >"$log" 2>&1
    local code=$?
    local took=$((SECONDS - started))
    if ((code == 0)) && grep -Eq -- "$pattern" "$log"; then
        record "$name" PASS "$(grep -Em1 -- "$pattern" "$log" | cut -c1-150) (${took} s)"
    else
        record "$name" FAIL "exit $code, wanted /$pattern/; see $name.log: $(tail -1 "$log" | cut -c1-150)"
    fi
}

as_user() {
    # An ordinary user's session: clean environment, the installed launcher on PATH.
    setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups \
        env -i HOME="$USER_HOME" USER="$USER_NAME" PATH=/usr/local/bin:/usr/bin:/bin \
        LANG=C.UTF-8 ${DISPLAY:+DISPLAY=$DISPLAY} ${QT_QPA_PLATFORM:+QT_QPA_PLATFORM=$QT_QPA_PLATFORM} \
        "$@"
}

no_network() {
    # Only a loopback exists, and it is down: nothing can leave this root.
    local interfaces
    interfaces=$(awk -F: 'NR > 2 {gsub(/ /, "", $1); print $1}' /proc/net/dev | tr '\n' ' ')
    echo "interfaces: $interfaces"
    [[ $interfaces == "lo " ]] && ! (exec 3<>/dev/tcp/151.101.2.132/80) 2>/dev/null \
        && echo "no route out: connect to a Debian mirror address refused"
}

bare_system() {
    local absent=()
    for tool in python3 openssl tesseract Xvfb; do command -v "$tool" >/dev/null || absent+=("$tool"); done
    ldconfig -p | grep -q libxcb-cursor || absent+=(libxcb-cursor)
    ldconfig -p | grep -q libGL.so || absent+=(libGL)
    echo "absent before install: ${absent[*]} ($(. /etc/os-release && echo "$PRETTY_NAME"))"
    ((${#absent[@]} == 6))
}

administrator_install() {
    # install.sh, and whatever it names from the companion .deb folder, until it succeeds.
    local media=$MEDIA tries=0 log=$OUT/install.log
    mkdir -p /root/unpacked && tar -xzf "$media/$NAME.tar.gz" -C /root/unpacked
    tar -xzf "$media/enclave-$VERSION-$DISTRIBUTION-debs.tar.gz" -C /root/unpacked
    local debs=/root/unpacked/enclave-$VERSION-$DISTRIBUTION-debs
    : >"$log"
    while ((tries++ < 4)); do
        local started=$SECONDS
        if bash "/root/unpacked/$NAME/install.sh" --system >>"$log" 2>&1; then
            echo "install time: $((SECONDS - started)) s (verify, unpack, self-test)" >>"$log"
            return 0
        fi
        local packages
        packages=$(grep -o 'install-debs.sh [^)]*' "$log" | tail -1 | cut -d' ' -f2-)
        [[ -n $packages ]] || return 1
        echo "administrator: installing from the .deb folder: $packages" >>"$log"
        # shellcheck disable=SC2086
        "$debs/install-debs.sh" $packages >>"$log" 2>&1 || return 1
        : # the next loop runs install.sh again
    done
    return 1
}

window() {
    # Xvfb (a test tool, installed here from the proof's own folder) with its screen in a file;
    # the installed app's window on it with the xcb platform; the sample question typed in and
    # its answer awaited in the saved history.
    mkdir -p /tmp/fb /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix
    Xvfb :7 -ac -screen 0 1280x800x24 -fbdir /tmp/fb -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
    local xvfb=$! window="" history="$DATA/history/${WORKSPACE// /_}.json"
    sleep 3
    DISPLAY=:7 QT_QPA_PLATFORM=xcb as_user enclave gui >"$OUT/gui.log" 2>&1 &
    local gui=$!
    for _ in $(seq 1 300); do
        window=$(DISPLAY=:7 xdotool search --onlyvisible --name "Enclave\$" 2>/dev/null | head -1)
        [[ -n $window ]] && break
        sleep 1
    done
    echo "window: ${window:+0x}${window:-none} $(DISPLAY=:7 xdotool getwindowname "$window" 2>/dev/null)"
    if [[ -n $window ]]; then
        sleep 5
        DISPLAY=:7 xdotool windowsize "$window" 1280 800 windowmove "$window" 0 0
        DISPLAY=:7 xdotool windowfocus --sync "$window"
        DISPLAY=:7 xdotool type --delay 30 "$QUESTION"
        DISPLAY=:7 xdotool key Return
        for _ in $(seq 1 600); do
            grep -Eq '"answer": "[^"]' "$history" 2>/dev/null && break
            sleep 1
        done
        grep -o '"answer": "[^"]*' "$history" | head -1
        sleep 5  # the quote's check mark and the cited passage are drawn
        cp /tmp/fb/Xvfb_screen0 "$OUT/window.xwd"
    fi
    kill "$gui" 2>/dev/null; wait "$gui" 2>/dev/null
    kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null
    [[ -n $window ]] && grep -Eq '"answer": "[^"]' "$history"
}

tampered_after_install() {
    # A library altered after installation: verify.sh names it; the original is put back.
    local victim
    victim=$(find /opt/enclave/current/app -name 'libllama*.so*' -type f | head -1)
    cp -a "$victim" /root/victim.bak
    printf '\0' >>"$victim"
    /opt/enclave/current/verify.sh
    local code=$?
    cp -a /root/victim.bak "$victim"
    ((code != 0))
}

tampered_archive() {
    # A file of the unpacked archive altered (as on damaged or tampered media): install.sh names
    # it and installs nothing; the original is put back.
    local bundle=/root/unpacked/$NAME victim before
    victim=$(find "$bundle/payload/app" -name 'libllama*.so*' -type f | head -1)
    before=$(readlink /opt/enclave/current)
    cp -a "$victim" /root/archive-victim.bak
    printf '\0' >>"$victim"
    bash "$bundle/install.sh" --system
    local code=$?
    cp -a /root/archive-victim.bak "$victim"
    echo "install.sh exit $code; current still: $(readlink /opt/enclave/current)"
    ((code != 0)) && [[ $(readlink /opt/enclave/current) == "$before" ]]
}

network_trace() {
    # Ingest, a question on the model and the scanned page's personal-data scan, run as the
    # user under strace for more than a minute: every connect and send of the app and all its
    # children, and the address family of each (-yy names a socket's protocol on its fd).
    # Allowed: AF_UNIX, and netlink requests addressed to the kernel itself (nl_pid=0: the app
    # lists its namespace's interfaces with if_nameindex); anything else fails the check.
    local trace=$OUT/network.strace started=$SECONDS
    # On a fast machine the three take well under a minute: the question and the scan are
    # asked again until 70 s have passed.
    as_user strace -f -qq -yy -e trace=network -e signal=none -o /tmp/network.strace bash -c '
        enclave ingest "$1/samples" --workspace Traced \
        && enclave ask "$2" --workspace Traced \
        && enclave scan "$1/scanned_referral.pdf" --show || exit 1
        rounds=1
        while ((SECONDS < 70)); do
            enclave ask "$2" --workspace Traced >/dev/null \
                && enclave scan "$1/scanned_referral.pdf" --show >/dev/null || exit 1
            rounds=$((rounds + 1))
        done
        echo "question and scan rounds: $rounds"' traced "$INPUTS" "$QUESTION" || return 1
    local took=$((SECONDS - started))
    cp /tmp/network.strace "$trace"
    local sends others kernel families
    sends=$(grep -E '^[0-9]+ +(connect|sendto|sendmsg|sendmmsg)\(' "$trace")
    others=$(grep -vE '\([0-9]+<UNIX|\([0-9]+<socket:\[[0-9]+\]>, \{sa_family=AF_UNIX' <<<"$sends" \
             | grep -vE '^[0-9]+ +(sendto|sendmsg)\([0-9]+<NETLINK:.*\{sa_family=AF_NETLINK, nl_pid=0,')
    kernel=$(grep -cE '^[0-9]+ +(sendto|sendmsg)\([0-9]+<NETLINK:.*\{sa_family=AF_NETLINK, nl_pid=0,' <<<"$sends")
    families=$(grep -oE '^[0-9]+ +socket\((AF_[A-Z0-9]+|PF_[A-Z0-9]+)' "$trace" \
               | awk -F'(' '{print $2}' | sort | uniq -c | tr -s ' \n' ' ')
    echo "traced $took s, $(cut -d' ' -f1 "$trace" | sort -u | wc -l) processes;" \
         "sockets opened by family: ${families:-none}"
    echo "connect/send calls: $(grep -c . <<<"$sends") (netlink requests to the kernel: $kernel)," \
         "to other than AF_UNIX or the kernel: $(grep -c . <<<"$others")"
    [[ -n $others ]] && echo "$others" | head -20
    ((took > 60)) && [[ -z $others ]]
}

upgrade() {
    # Version N+1 is built on the host while the checks above run; it arrives in /media.
    for _ in $(seq 1 3600); do
        [[ -f $MEDIA/next.ready || -f $MEDIA/next.failed ]] && break
        sleep 1
    done
    [[ -f $MEDIA/next.ready ]] || { echo "version $NEXT never arrived"; return 1; }
    mkdir -p /root/next && tar -xzf "$MEDIA/enclave-$NEXT-linux-x86_64.tar.gz" -C /root/next
    bash "/root/next/enclave-$NEXT-linux-x86_64/install.sh" --system \
        && echo "current: $(readlink /opt/enclave/current)" \
        && [[ $(readlink /opt/enclave/current) == "versions/$NEXT" ]]
}

data_kept() {
    # What the user had before the upgrade is still there and readable by the new version.
    ls "$DATA" "$DATA/history" && as_user enclave docs list --workspace "$WORKSPACE" \
        && as_user enclave docs list --workspace Scans
}

short_checks() {
    # Another distribution: its window and audit trail; the rest is the same app and installer.
    "/proof/tools-debs/install-debs.sh" xvfb x11-utils xdotool strace >"$OUT/tools.log" 2>&1 \
        || record test-tools FAIL "the proof's own tools (Xvfb, xdotool, strace) did not install"
    check window "window: 0x" window
    check audit-verify "intact|verified|OK" as_user enclave audit verify
    check network-trace "to other than AF_UNIX or the kernel: 0" network_trace
}

main() {
    check no-network "no route out" no_network
    check "bare-${DISTRIBUTION/debian12/debian-12}" "absent before install" bare_system
    check install "install time" administrator_install
    useradd --create-home --shell /bin/bash "$USER_NAME"
    check selftest "Self-test passed" as_user enclave selftest
    check doctor "enforced by the OS" as_user enclave doctor
    check ingest "indexed" as_user enclave ingest "$INPUTS/samples" --workspace "$WORKSPACE"
    check sample-question "90" as_user enclave ask "$QUESTION" --workspace "$WORKSPACE"
    grep -q "(verified)" "$OUT/sample-question.log" \
        && record sample-quote PASS "$(grep -m1 -B1 '(verified)' "$OUT/sample-question.log" | tr -s ' \n' ' ' | cut -c1-150)" \
        || record sample-quote FAIL "no verified quote; see sample-question.log"
    check ocr "read by OCR: 1 page" as_user enclave ingest "$INPUTS/scanned_referral.pdf" --workspace Scans
    # The words Tesseract read, seen through the personal-data scan of the same scanned PDF.
    check ocr-text "Daniel Okafor" as_user enclave scan "$INPUTS/scanned_referral.pdf" --show
    [[ $DISTRIBUTION == debian12 ]] || { short_checks; return; }
    check redacted-pdf "Written: " as_user enclave redact "$INPUTS/intake_form.pdf" \
        --out "$USER_HOME/intake_form.redacted.pdf"
    as_user cp "$USER_HOME/intake_form.redacted.pdf" "$OUT/" 2>/dev/null || cp "$USER_HOME/intake_form.redacted.pdf" "$OUT/"
    check contract-summary "governed by the laws" as_user enclave summarize "$INPUTS/services_agreement.pdf"
    "/proof/tools-debs/install-debs.sh" xvfb x11-utils xdotool strace >"$OUT/tools.log" 2>&1 \
        || record test-tools FAIL "the proof's own tools (Xvfb, xdotool, strace) did not install"
    check window "window: 0x" window
    check audit-verify "intact|verified|OK" as_user enclave audit verify
    check network-trace "to other than AF_UNIX or the kernel: 0" network_trace
    check tampered-archive "checksum mismatch.*libllama" tampered_archive
    check tampered-after-install "refused|altered|mismatch" tampered_after_install
    cp -a "$DATA/history" "$OUT/history-before" 2>/dev/null
    check upgrade "current: versions/$NEXT" upgrade
    check upgrade-data-kept "services_agreement" data_kept
    check upgrade-audit-verify "intact|verified|OK" as_user enclave audit verify
    check upgrade-selftest "Self-test passed" as_user enclave selftest
    cp -a "$DATA/history" "$OUT/history-after" 2>/dev/null
    check uninstall "kept" /opt/enclave/current/uninstall.sh
    check uninstall-data-kept "settings|index" ls "$DATA"
    [[ ! -e /opt/enclave && ! -e /usr/local/bin/enclave ]] \
        && record uninstall-app-gone PASS "/opt/enclave and /usr/local/bin/enclave removed" \
        || record uninstall-app-gone FAIL "the application is still there"
}

main
