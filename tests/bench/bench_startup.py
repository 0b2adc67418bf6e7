"""Benchmark: how soon Enclave can answer after it starts, and how fast it reads GGUF headers.

Run with ``make bench`` (or ``python -m tests.bench.bench_startup``). Each launch is a fresh
Python process, timed from its start to the first token of an answer:

- first launch: an empty data folder, so the embedded model is assembled from its package,
  checked and listed, then loaded; targets 5 s;
- later launch: the same folder again; target 3 s;
- raw: a process that only imports llama_cpp, opens the same GGUF with the same context and
  threads and samples the first token of the same prompt: the floor for a later launch.

Then the GGUF metadata reader against the gguf package's GGUFReader on the same files: the
embedded model and a sparse 4 GB file with a 262k-token vocabulary (target 1 s).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROUNDS = 3
QUESTION = "What does an indemnification clause do?"
CHILD = [sys.executable, "-m", "tests.bench.bench_startup"]


# ----- the launches, each in its own process

def launch_enclave(home: Path) -> dict[str, Any]:
    """What the app does before it can answer: services, model (installed on demand), token."""
    started = time.perf_counter()
    from app.egress import go_offline
    from app.paths import DataPaths
    from app.services import build_services
    from models.prompts import PromptRequest, render_completion
    from models.runtime import GenerationOptions

    go_offline()
    imported = time.perf_counter()
    services = build_services(DataPaths(home))
    info = services.models.ensure_loaded()
    assert info.prompt_style == "completion", "the embedded base model takes plain prompts"
    loaded = time.perf_counter()
    request = PromptRequest(system=services.settings.llm.system_prompt, question=QUESTION)
    next(iter(services.runtime.stream(request, GenerationOptions(max_tokens=4))))
    answered = time.perf_counter()
    return {"imports": imported - started, "model": loaded - imported,
            "first_token": answered - loaded, "n_ctx": services.runtime.n_ctx,
            "threads": services.runtime.threads, "prompt": render_completion(request).text,
            "path": str(services.runtime.model_path)}


def launch_raw(path: str, n_ctx: int, threads: int, prompt: str) -> dict[str, Any]:
    started = time.perf_counter()
    from llama_cpp import Llama

    imported = time.perf_counter()
    llama = Llama(path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, swa_full=True,
                  verbose=False)
    loaded = time.perf_counter()
    next(iter(llama.create_completion(prompt, max_tokens=4, stream=True)))
    answered = time.perf_counter()
    return {"imports": imported - started, "model": loaded - imported,
            "first_token": answered - loaded}


def timed_child(*args: str) -> dict[str, Any]:
    """Run a launch in a new process; its wall time runs from spawning to its report."""
    started = time.perf_counter()
    process = subprocess.Popen([*CHILD, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    wall = time.perf_counter() - started
    process.communicate(timeout=120)
    if process.returncode:
        raise RuntimeError(f"launch {args[0]} failed ({process.returncode})")
    return {**json.loads(line), "wall": wall}


# ----- metadata

def metadata_seconds(path: Path, rounds: int) -> tuple[float, float]:
    """Median seconds of our reader and of gguf.GGUFReader on ``path``."""
    from gguf import GGUFReader

    from models.gguf_info import read_gguf_metadata

    ours = statistics.median(_seconds(read_gguf_metadata, path) for _ in range(rounds))
    theirs = statistics.median(_seconds(lambda p: GGUFReader(p, "r"), path) for _ in range(1))
    return ours, theirs


def _seconds(fn: Any, path: Path) -> float:
    started = time.perf_counter()
    fn(path)
    return time.perf_counter() - started


# ----- the run

def bench_launches(folder: Path) -> tuple[list[dict[str, Any]], ...]:
    first, later, raw = [], [], []
    for number in range(ROUNDS):
        home = folder / f"home-{number}"
        first.append(timed_child("--enclave", str(home)))
        later.append(timed_child("--enclave", str(home)))
        report = later[-1]
        raw.append(timed_child("--raw", report["path"], str(report["n_ctx"]),
                               str(report["threads"]), report["prompt"]))
    return first, later, raw


def print_launches(first: list[dict[str, Any]], later: list[dict[str, Any]],
                   raw: list[dict[str, Any]]) -> None:
    print(f"Launch to first token, fresh process each, median of {ROUNDS} "
          f"(n_ctx {later[0]['n_ctx']}, {later[0]['threads']} threads)")
    print(f"{'':26}{'total s':>9}{'imports':>9}{'model':>9}{'1st token':>11}")
    for name, runs in (("first launch (fresh data)", first), ("later launch", later),
                       ("raw llama_cpp.Llama", raw)):
        row = {key: statistics.median(run[key] for run in runs)
               for key in ("wall", "imports", "model", "first_token")}
        print(f"{name:26}{row['wall']:>9.2f}{row['imports']:>9.2f}{row['model']:>9.2f}"
              f"{row['first_token']:>11.2f}")
    first_s, later_s, raw_s = (statistics.median(r["wall"] for r in runs)
                               for runs in (first, later, raw))
    print(f"targets: first launch {first_s:.2f} s (<= 5), later {later_s:.2f} s (<= 3); "
          f"ratio later launch / raw: {later_s / raw_s:.2f}")


def bench_metadata(folder: Path, embedded: Path) -> None:
    from tests.models.big_gguf import write_sparse_gguf

    big = write_sparse_gguf(folder / "sparse-4gb.gguf")
    print("GGUF metadata read, ours (median of 5) vs gguf.GGUFReader (1 run)")
    for label, path in (("embedded 270M (242 MB)", embedded),
                        (f"sparse {big.stat().st_size / 2**30:.1f} GB, 262k vocab", big)):
        ours, theirs = metadata_seconds(path, 5)
        print(f"  {label:32} ours {ours * 1000:8.1f} ms   GGUFReader {theirs:6.2f} s   "
              f"ratio (GGUFReader/ours) {theirs / ours:7.0f}x   target <= 1 s")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        folder = Path(name)
        first, later, raw = bench_launches(folder)
        print_launches(first, later, raw)
        bench_metadata(folder, Path(later[0]["path"]))


def child_main(argv: list[str]) -> None:
    if argv[0] == "--enclave":
        report = launch_enclave(Path(argv[1]))
    else:
        report = launch_raw(argv[1], int(argv[2]), int(argv[3]), argv[4])
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_main(sys.argv[1:])
    else:
        main()
