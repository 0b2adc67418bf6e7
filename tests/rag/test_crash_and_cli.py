"""Through the ``enclave`` command as a user runs it: kill -9 in the middle of an ingest, then
ingest again; list and purge; and a question answered from documents with checked sources."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.index import collection_name
from rag.library import Library
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"


def _contracts(count: int) -> list[Path]:
    """The smallest real contracts, to keep the test short."""
    return sorted(CONTRACTS.iterdir(), key=lambda path: path.stat().st_size)[:count]


def _env(home: Path) -> dict[str, str]:
    return dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))


def enclave(*args: str, home: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=_env(home),
                          capture_output=True, text=True, timeout=timeout)


def _states(database: Path) -> list[str]:
    if not database.exists():
        return []
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            return [row[0] for row in db.execute("SELECT state FROM documents")]
    except sqlite3.Error:
        return []


def _kill_mid_ingest(home: Path, files: list[Path], workspace: str) -> list[str]:
    """Start an ingest, kill -9 it while a document is being stored (or soon after the first
    is done), and return the states the manifest showed at that moment."""
    database = home / "index" / "workspaces" / collection_name(workspace) / "library.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", *map(str, files), "-w", workspace],
        cwd=ROOT, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, first_done_at, states = time.monotonic() + 240, None, []
    while time.monotonic() < deadline and process.poll() is None:
        states = _states(database)
        if "indexing" in states and "done" in states:
            break
        if "done" in states and first_done_at is None:
            first_done_at = time.monotonic()
        if first_done_at and time.monotonic() - first_done_at > 3:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return states


@pytest.mark.slow
def test_kill_9_during_ingest_then_rerun_leaves_a_consistent_index(tmp_path: Path) -> None:
    home, files = tmp_path / "home", _contracts(6)
    states = _kill_mid_ingest(home, files, "crash")
    assert "done" in states

    library = Library(home / "index")
    workspace = library.workspace("crash")  # opening repairs what the kill left
    assert workspace.consistency_problems() == []
    assert all(record.state == "done" for record in workspace.documents())
    library.close()

    rerun = enclave("ingest", *map(str, files), "-w", "crash", home=home)
    assert rerun.returncode == 0, rerun.stderr
    library = Library(home / "index")
    workspace = library.workspace("crash")
    assert workspace.consistency_problems() == []
    records = workspace.documents()
    assert len(records) == len(files)
    assert workspace.index.count("crash") == sum(record.chunks for record in records)
    library.close()


@pytest.mark.slow
def test_cli_ingest_list_and_purge(tmp_path: Path) -> None:
    home, (first, second) = tmp_path / "home", _contracts(2)
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"")
    result = enclave("ingest", str(first), str(second), str(junk), "-w", "deal", home=home)
    assert result.returncode == 3, result.stderr  # some refused: see ``enclave ingest --help``
    assert "2 indexed, 1 refused" in result.stdout
    assert "[empty file]" in result.stdout and "100.0%" in result.stderr

    again = enclave("ingest", str(first), "-w", "deal", home=home)
    assert "1 unchanged" in again.stdout

    listing = enclave("docs", "list", "-w", "deal", home=home)
    assert first.name in listing.stdout and "2 document(s)" in listing.stdout

    purge = enclave("docs", "purge", str(first), "-w", "deal", home=home)
    assert "Purged 1 document(s)" in purge.stdout
    after = enclave("docs", "list", "-w", "deal", home=home)
    assert first.name not in after.stdout and "1 document(s)" in after.stdout
    assert "deal" in enclave("docs", "workspaces", home=home).stdout


def test_listing_an_unknown_workspace_explains(tmp_path: Path) -> None:
    result = enclave("docs", "list", "-w", "nowhere", home=tmp_path / "home", timeout=120)
    assert result.returncode == 2 and "no workspace 'nowhere'" in result.stderr


@pytest.mark.slow
def test_ask_with_a_workspace_answers_with_checked_sources(home_with_embedded_model: Path,
                                                          tmp_path: Path) -> None:
    policy = tmp_path / "retention.txt"
    policy.write_text(
        "Records retention policy.\n\nClient call recordings are kept for seven years in the "
        "compliance archive, then deleted.\n\nE-mails are kept for five years.", encoding="utf-8")
    assert enclave("ingest", str(policy), "-w", "policies",
                   home=home_with_embedded_model).returncode == 0
    result = enclave("ask", "How long are client call recordings kept?", "-w", "policies",
                     home=home_with_embedded_model)
    assert result.returncode == 0, result.stderr
    assert "Evidence:" in result.stdout and "retention.txt, page 1 (verified)" in result.stdout
    assert "kept for seven years" in result.stdout

    unrelated = enclave("ask", "Which football team won the cup in 1998?", "-w", "policies",
                        home=home_with_embedded_model)
    assert "Not found in your documents" in unrelated.stdout


@pytest.mark.slow
def test_ask_prints_a_markdown_documents_quotes_as_the_window_shows_them(
        home_with_embedded_model: Path, tmp_path: Path) -> None:
    """A .md document's quote reads without its markup ("**Between**") or the source file's
    line breaks, as in the window and the conversation export."""
    agreement = tmp_path / "services_agreement.md"
    agreement.write_text(
        "# Master Services Agreement\n\n**Between** Northwind Analytics Ltd. (\"Supplier\") "
        "**and** Harbor Mutual\nInsurance Co. (\"Client\").\n\n## 3. Term and termination\n"
        "Either party may terminate\nfor convenience on ninety (90) days' written notice.\n",
        encoding="utf-8")
    assert enclave("ingest", str(agreement), "-w", "msa",
                   home=home_with_embedded_model).returncode == 0
    result = enclave("ask", "Who are the parties to the agreement?", "-w", "msa",
                     home=home_with_embedded_model)
    assert result.returncode == 0, result.stderr
    quoted = [line for line in result.stdout.splitlines() if line.startswith("  [")]
    assert quoted, result.stdout
    assert any("Between Northwind Analytics Ltd. (\"Supplier\") and Harbor Mutual Insurance Co."
               in line for line in quoted), result.stdout
    assert "**" not in result.stdout and "##" not in result.stdout, result.stdout
