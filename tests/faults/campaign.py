"""The fault campaign of issue 29: a full disk at many points of ingest, purge, re-embed,
history save and audit append, and kill -9 at random moments of ingest and re-embed. After
each fault the operation is run again (a new start), then: the index opens and is consistent,
its counts equal a clean run's, ``enclave audit verify`` passes (listing its recovery
records), and no file is half-written.

A full disk is real: a small tmpfs mounted in a private mount namespace (``unshare -rm``, so
nothing is left mounted), filled to leave N bytes free. Run the disk campaign with
``python -m tests.faults.campaign disk-full --points N`` under ``unshare -rm``; the tests in
``tests/faults`` do, with a few points in ``make test`` and the whole campaign in
``make faults`` (``ENCLAVE_FAULTS=full``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "faults"
CONTRACTS = ROOT.parent / "shared" / "data" / "contracts" / "cuad" / "full_contract_pdf"
TOPICS = ["lease renewal for the warehouse", "software licence audit rights",
          "supply of steel beams", "consulting fees and expenses", "non-compete covenant",
          "insurance of the leased premises"]
RECOVERY_ACTIONS = ("audit_recovered", "recovered_index")
OPERATIONS = ("ingest", "purge", "reembed", "history", "audit")


@dataclass
class Outcome:
    """One fault and what followed it."""

    operation: str
    fault: str  # "disk full, N bytes free" or "kill -9 after N s"
    injected: bool  # the fault hit the operation (it failed or was killed mid-way)
    problems: list[str] = field(default_factory=list)
    recovered: int = 0  # recovery records in the audit trail
    first_message: str = ""
    attempts: int = 1  # tries until the fault hit (a miss is tried again closer in; not counted)

    @property
    def survived(self) -> bool:
        return not self.problems


# ----- documents and homes
def write_documents(folder: Path) -> Path:
    """Six short notes and the two smallest real contracts (PDF)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, topic in enumerate(TOPICS):
        (folder / f"note{number}.txt").write_text(
            f"Agreement {number}. This clause covers the {topic}. The parties agree to "
            f"clause {number} on {topic}, signed in Boston.\n" * 3, "utf-8")
    if CONTRACTS.is_dir():
        pdfs = sorted((p for p in CONTRACTS.iterdir() if p.stat().st_size > 20_000),
                      key=lambda p: p.stat().st_size)[:2]
        for pdf in pdfs:
            shutil.copy(pdf, folder / pdf.name.replace(",", ""))
    return folder


def copy_home(source: Path, target: Path) -> tuple[Path, Path]:
    """``source``'s home and keys under ``target``, the seal files renamed for the trail's new
    place (they are named after the trail's path)."""
    from app.audit_seal import SealFiles

    home, keys = target / "home", target / "keys"
    if (source / "home").exists():
        shutil.copytree(source / "home", home, symlinks=True)
        shutil.copytree(source / "keys", keys, symlinks=True, dirs_exist_ok=True) \
            if (source / "keys").exists() else keys.mkdir()
        old = SealFiles(source / "home" / "audit.jsonl", keys)
        new = SealFiles(home / "audit.jsonl", keys)
        for before, after in ((old.state_path, new.state_path),
                              (old.verification_path, new.verification_path)):
            if before.exists():
                before.rename(after)
    return home, keys


def environment(home: Path, keys: Path) -> dict[str, str]:
    return dict(os.environ, ENCLAVE_HOME=str(home), ENCLAVE_AUDIT_KEYS=str(keys),
                PYTHONPATH=str(ROOT), ENCLAVE_OFFLINE_ENFORCEMENT="off")


def enclave(home: Path, keys: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                          env=environment(home, keys), capture_output=True, text=True,
                          timeout=900)


def python(home: Path, keys: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment(home, keys),
                          capture_output=True, text=True, timeout=900)


def older_workspace(home: Path, keys: Path, documents: Path) -> None:
    """A workspace filled by the version before int8 (fp32 vectors): what re-embed moves."""
    code = f"""
from pathlib import Path
from rag.embedder import load_embedder
from rag.ingest import ingest
from rag.library import Library
from rag.onnx_export import exported_model
fp32 = load_embedder("fp32", model=exported_model(Path({str(home)!r}) / "embedder", "fp32"))
library = Library(Path({str(home)!r}) / "index")
ingest([Path({str(documents)!r})], workspace=library.workspace({WORKSPACE!r}), embedder=fp32)
library.close()
"""
    done = python(home, keys, code)
    assert done.returncode == 0, done.stderr


