"""The fault campaign (issue 29), kept as tests: a real full disk (a small tmpfs in a private
mount namespace) at points of ingest, purge, re-embed, history save and audit append, and
kill -9 at random moments of ingest and re-embed. After each fault and a rerun: the index
opens and is consistent, its counts equal a clean run's, the audit trail verifies (with its
recovery records), nothing is half-written, and a failure said one line (no traceback, no
"--- Logging error ---"). A few points here; ``make faults`` (ENCLAVE_FAULTS=full) runs 20
disk points (4 per operation) and 20 kills (10 each of ingest and re-embed). Every one hits: a
point that found room, or a kill after the end, is tried again closer in (only hits count)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.campaign import OPERATIONS, ROOT

FULL = os.environ.get("ENCLAVE_FAULTS") == "full"
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _private_mounts_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def run_campaign(campaign: str, work: Path, points: int,
                 operations: tuple[str, ...]) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "tests.faults.campaign", campaign, "--work", str(work),
               "--points", str(points), "--operations", ",".join(operations)]
    if campaign == "disk-full":
        command = ["unshare", "-rm", *command, "--mount", str(work / "mnt")]
    done = subprocess.run(command, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=3500)
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    (work / f"{campaign}.json").write_text(json.dumps(outcomes, indent=1), "utf-8")
    return outcomes


def failures(outcomes: list[dict[str, object]]) -> list[str]:
    return [f"{o['operation']} ({o['fault']}): {o['problems']}" for o in outcomes
            if o["problems"]]


@pytest.mark.skipif(not _private_mounts_work(),
                    reason="needs unshare -rm and a tmpfs mount in a user namespace")
def test_a_full_disk_anywhere_loses_nothing_and_says_one_line(tmp_path: Path) -> None:
    operations = OPERATIONS if FULL else ("ingest", "audit")
    outcomes = run_campaign("disk-full", tmp_path, 4 if FULL else 2, operations)
    assert len(outcomes) == (20 if FULL else 4)
    assert [o for o in outcomes if not o["injected"]] == []
    assert failures(outcomes) == []
    for outcome in outcomes:
        assert str(outcome["first_message"]).startswith("enclave: "), outcome


def test_kill_9_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    operations = ("ingest", "reembed") if FULL else ("ingest",)
    outcomes = run_campaign("kill", tmp_path, 10 if FULL else 2, operations)
    assert len(outcomes) == (20 if FULL else 2)
    assert [o for o in outcomes if not o["injected"]] == []
    assert failures(outcomes) == []
