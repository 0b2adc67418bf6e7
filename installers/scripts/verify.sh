#!/usr/bin/env bash
# Checks an installed Enclave against the signed manifest it was installed from, and names
# every file that was changed, removed or added since. Needs openssl (as install.sh did).
#
#   verify.sh [--public-key FILE]    (default: the key the installation was checked with)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PUBLIC_KEY=$HERE/signing-key.pub.pem
[[ ${1-} == --public-key ]] && PUBLIC_KEY=$2
fail() { printf 'enclave-verify: REFUSED: %s\n' "$*" >&2; exit 1; }
cd "$HERE"
openssl pkeyutl -verify -pubin -inkey "$PUBLIC_KEY" -rawin -in MANIFEST.sha256 \
    -sigfile MANIFEST.sha256.sig >/dev/null 2>&1 \
    || fail "the manifest's signature does not match the signing key"
# The bundle's paths as installed: payload/X is X here; install.sh is not installed.
installed=$(awk '{ path = substr($0, 67) } path != "install.sh" {
    sub(/^payload\//, "", path); print substr($0, 1, 64) "  " path }' MANIFEST.sha256)
changed=$(sha256sum -c --quiet <<<"$installed" 2>/dev/null | cut -d: -f1 | sort -u) || true
[[ -z $changed ]] || fail "these installed files were altered or removed: ${changed//$'\n'/, }"
added=$(find . -type f ! -name MANIFEST.sha256 ! -name MANIFEST.sha256.sig \
        ! -name signing-key.pub.pem -printf '%P\n' | sort | comm -23 - <(cut -c67- <<<"$installed" | sort))
[[ -z $added ]] || fail "files that were not installed from the signed bundle: ${added//$'\n'/, }"
echo "enclave-verify: $(wc -l <<<"$installed") installed files match the signed manifest"