def run_operation(operation: str, home: Path, keys: Path,
                  documents: Path) -> subprocess.CompletedProcess[str]:
    if operation == "ingest":
        return enclave(home, keys, "ingest", str(documents), "-w", WORKSPACE)
    if operation == "purge":
        return enclave(home, keys, "docs", "purge", str(documents / "note0.txt"),
                       str(documents / "note1.txt"), "-w", WORKSPACE)
    if operation == "reembed":
        return enclave(home, keys, "docs", "reembed", "-w", WORKSPACE)
    if operation == "history":
        return python(home, keys, HISTORY_SAVE.format(history=str(home / "history")))
    return python(home, keys, AUDIT_APPEND.format(trail=str(home / "audit.jsonl")))


HISTORY_SAVE = """
import sys
from pathlib import Path
from app.history import Exchange, HistoryStore
from core.errors import EnclaveError
store = HistoryStore(Path({history!r}))
before = store.load("w").exchanges
try:
    store.save("w", before + [Exchange(f"question {{n}} " * 40, "answer " * 400)
                              for n in range(40)])
except EnclaveError as error:  # as the window and the command line show it
    sys.exit(f"enclave: {{error.message}}")
"""
AUDIT_APPEND = """
import sys
from pathlib import Path
from app.audit import AuditLog
from core.errors import EnclaveError
log = AuditLog(Path({trail!r}))
try:
    log.repair()
    for number in range(150):
        log.record("question", workspace="w", sha256=f"{{number:064x}}")
except EnclaveError as error:
    sys.exit(f"enclave: {{error.message}}")
"""


# ----- what must hold after a fault and a rerun
@dataclass(frozen=True)
class State:
    documents: int
    chunks: int
    embedder: str | None
    exchanges: int
    records: int


def state_of(home: Path, keys: Path) -> tuple[State, list[str], int]:
    """The home's counts, what is wrong with it, and the recovery records of its trail."""
    code = f"""
import json
from pathlib import Path
from app.audit import AuditLog
from app.audit_verify import documents_held
from app.history import HistoryStore
from rag.library import Library
home = Path({str(home)!r})
problems, counts = [], dict(documents=0, chunks=0, embedder=None, exchanges=0, records=0)
library = Library(home / "index")
if library.has_workspace({WORKSPACE!r}):
    space = library.workspace({WORKSPACE!r})
    problems += space.consistency_problems()
    records = space.documents()
    counts.update(documents=len(records), chunks=sum(r.chunks for r in records),
                  embedder=space.embedder_name)
library.close()
history = HistoryStore(home / "history").load("w")
problems += [history.notice] if history.notice else []
counts["exchanges"] = len(history.exchanges)
log = AuditLog(home / "audit.jsonl")
result = log.verify(documents_held=documents_held(home / "index"))
if not result.ok:
    problems.append("audit: " + result.message())
entries = log.records()
counts["records"] = sum(1 for r in entries if r["action"] == "question")
recovered = sum(1 for r in entries if r["action"] in {RECOVERY_ACTIONS!r})
print(json.dumps(dict(counts=counts, problems=problems, recovered=recovered)))
"""
    done = python(home, keys, code)
    if done.returncode != 0:
        return State(0, 0, None, 0, 0), [f"checking failed: {done.stderr[-600:]}"], 0
    found = json.loads(done.stdout.strip().splitlines()[-1])
    problems = found["problems"] + half_written(home, keys)
    return State(**found["counts"]), problems, found["recovered"]


def half_written(*folders: Path) -> list[str]:
    problems = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.name.endswith((".tmp", ".part")) and path.is_file():
                problems.append(f"left behind: {path.relative_to(folder.parent)}")
            elif path.suffix == ".json" and path.is_file():
                try:
                    json.loads(path.read_text(encoding="utf-8"))
                except (ValueError, UnicodeDecodeError):
                    problems.append(f"half-written: {path.relative_to(folder.parent)}")
    return problems


def said(stderr: str) -> str:
    """The line a failure ends with: "enclave: ..." (a progress bar may come after it)."""
    lines = stderr.strip().splitlines() or [""]
    return next((line for line in reversed(lines) if line.startswith("enclave: ")),
                lines[-1])[:300]


