#!/usr/bin/env bash
# Builds the offline installer archive on a connected build machine (see README, "Offline
# installer"). Uses its own environment in .cache/installer-venv with a portable llama.cpp
# (one CPU backend per x86-64 level, chosen at run time: installers/portable_llama.py), so the
# bundle runs on other desktops too.
#
#   installers/build_installer.sh [--signing-key KEY.pem] [--model extra.gguf ...] [--out DIR]
#
# Steps, timed (wall and CPU seconds) into .cache/build-logs/steps.tsv and printed at the end:
#   portable-llama  (cached in .cache/portable by version, variants and CMake flags)
#   packages        the rest of the Python packages, side by side with portable-llama
#   embedder        the ONNX exports of the embedder (cached in the venv)
#   install-llama   the portable wheel into the venv
#   freeze          PyInstaller (installers/build.py --freeze-only)
#   bundle          stage, sign and pack the archive (installers/build.py --app-dir)
#   debs            the companion archives of .deb files a bare Debian 12, Ubuntu 22.04 and
#                   Ubuntu 24.04 need for the window and the signature check
#                   (installers/offline_debs.py; beside bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
SELF=installers/build_installer.sh

VENV=.cache/installer-venv
WHEELS=.cache/portable
LOGS=.cache/build-logs
PYTHON=${PYTHON:-python3}
LLAMA_VERSION=$(sed -n 's/^llama_cpp_python==//p; s/^llama-cpp-python==//p' constraints.txt)
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$LOGS"
STEPS="$LOGS/steps.tsv"

timed() {
    # timed NAME COMMAND...: runs a function of this script (or a program), logs its output to
    # $LOGS/NAME.log and appends its wall and CPU seconds (user+system, children included)
    # to $STEPS.
    local name=$1; shift
    local start end
    start=$(date +%s.%N)
    if ! /usr/bin/time -f '%U %S' -o "$LOGS/$name.cpu" bash "$SELF" --step "$@" \
            >"$LOGS/$name.log" 2>&1; then
        echo "installer: step $name failed; see $LOGS/$name.log" >&2
        tail -20 "$LOGS/$name.log" >&2
        return 1
    fi
    end=$(date +%s.%N)
    awk -v n="$name" -v s="$start" -v e="$end" '{printf "%s\t%.0f\t%.0f\n", n, e - s, $1 + $2}' \
        "$LOGS/$name.cpu" >>"$STEPS"
    echo "installer: $name done ($(tail -1 "$STEPS" | cut -f2) s wall, $(tail -1 "$STEPS" | cut -f3) s CPU)"
}

portable_llama() {
    local sdist_dir=.cache/sdist
    compgen -G "$sdist_dir/llama_cpp_python-$LLAMA_VERSION.tar.gz" >/dev/null \
        || "$PYTHON" -m pip download -q --no-deps --no-binary :all: -d "$sdist_dir" \
            "llama-cpp-python==$LLAMA_VERSION"
    "$PYTHON" -m installers.portable_llama --sdist "$sdist_dir/llama_cpp_python-$LLAMA_VERSION.tar.gz" \
        --cache "$WHEELS" --jobs "$(nproc)"
}

packages() {
    # Everything but llama-cpp-python, which comes from the portable wheel (no native build).
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade "pip>=25" wheel
    "$VENV/bin/pip" install -q -c constraints.txt "torch==2.13.0"
    "$VENV/bin/python" - >"$LOGS/requirements.txt" <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["installer"]:
    if not requirement.startswith("llama-cpp-python"):
        print(requirement)
PY
    "$VENV/bin/pip" install -q -c constraints.txt -r "$LOGS/requirements.txt"
}

embedder() {
    "$VENV/bin/pip" install -q --no-deps -e .
    "$VENV/bin/python" -m rag.onnx_export  # both variants (int8 default, fp32 for old workspaces)
}

