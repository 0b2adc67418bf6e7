#!/usr/bin/env bash
# Builds the offline installer archive on a connected build machine (see README, "Offline
# installer"). Uses its own environment in .cache/installer-venv with a portable llama.cpp
# (every x86-64 CPU level, chosen at run time), so the bundle runs on older desktops too.
#
#   installers/build_installer.sh [--signing-key KEY.pem] [--model extra.gguf ...] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/installer-venv
WHEELS=.cache/portable
PYTHON=${PYTHON:-python3}
PORTABLE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=ON -DGGML_BACKEND_DL=ON -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"

build_portable_llama() {
    # About 50 minutes on two busy cores; built once and kept in .cache/portable.
    ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1 && return
    echo "installer: building a portable llama-cpp-python (slow, once)"
    CMAKE_ARGS="$PORTABLE_CMAKE_ARGS" MAKEFLAGS="-j$(nproc)" \
        "$VENV/bin/pip" wheel -q --no-deps --no-cache-dir -w "$WHEELS" "llama-cpp-python==0.3.36"
}

prepare_environment() {
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade "pip>=25" wheel
    "$VENV/bin/pip" install -q -c constraints.txt "torch==2.13.0"
    "$VENV/bin/pip" install -q -c constraints.txt -e ".[installer]"
    build_portable_llama
    "$VENV/bin/pip" install -q --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-*.whl
    "$VENV/bin/python" -m rag.onnx_export  # both variants (int8 default, fp32 for old workspaces)
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

main() {
    check_ocr_engine
    prepare_environment
    local args=("$@")
    if [[ " ${args[*]-} " != *" --signing-key "* ]]; then
        local key=.cache/installer-dev-key.pem
        if [[ ! -f $key ]]; then
            echo "installer: no --signing-key given: generating a DEVELOPMENT key in $key"
            "$VENV/bin/python" -c "from pathlib import Path; from installers.signing import \
generate_key_pair as g; g(Path('$key'), Path('${key%.pem}.pub.pem'))"
        fi
        args+=(--signing-key "$key")
    fi
    exec "$VENV/bin/python" -m installers.build "${args[@]}"
}

main "$@"
