"""A privacy policy is a property of the workspace wherever it is set (issue 29): the index
records what its stored text was made under, and a workspace whose policy changed since (in
settings.json, on the command line or in the window) is refused for searching until it is
indexed again, which the next ingest or ``enclave docs policy`` does. Real Presidio + spaCy,
the ONNX embedder, Chroma and SQLite on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import DataPaths
from app.privacy.analyzer import PiiAnalyzer
from app.privacy.policy import POLICIES
from app.services import Lazy, Services, build_services
from core.errors import InputError
from rag.embedder import Embedder, load_embedder
from rag.onnx_export import exported_model
from tests.fake_runtime import FakeRuntime

ROOT = Path(__file__).resolve().parents[2]
SSN = "219-09-4817"
NOTE = (f"Clinic intake note\n\nPatient: Marguerite Okonkwo\nSSN on file: {SSN}\n\n"
        "Diagnosis: type 2 diabetes mellitus, well controlled on metformin 500 mg twice daily.\n")
QUESTION = "What is the social security number of Marguerite Okonkwo, treated with metformin?"


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(model=exported_model(tmp_path_factory.mktemp("embedder")))


@pytest.fixture
def open_services(tmp_path: Path, embedder: Embedder,
                  analyzer: PiiAnalyzer) -> Iterator[object]:
    """Opens the data folder as the app does (settings read from settings.json)."""
    opened: list[Services] = []

    def open_() -> Services:
        services = build_services(DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
                                  embedder=lambda: embedder,
                                  pii_analyzer=Lazy(lambda: analyzer))
        opened.append(services)
        return services

    yield open_
    for services in opened:
        services.close()


def _note(tmp_path: Path, name: str = "intake.txt", text: str = NOTE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _database(services: Services) -> bytes:
    services.close()  # checkpoints SQLite's write-ahead log into the database file
    return b"".join(path.read_bytes() for path in services.paths.index_dir.rglob("library.*"))


def _set_in_settings_json(home: Path, workspace: str, policy: str) -> None:
    path = home / "settings.json"
    raw = json.loads(path.read_text()) if path.exists() else {}
    raw.setdefault("privacy", {}).setdefault("workspace_policies", {})[workspace] = policy
    path.write_text(json.dumps(raw))


def test_strict_set_in_settings_json_is_applied_at_the_next_open(
        open_services, tmp_path: Path) -> None:
    services = open_services()
    services.library().ingest([_note(tmp_path)], workspace="clinic")
    assert SSN.encode() in _database(services)

    _set_in_settings_json(services.paths.root, "clinic", "strict")
    services = open_services()
    library = services.library()
    assert library.policy_outdated("clinic")
    with pytest.raises(InputError, match="privacy policy of workspace 'clinic' changed"):
        services.chat().ask(QUESTION, workspace="clinic")

    other = _note(tmp_path, "follow-up.txt", "Follow-up in three months for HbA1c testing.")
    report = library.ingest([other], workspace="clinic")  # the next ingest indexes all again
    assert sorted(Path(r.path).name for r in report.results) == ["follow-up.txt", "intake.txt"]
    assert not library.policy_outdated("clinic")
    answer = services.chat().ask(QUESTION, workspace="clinic")
    shown = answer.text + " ".join(quote.text for quote in answer.quotes)
    assert answer.quotes and SSN not in shown and "<US_SSN>" in shown
    assert SSN.encode() not in _database(services)


def test_standard_and_masked_store_the_same_text_so_no_reindexing(
        open_services, tmp_path: Path) -> None:
    assert POLICIES["standard"].index_treatment == POLICIES["masked"].index_treatment
    services = open_services()
    services.library().ingest([_note(tmp_path)], workspace="clinic")
    _set_in_settings_json(services.paths.root, "clinic", "masked")
    assert not open_services().library().policy_outdated("clinic")


def _enclave(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_command_line_sets_a_policy_and_indexes_the_workspace_again(tmp_path: Path) -> None:
    home, note = tmp_path / "home", _note(tmp_path)
    assert _enclave(home, "ingest", str(note), "-w", "clinic").returncode == 0
    result = _enclave(home, "docs", "policy", "-w", "clinic", "strict")
    assert result.returncode == 0, result.stderr
    assert "indexed again under the strict policy" in result.stdout
    settings = json.loads((home / "settings.json").read_text())
    assert settings["privacy"]["workspace_policies"] == {"clinic": "strict"}
    stored = b"".join(path.read_bytes() for path in (home / "index").rglob("library.*"))
    assert SSN.encode() not in stored
    shown = _enclave(home, "docs", "policy", "-w", "clinic")
    assert shown.stdout.strip() == \
        "Workspace 'clinic': privacy policy strict; its index follows it."
    wrong = _enclave(home, "docs", "policy", "-w", "clinic", "lenient")
    assert wrong.returncode == 2 and "invalid choice: 'lenient'" in wrong.stderr