debs() {
    # The companion archives: the .deb files a bare Debian 12, Ubuntu 22.04 and Ubuntu 24.04
    # need for the window and openssl, each resolved against a real minimal root of that
    # system (installers/proof/minbase.sh; needs root once). Ubuntu's come from Ubuntu's
    # archive, checked with its pinned key; if it cannot be reached, Debian 12's still stand.
    local out=$1 base version suite distribution status=0
    version=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("enclave"))')
    for suite in bookworm jammy noble; do
        case $suite in bookworm) distribution=debian12 ;; jammy) distribution=ubuntu22.04 ;;
                       noble) distribution=ubuntu24.04 ;; esac
        if ! base=$(PYTHON="$VENV/bin/python" bash installers/proof/minbase.sh "$suite") \
            || ! "$VENV/bin/python" -m installers.offline_debs --distribution "$distribution" \
                --app-dir "$out/work/dist/enclave" --archive \
                --out "$out/enclave-$version-$distribution-debs" \
                --base-status "$base/var/lib/dpkg/status"; then
            echo "installer: no companion .deb archive for $distribution" >&2
            [[ $distribution == debian12 ]] && status=1
        fi
    done
    return "$status"
}

install_portable_llama() {
    local wheel
    wheel=$(ls "$WHEELS"/"$("$PYTHON" -c 'from installers.portable_llama import cache_key as k; import sys; print(k(sys.argv[1]))' "$LLAMA_VERSION")"/llama_cpp_python-*.whl)
    "$VENV/bin/pip" install -q -c constraints.txt --force-reinstall --no-deps "$wheel"
    "$VENV/bin/pip" install -q -c constraints.txt "$wheel"  # its own dependencies
    "$VENV/bin/pip" check
}

check_ocr_engine() {
    # The bundle carries Tesseract, its libraries and eng.traineddata (installers/tesseract_bundle.py):
    # fail now rather than after the long build.
    local models=/usr/share/tesseract-ocr/*/tessdata
    if ! command -v tesseract >/dev/null || ! compgen -G "$models/eng.traineddata" >/dev/null \
            || ! compgen -G "$models/osd.traineddata" >/dev/null; then
        echo "installer: install tesseract-ocr, tesseract-ocr-eng and tesseract-ocr-osd first" \
             "(the bundle carries them)" >&2
        exit 1
    fi
}

signing_key_arguments() {
    local args=("$@")
    if [[ " ${args[*]-} " != *" --signing-key "* ]]; then
        local key=.cache/installer-dev-key.pem
        if [[ ! -f $key ]]; then
            echo "installer: no --signing-key given: generating a DEVELOPMENT key in $key" >&2
            "$VENV/bin/python" -c "from pathlib import Path; from installers.signing import \
generate_key_pair as g; g(Path('$key'), Path('${key%.pem}.pub.pem'))"
        fi
        args+=(--signing-key "$key")
    fi
    printf '%s\0' "${args[@]}"
}

main() {
    check_ocr_engine
    : >"$STEPS"
    local started=$SECONDS
    # Independent steps side by side: the compiler is the long pole; pip and apt mostly wait.
    timed portable-llama portable_llama & local llama=$!
    timed packages packages && timed embedder embedder
    wait "$llama"
    timed install-llama install_portable_llama
    local args=() out=dist previous=""
    mapfile -d '' args < <(signing_key_arguments "$@")
    for arg in "${args[@]}"; do [[ $previous == --out ]] && out=$arg; previous=$arg; done
    timed freeze "$VENV/bin/python" -m installers.build --freeze-only "${args[@]}"
    timed debs debs "$out" & local debs=$!
    timed bundle "$VENV/bin/python" -m installers.build --app-dir "$out/work/dist/enclave" "${args[@]}"
    wait "$debs" || echo "installer: the companion .deb archive was not built (see $LOGS/debs.log)" >&2
    printf 'total\t%d\t-\n' "$((SECONDS - started))" >>"$STEPS"
    echo "installer: steps (name, wall s, CPU s):"
    column -t "$STEPS"
    grep -E "^(built|installer:)" "$LOGS/bundle.log" || true
}

if [[ ${1-} == --step ]]; then
    shift
    "$@"
else
    main "$@"
fi