def message_problems(run: subprocess.CompletedProcess[str]) -> list[str]:
    """A failure says one plain line: no traceback, no logging error."""
    problems = []
    for marker in ("Traceback", "--- Logging error ---"):
        if marker in run.stderr:
            problems.append(f"{marker!r} printed: {run.stderr[-400:]}")
    return problems


# ----- a full disk
def fill(folder: Path, leave: int) -> Path:
    """A file taking all the free space of ``folder``'s file system but ``leave`` bytes."""
    filler = folder / "filler"
    stats = os.statvfs(folder)
    size = max(0, stats.f_bavail * stats.f_frsize - leave)
    with open(filler, "wb") as stream:
        block = b"\0" * (1 << 20)
        while size > 0:
            try:
                size -= stream.write(block[:min(size, len(block))])
            except OSError:
                break
    return filler


def disk_full_case(operation: str, leave: int, mount: Path, baseline: Path, documents: Path,
                   clean: State, tries: int = 4) -> Outcome:
    """A full disk with ``leave`` bytes free; when the operation still had room (a miss: not
    counted as a fault), again with half as much free, up to ``tries`` times (0 bytes last)."""
    for attempt in range(1, tries + 1):
        for child in mount.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        home, keys = copy_home(baseline, mount)
        filler = fill(mount, leave)
        first = run_operation(operation, home, keys, documents)
        filler.unlink()
        if first.returncode != 0:
            break
        leave = 0 if attempt == tries - 1 else leave // 2 // 4096 * 4096
    outcome = Outcome(operation, f"disk full, {leave} bytes free", first.returncode != 0,
                      message_problems(first),
                      first_message=said(first.stderr), attempts=attempt)
    if outcome.injected and "free at least" not in outcome.first_message:
        outcome.problems.append(f"the failure does not name the space needed: "
                                f"{outcome.first_message!r}")
    again = run_operation(operation, home, keys, documents)
    if again.returncode not in (0, 3):
        outcome.problems.append(f"rerun failed ({again.returncode}): {again.stderr[-400:]}")
    found, problems, outcome.recovered = state_of(home, keys)
    outcome.problems += problems + compare(operation, found, clean)
    return outcome


