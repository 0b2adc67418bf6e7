"""The fuzz campaign (``make fuzz``): every document reader in turn, for a share of a fixed
budget, coverage-guided with atheris when it is installed, else by mutating the seeds.

    python -m tests.fuzz.run --minutes 10                  # all targets, 10 minutes in all
    python -m tests.fuzz.run --minutes 2 --targets pdf gguf --per-input 5 --memory-mb 2048

Each target runs in its own process with an address-space limit (``--memory-mb``: a blow-up is
a MemoryError, caught) and a per-input time limit (``--per-input`` seconds: a hang is stopped
by an alarm). An input that ends in anything but a return or the project's refusal error is a
crasher: the smallest input per distinct failure is kept under ``--out``/crashers, with its
traceback. A worker that dies (a native crash) is restarted for the rest of its share. At the
end: executions, crashers per target, as JSON (also in ``--out``/summary.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import traceback
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / ".cache" / "fuzz"


class Hang(Exception):
    """An input took longer than the per-input limit."""


class Outcome:
    """What one input did: None (returned or refused), else the failure's signature."""

    @staticmethod
    def of(target: Any, data: bytes, per_input: float) -> tuple[str, str] | None:
        from tests.fuzz.targets import REFUSALS

        signal.setitimer(signal.ITIMER_REAL, per_input)
        try:
            target(data)
        except REFUSALS as refusal:
            if not refusal.message.strip():
                return "refusal without a message", type(refusal).__name__
            return None
        except Hang:
            return f"hang over {per_input:g} s", traceback.format_exc(limit=-8)
        except MemoryError:
            return "memory blow-up", traceback.format_exc(limit=-8)
        except Exception as error:  # noqa: BLE001 - every other exception is what we look for
            return _signature(error), traceback.format_exc()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return None


def check(target: str, data: bytes, per_input: float = 30.0) -> tuple[str, str] | None:
    """One input through ``target`` as the campaign runs it (for the regression tests)."""
    from tests.fuzz.targets import TARGETS

    previous = signal.signal(signal.SIGALRM, _raise_hang)
    try:
        return Outcome.of(TARGETS[target], data, per_input)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _signature(error: BaseException) -> str:
    """Exception type and the innermost frame of our code or the library that raised it."""
    frames = traceback.extract_tb(error.__traceback__)
    where = frames[-1] if frames else None
    place = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    return f"{type(error).__name__} at {place}"


class Worker:
    """One target in one process: runs inputs, keeps the smallest input per failure."""

    def __init__(self, target: str, out: Path, per_input: float) -> None:
        from tests.fuzz.targets import TARGETS

        self.name, self.read, self.per_input = target, TARGETS[target], per_input
        self.crashers = out / "crashers" / target
        self.crashers.mkdir(parents=True, exist_ok=True)
        self.stats_path = out / f"stats-{target}.json"
        self.executions, self.found = 0, 0
        self._saved = time.monotonic()
        signal.signal(signal.SIGALRM, _raise_hang)

    def __call__(self, data: bytes) -> None:
        failure = Outcome.of(self.read, data, self.per_input)
        self.executions += 1
        if failure is not None:
            self._keep(data, *failure)
        if time.monotonic() - self._saved > 2:
            self.save_stats()

    def _keep(self, data: bytes, signature: str, details: str) -> None:
        key = hashlib.sha256(signature.encode()).hexdigest()[:12]
        path = self.crashers / f"{key}.bin"
        if not path.exists():
            self.found += 1
            print(f"[{self.name}] new crasher: {signature}", file=sys.stderr, flush=True)
        elif path.stat().st_size <= len(data):
            return
        path.write_bytes(data)
        path.with_suffix(".txt").write_text(f"{signature}\n\n{details}", encoding="utf-8")

    def save_stats(self) -> None:
        previous = _read_json(self.stats_path).get("executions", 0)
        self.stats_path.write_text(json.dumps({"executions": previous + self.executions}))
        self.executions, self._saved = 0, time.monotonic()


def _raise_hang(signum: int, frame: Any) -> None:
    raise Hang()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def run_worker(args: argparse.Namespace) -> None:
    from tests.fuzz.targets import INSTRUMENTED, INSTRUMENTED_PACKAGES, seeds

    try:
        import atheris
    except ImportError:
        atheris = None
    else:  # instrumented before anything (the seeds' makers included) imports them
        with atheris.instrument_imports(include=INSTRUMENTED_PACKAGES[args.target]):
            for module in INSTRUMENTED[args.target]:
                __import__(module)
    corpus = args.out / "corpus" / args.target
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds(args.target):
        (corpus / hashlib.sha256(seed).hexdigest()[:16]).write_bytes(seed)
    worker = Worker(args.target, args.out, args.per_input)
    seconds = args.until - time.time()  # start-up (instrumenting, seeds) counts in the share
    deadline = time.monotonic() + seconds
    if atheris is None:
        _mutate(worker, [path.read_bytes() for path in corpus.iterdir()], deadline)
        return
    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={max(1, int(seconds))}",
                   "-timeout=0", "-rss_limit_mb=0", f"-max_len={args.max_len}",
                   f"-artifact_prefix={worker.crashers}/native-", "-print_final_stats=1"],
                  lambda data: _one(worker, data, deadline))
    atheris.Fuzz()


