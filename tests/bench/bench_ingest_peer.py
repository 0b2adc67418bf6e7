"""Ingest side by side: Enclave against LlamaIndex on the same PDF folder, in the same run.

    python -m tests.bench.bench_ingest_peer [--pages N] [--rounds R] [--variants int8 fp32]

The peer is what a team would build instead: LlamaIndex (SimpleDirectoryReader with pypdf,
SentenceSplitter 256/32, HuggingFaceEmbedding of the same all-MiniLM-L6-v2 folder, Chroma), in its
own virtual environment that this benchmark makes under .cache/bench-peer-venv from
tests/bench/peer_requirements.txt (torch 2.13.0 first: the CPU build). Each side runs in a new
process on a new store, one after the other (rounds alternate which goes first), and reports its
pages/s, peak resident memory and chunk count; the machine's load average is printed beside
each, since the CPU may be shared. ``--variants`` runs Enclave once per embedder variant (the
peer runs once per round, between them); the default is the shipped one
(rag.embedder.DEFAULT_VARIANT, int8), and ``--variants int8 fp32`` compares it with fp32.
``--pages N`` takes the first files (by name) until N pages, for a quick run; the default is
every PDF of the shared CUAD set. Not in the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.embedder import DEFAULT_VARIANT, VARIANTS

ROOT = Path(__file__).resolve().parents[2]
CUAD = ROOT.parent / "shared" / "data" / "contracts" / "cuad" / "full_contract_pdf"
PEER_VENV = ROOT / ".cache" / "bench-peer-venv"
PEER_REQUIREMENTS = Path(__file__).with_name("peer_requirements.txt")
PEER_SCRIPT = Path(__file__).with_name("peer_llamaindex.py")
PEER_TORCH = "torch==2.13.0"  # resolves to the local CPU build; never a CUDA one
GB = 1e9


# ----- the peer's environment
def peer_python() -> Path:
    """The peer venv's interpreter, made or brought up to date with the pinned requirements."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / "requirements.sha256"
    wanted = hashlib.sha256((PEER_TORCH + PEER_REQUIREMENTS.read_text()).encode()).hexdigest()
    if python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return python
    print(f"making the peer environment in {PEER_VENV} (a few minutes, once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, PEER_TORCH], check=True)
    subprocess.run([*pip, "-r", str(PEER_REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return python


# ----- Enclave's side (run in its own process by ``--enclave-side``)
def enclave_side(pdfs: list[Path], store: Path, variant: str) -> dict[str, float]:
    from app.egress import go_offline

    go_offline()
    import resource

    from rag.ingest import ingest
    from rag.library import Library
    from tests.bench.eval_retrieval import embedder_for

    loading = time.perf_counter()
    embedder = embedder_for(variant)
    library = Library(store)
    workspace = library.workspace("bench")
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    report = ingest(pdfs, workspace=workspace, embedder=embedder)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    refused = [result.message for result in report.results if result.status == "refused"]
    library.close()
    return {"pages": report.pages, "chunks": report.chunks, "seconds": seconds, "cpu_seconds": cpu,
            "load_seconds": started - loading, "refused": len(refused),
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ----- running both
def pick_pdfs(folder: Path, pages: int | None) -> list[Path]:
    pdfs = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".pdf")
    if pages is None:
        return pdfs
    from pypdf import PdfReader

    chosen, total = [], 0
    for path in pdfs:
        if total >= pages:
            break
        chosen.append(path)
        total += len(PdfReader(path).pages)
    return chosen


def run_side(side: str, pdfs: list[Path]) -> dict[str, float]:
    """``side``: "llamaindex", or "enclave fp32" / "enclave int8"."""
    from rag.embedder import model_dir

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as store:
        if side.startswith("enclave"):
            command = [sys.executable, "-m", "tests.bench.bench_ingest_peer", "--enclave-side",
                       side.split()[-1], "--store", store]
        else:
            command = [str(peer_python()), str(PEER_SCRIPT), "--model", str(model_dir()),
                       "--store", store]
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        load_before = os.getloadavg()[0]
        finished = subprocess.run([*command, *map(str, pdfs)], cwd=ROOT, env=environment,
                                  capture_output=True, text=True)
        if finished.returncode != 0:
            raise SystemExit(f"{side} failed:\n{finished.stderr[-4000:]}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    return {**result, "load": (load_before + os.getloadavg()[0]) / 2}


def describe(side: str, result: dict[str, float]) -> str:
    rate = result["pages"] / result["seconds"]
    cpu = result.get("cpu_seconds", float("nan"))
    return (f"{side:23} {result['pages']:5.0f} pages {result['chunks']:6.0f} chunks "
            f"{result['seconds']:7.1f} s  {rate:5.2f} pages/s  {cpu:7.1f} CPU s  peak RSS "
            f"{result['peak_rss_bytes'] / GB:.2f} GB  (model load {result['load_seconds']:.1f} s, "
            f"load average {result['load']:.1f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=CUAD)
    parser.add_argument("--pages", type=int, help="only the first files, up to N pages")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", nargs="+", default=[DEFAULT_VARIANT], choices=VARIANTS,
                        help=f"Enclave's embedder variants (default: {DEFAULT_VARIANT}, shipped)")
    parser.add_argument("--enclave-side", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("pdfs", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.enclave_side:
        print(json.dumps(enclave_side(args.pdfs, args.store, args.enclave_side)), flush=True)
        return 0
    pdfs = pick_pdfs(args.folder, args.pages)
    peer_python()
    print(f"ingest of {len(pdfs)} PDFs from {args.folder}, Enclave and LlamaIndex one after the "
          f"other ({os.cpu_count()} CPUs)", flush=True)
    ratios: list[str] = []
    for number in range(args.rounds):
        ours = [f"enclave {variant}" for variant in args.variants]
        order = [ours[0], "llamaindex", *ours[1:]]
        order = order if number % 2 == 0 else order[::-1]
        results = {}
        for side in order:
            results[side] = run_side(side, pdfs)
            print(describe(labelled(side), results[side]), flush=True)
        peer = results["llamaindex"]
        for side in ours:
            ratio = (results[side]["pages"] / results[side]["seconds"]) / \
                (peer["pages"] / peer["seconds"])
            by_cpu = (peer.get("cpu_seconds", float("nan")) / peer["pages"]) / \
                (results[side].get("cpu_seconds", float("nan")) / results[side]["pages"])
            ratios.append(f"{labelled(side)} {ratio:.2f}x")
            print(f"round {number + 1}: {labelled(side)} pages/s = {ratio:.2f}x LlamaIndex's "
                  f"(per CPU second {by_cpu:.2f}x); peak memory "
                  f"{results[side]['peak_rss_bytes'] / GB:.2f} GB vs "
                  f"{peer['peak_rss_bytes'] / GB:.2f} GB", flush=True)
    print(f"ingest ratio (Enclave / LlamaIndex pages per second): {', '.join(ratios)}")
    return 0


def labelled(side: str) -> str:
    return f"{side} (shipped)" if side == f"enclave {DEFAULT_VARIANT}" else side


if __name__ == "__main__":
    raise SystemExit(main())