def compare(operation: str, found: State, clean: State) -> list[str]:
    if operation == "history":  # one save or two: never a part of one
        return [] if found.exchanges in (clean.exchanges // 2, clean.exchanges) else \
            [f"history holds {found.exchanges} exchanges, a clean run {clean.exchanges}"]
    if operation == "audit":  # the second run's records all there, the first's up to the fault
        return [] if clean.records // 2 <= found.records <= clean.records else \
            [f"{found.records} question records after two runs, {clean.records} at most"]
    if (found.documents, found.chunks, found.embedder) != \
            (clean.documents, clean.chunks, clean.embedder):
        return [f"counts {found} differ from a clean run's {clean}"]
    return []


def prepare(operation: str, work: Path, documents: Path) -> Path:
    """The home an operation starts from (empty for ingest), kept outside the tmpfs."""
    baseline = work / f"baseline-{operation}"
    if baseline.exists() or operation in ("ingest", "audit"):
        return baseline
    home, keys = baseline / "home", baseline / "keys"
    if operation == "reembed":
        older_workspace(home, keys, documents)
    elif operation == "purge":
        assert enclave(home, keys, "ingest", str(documents), "-w", WORKSPACE).returncode == 0
    else:
        home.mkdir(parents=True)
        keys.mkdir(parents=True)
    return baseline


def clean_run(operation: str, work: Path, baseline: Path, documents: Path) -> tuple[State, int]:
    """The counts of a run with room to spare, and the bytes it took."""
    place = work / f"clean-{operation}"
    shutil.rmtree(place, ignore_errors=True)
    home, keys = copy_home(baseline, place)
    before = _size(place)
    done = run_operation(operation, home, keys, documents)
    assert done.returncode in (0, 3), done.stderr
    used = max(_size(place) - before, 4096)
    run_operation(operation, home, keys, documents)  # twice, as each faulted case does
    return state_of(home, keys)[0], used


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() \
        else 0


def disk_full_campaign(mount: Path, work: Path, points: int,
                       operations: tuple[str, ...] = OPERATIONS) -> list[Outcome]:
    documents = write_documents(work / "documents")
    outcomes = []
    for operation in operations:
        baseline = prepare(operation, work, documents)
        clean, used = clean_run(operation, work, baseline, documents)
        for step in range(points):  # spread over what the operation needs: each one short
            leave = int(used * step / points) // 4096 * 4096
            outcome = disk_full_case(operation, leave, mount, baseline, documents, clean)
            print(json.dumps(asdict(outcome)), flush=True)
            outcomes.append(outcome)
    return outcomes


# ----- kill -9
STARTED = b"\r["  # the operation's first progress bar on stderr: imports and start-up are over


def command_of(operation: str, documents: Path) -> list[str]:
    args = ["ingest", str(documents), "-w", WORKSPACE] if operation == "ingest" else \
        ["docs", "reembed", "-w", WORKSPACE]
    return [sys.executable, "-m", "app.cli", *args]


def start_operation(operation: str, home: Path, keys: Path,
                    documents: Path) -> tuple[subprocess.Popen[bytes], Path, float]:
    """The operation started; returns once its first progress bar is out (the moment its
    work begins), with the time of that moment."""
    errors = home.parent / "stderr.txt"
    home.mkdir(parents=True, exist_ok=True)
    with open(errors, "wb") as stream:
        process = subprocess.Popen(command_of(operation, documents), cwd=ROOT,
                                   env=environment(home, keys), stdout=subprocess.DEVNULL,
                                   stderr=stream)
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        if STARTED in errors.read_bytes():
            break
        time.sleep(0.02)
    return process, errors, time.monotonic()


def work_span(operation: str, work: Path, baseline: Path, documents: Path) -> float:
    """Seconds from the first progress bar to the end, in a run with nothing injected."""
    home, keys = copy_home(baseline, work / f"span-{operation}")
    process, _, started = start_operation(operation, home, keys, documents)
    process.wait()
    return max(0.2, time.monotonic() - started)


def kill_case(operation: str, delay: float, work: Path, baseline: Path, documents: Path,
              clean: State, tries: int = 5) -> Outcome:
    """kill -9 ``delay`` seconds into the operation's work; when it had already ended (a
    miss: not counted as a fault), again at a moment drawn closer to the start."""
    chance, attempt = random.Random(delay), 0
    while attempt < tries:
        attempt += 1
        place = work / f"kill-{operation}"
        shutil.rmtree(place, ignore_errors=True)
        home, keys = copy_home(baseline, place)
        process, _, started = start_operation(operation, home, keys, documents)
        time.sleep(max(0.0, started + delay - time.monotonic()))
        injected = process.poll() is None
        if injected:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if injected:
            break
        delay = chance.uniform(0.0, delay * 0.7)
    outcome = Outcome(operation, f"kill -9 {delay:.2f} s into the work", injected,
                      attempts=attempt)
    again = enclave(home, keys, *command_of(operation, documents)[3:])
    if again.returncode not in (0, 3):
        outcome.problems.append(f"rerun failed ({again.returncode}): {again.stderr[-400:]}")
    found, problems, outcome.recovered = state_of(home, keys)
    outcome.problems += problems + compare(operation, found, clean)
    return outcome


def kill_campaign(work: Path, kills: int, seed: int = 29,
                  operations: tuple[str, ...] = ("ingest", "reembed")) -> list[Outcome]:
    documents = write_documents(work / "documents")
    chance, outcomes = random.Random(seed), []
    for operation in operations:
        baseline = prepare(operation, work, documents)
        clean, _ = clean_run(operation, work, baseline, documents)
        span = work_span(operation, work, baseline, documents)
        for _ in range(kills):
            delay = chance.uniform(0.0, span)
            outcome = kill_case(operation, delay, work, baseline, documents, clean)
            print(json.dumps(asdict(outcome)), flush=True)
            outcomes.append(outcome)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", choices=("disk-full", "kill"))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--mount", type=Path, help="the tmpfs mount point (disk-full)")
    parser.add_argument("--points", type=int, default=4, help="points (or kills) per operation")
    parser.add_argument("--operations", default=None, help="comma-separated")
    parser.add_argument("--seed", type=int, default=29, help="of the kill moments")
    args = parser.parse_args()
    if args.campaign == "disk-full":
        operations = tuple(args.operations.split(",")) if args.operations else OPERATIONS
        args.mount.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(args.mount)],
                       check=True)
        disk_full_campaign(args.mount, args.work, args.points, operations)
    else:
        operations = tuple(args.operations.split(",")) if args.operations else \
            ("ingest", "reembed")
        kill_campaign(args.work, args.points, args.seed, operations=operations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