def _one(worker: Worker, data: bytes, deadline: float) -> None:
    worker(data)
    if time.monotonic() > deadline:
        worker.save_stats()
        os._exit(0)


def _mutate(worker: Worker, seeds: list[bytes], deadline: float) -> None:
    """Without atheris: random byte edits, splices and truncations of the seeds."""
    chooser = random.Random(29)
    while time.monotonic() < deadline:
        data = bytearray(chooser.choice(seeds))
        for _ in range(chooser.randint(1, 8)):
            _edit(data, chooser, seeds)
        worker(bytes(data))
    worker.save_stats()


def _edit(data: bytearray, chooser: random.Random, seeds: list[bytes]) -> None:
    if not data:
        data.extend(chooser.choice(seeds)[:64])
        return
    at = chooser.randrange(len(data))
    kind = chooser.randrange(5)
    if kind == 0:
        data[at] ^= 1 << chooser.randrange(8)
    elif kind == 1:
        data[at] = chooser.choice((0, 255, 0x7F, 0x80, ord("0"), ord("9"), ord("/")))
    elif kind == 2:
        del data[at:at + chooser.randint(1, 64)]
    elif kind == 3:
        data[at:at] = data[at:at + chooser.randint(1, 256)] * chooser.randint(1, 8)
    else:
        other = chooser.choice(seeds)
        start = chooser.randrange(max(1, len(other)))
        data[at:at] = other[start:start + chooser.randint(1, 512)]


def run_campaign(args: argparse.Namespace) -> dict[str, Any]:
    from tests.fuzz.targets import TARGETS, WEIGHTS

    targets = args.targets or list(TARGETS)
    units = sum(WEIGHTS.get(target, 1.0) for target in targets)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"minutes": args.minutes, "engine": _engine(), "targets": {}}
    for target in targets:
        (args.out / f"stats-{target}.json").unlink(missing_ok=True)
        share = args.minutes * 60 * WEIGHTS.get(target, 1.0) / units
        restarts = _run_share(target, share, args)
        crashers = sorted(path.name for path in (args.out / "crashers" / target).glob("*")
                          if path.suffix != ".txt")
        summary["targets"][target] = {
            "executions": _read_json(args.out / f"stats-{target}.json").get("executions", 0),
            "crashers": crashers, "worker_restarts": restarts}
        print(json.dumps({target: summary["targets"][target]}), flush=True)
    summary["executions"] = sum(item["executions"] for item in summary["targets"].values())
    summary["crashers"] = sum(len(item["crashers"]) for item in summary["targets"].values())
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _run_share(target: str, seconds: float, args: argparse.Namespace) -> int:
    """Run ``target``'s worker for ``seconds``, restarting it when it dies (a native crash,
    kept by libFuzzer as crashers/TARGET/native-*); returns the number of restarts."""
    until, restarts = time.time() + seconds, 0
    while (left := until - time.time()) > 5:
        command = [sys.executable, "-m", "tests.fuzz.run", "--worker", target,
                   "--until", str(until), "--out", str(args.out),
                   "--per-input", str(args.per_input), "--max-len", str(args.max_len)]
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
            preexec_fn=partial(_limit_memory, args.memory_mb * 2**20),
            stdout=subprocess.DEVNULL, stderr=None)
        try:
            code = process.wait(timeout=left + 3 * args.per_input + 30)
        except subprocess.TimeoutExpired:  # stuck in native code past every limit
            process.kill()
            code = process.wait()
            print(f"[{target}] worker stuck past its share; killed", file=sys.stderr)
            break
        if code == 0:
            break
        restarts += 1
        print(f"[{target}] worker ended with {code}; restarted", file=sys.stderr)
    return restarts


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _engine() -> str:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "mutation (atheris not installed)"
    return "atheris (coverage-guided)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="the whole campaign")
    parser.add_argument("--targets", nargs="*", default=None)
    parser.add_argument("--per-input", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--memory-mb", type=int, default=3072, help="address space per worker")
    parser.add_argument("--max-len", type=int, default=256 * 1024)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--worker", dest="target", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--until", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_worker(args)
        return
    summary = run_campaign(args)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
