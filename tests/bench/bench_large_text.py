"""A large text file through ``enclave ingest``: wall time, peak memory (``/usr/bin/time -v``)
and rate per MB of text, against the rate of the CUAD contracts' text in the same run.

    python -m tests.bench.bench_large_text --sizes 5 100 --cuad 61
    python -m tests.bench.bench_large_text --sizes 100 --max-text-mb 128 --timeout 600

Files are generated under /tmp (one repeated contract sentence per line), each run in a fresh
data folder, under ``nice -n 10``. ``--max-text-mb`` writes settings.json with that limit (the
default refuses a text file over 32 MB before reading it); ``--timeout`` stops a run and
reports how far it got.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CUAD = Path(os.environ.get("ENCLAVE_SHARED_DATA", ROOT.parent.parent / "shared" / "data")) \
    / "contracts" / "cuad" / "full_contract_pdf"
LINE = ("The Supplier shall indemnify the Customer against all losses arising from any breach "
        "of this Agreement by the Supplier.\n")
WORK = Path(tempfile.gettempdir()) / "enclave-bench-large"


def generate(megabytes: float) -> Path:
    path = WORK / f"repeated-{megabytes:g}mb.txt"
    if not path.exists() or path.stat().st_size < megabytes * 1e6 * 0.99:
        WORK.mkdir(parents=True, exist_ok=True)
        block = LINE * int(1e6 / len(LINE))
        with path.open("w", encoding="utf-8") as stream:
            for _ in range(int(megabytes)):
                stream.write(block)
            stream.write(LINE * int((megabytes % 1) * 1e6 / len(LINE)))
    return path


class _PeakWatcher:
    """The largest VmHWM (peak resident memory) of the processes under ``pid``, read from
    /proc every half second: a run stopped at its time limit still has a peak to report."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for pid in self._tree(self.pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"VmHWM:\s+(\d+) kB", status)
                if found:
                    self.peak_kb = max(self.peak_kb, int(found.group(1)))

    def _tree(self, pid: int) -> list[int]:
        pids, children = [pid], Path(f"/proc/{pid}/task/{pid}/children")
        try:
            for child in children.read_text().split():
                pids += self._tree(int(child))
        except OSError:
            pass
        return pids

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_ingest(files: list[Path], home: Path, timeout: float,
               max_text_mb: int | None) -> dict[str, Any]:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if max_text_mb:
        (home / "settings.json").write_text(json.dumps({"rag": {"max_text_mb": max_text_mb}}))
    command = ["nice", "-n", "10", "/usr/bin/time", "-v", sys.executable, "-m", "app.cli",
               "ingest", *map(str, files), "-w", "bench"]
    env = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    watched = _PeakWatcher(process.pid)
    try:
        out, err = process.communicate(timeout=timeout)
        finished = True
    except subprocess.TimeoutExpired:  # killed: time -v reports nothing, the watcher does
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        finished = False
    watched.stop()
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    peak_kb = int(peak.group(1)) if peak else watched.peak_kb
    progress = re.findall(r"\]\s+([\d.]+)%", err)
    return {"seconds": round(seconds, 1), "finished": finished,
            "peak_rss_mb": round(peak_kb / 1024),
            "progress_percent": float(progress[-1]) if progress else 0.0,
            "report": [line for line in out.splitlines() if line[:1] in "+~=!W"][-3:]}


def text_megabytes(home: Path) -> float:
    total = 0
    for database in (home / "index" / "workspaces").glob("*/library.sqlite"):
        with sqlite3.connect(database) as db:
            total += db.execute("SELECT coalesce(sum(length(text)), 0) FROM pages").fetchone()[0]
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 100])
    parser.add_argument("--cuad", type=int, default=61, help="CUAD PDFs for the reference rate")
    parser.add_argument("--max-text-mb", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    cuad_rate = None
    if args.cuad:
        pdfs = sorted(path for path in CUAD.iterdir() if path.suffix.lower() == ".pdf")
        pdfs = pdfs[:args.cuad]
        home = WORK / "home-cuad"
        run = run_ingest(pdfs, home, args.timeout, None)
        run["text_mb"] = round(text_megabytes(home), 2)
        cuad_rate = float(run["text_mb"]) / float(run["seconds"])
        run["mb_per_s"] = round(cuad_rate, 4)
        results[f"cuad-{len(pdfs)}"] = run
        print(json.dumps({f"cuad-{len(pdfs)}": run}), flush=True)
    for size in args.sizes:
        path = generate(size)
        run = run_ingest([path], WORK / "home-large", args.timeout, args.max_text_mb)
        done_mb = size * float(run["progress_percent"]) / 100
        run["mb_per_s"] = round(done_mb / float(run["seconds"]), 4)
        if cuad_rate:
            run["rate_vs_cuad"] = round(float(run["mb_per_s"]) / cuad_rate, 2)
        results[f"text-{size:g}mb"] = run
        print(json.dumps({f"text-{size:g}mb": run}), flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
