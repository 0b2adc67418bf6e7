"""The enclave command, run as a user runs it: a separate process, real model."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def enclave(*args: str, home: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, ENCLAVE_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_ask_streams_an_answer_from_the_embedded_model(home_with_embedded_model: Path) -> None:
    result = enclave("ask", "What is an indemnity clause?", "--model-only", "--max-tokens",
                     "24", home=home_with_embedded_model)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_ask_answers_from_the_documents_of_the_last_workspace_not_the_bare_model(
        home_with_embedded_model: Path) -> None:
    """Without --workspace, ``ask`` answers from the workspace ``ingest`` filled (it once
    streamed the bare model: "the parties are Enclave, a regulated firm, and ...")."""
    home = home_with_embedded_model
    nothing = enclave("ask", "Who are the parties to the services agreement?", home=home)
    assert nothing.returncode == 2 and "enclave ingest" in nothing.stderr
    assert enclave("ingest", str(ROOT / "app" / "samples" / "services_agreement.md"),
                   home=home).returncode == 0
    answer = enclave("ask", "Who are the parties to the services agreement?", home=home)
    assert answer.returncode == 0, answer.stderr
    assert "Northwind Analytics Ltd." in answer.stdout and "Harbor Mutual" in answer.stdout
    assert "services_agreement.md, page 1 (verified)" in answer.stdout
    honest = enclave("ask", "Does the agreement have a non-compete clause?", home=home)
    assert honest.stdout.startswith("No. Enclave found no clause on non-compete in "
                                    "services_agreement.md."), honest.stdout


def test_ask_with_an_empty_question_explains_and_fails(home_with_embedded_model: Path) -> None:
    result = enclave("ask", "   ", home=home_with_embedded_model)
    assert result.returncode == 2
    assert "question is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_models_list_shows_the_embedded_model_as_active(home_with_embedded_model: Path) -> None:
    result = enclave("models", "list", home=home_with_embedded_model)
    assert result.returncode == 0, result.stderr
    assert "* gemma-3-270m-q4_k_m" in result.stdout and "Q4_K_M" in result.stdout
    header, embedded = result.stdout.splitlines()[:2]
    assert header.split() == ["ID", "FAMILY", "PARAMETERS", "QUANTIZATION", "CONTEXT",
                              "TEMPLATE", "SIZE"]
    assert embedded.split()[2:5] == ["Gemma", "3", "268M"] and "plain prompt" in embedded


def test_importing_junk_is_refused_and_nothing_is_listed(home_with_embedded_model: Path,
                                                          tmp_path: Path) -> None:
    junk = tmp_path / "notes.gguf"
    junk.write_text("meeting notes, not a model")
    result = enclave("models", "import", str(junk), home=home_with_embedded_model)
    assert result.returncode == 2 and "not a GGUF" in result.stderr
    listing = enclave("models", "list", home=home_with_embedded_model).stdout
    assert "notes" not in listing


def test_import_and_use_a_chat_model(home_with_embedded_model: Path, smollm_gguf: Path) -> None:
    imported = enclave("models", "import", str(smollm_gguf), home=home_with_embedded_model)
    assert imported.returncode == 0, imported.stderr
    assert "SmolLM (llama)" in imported.stdout and "chat prompts (ChatML)" in imported.stdout
    used = enclave("models", "use", "smollm2-135m-instruct", home=home_with_embedded_model)
    assert used.returncode == 0, used.stderr
    answer = enclave("ask", "Say hello.", "--model-only", "--max-tokens", "12",
                     home=home_with_embedded_model)
    assert answer.returncode == 0 and answer.stdout.strip(), answer.stderr


def test_use_of_an_unknown_model_names_the_installed_ones(home_with_embedded_model: Path) -> None:
    result = enclave("models", "use", "llama-99b", home=home_with_embedded_model)
    assert result.returncode == 2 and "gemma-3-270m-q4_k_m" in result.stderr


def test_doctor_reports_versions_checksums_threads_and_the_guard(home_with_embedded_model: Path):
    result = enclave("doctor", home=home_with_embedded_model)
    assert result.returncode == 0, result.stdout + result.stderr
    for expected in ("llama-cpp-python", "sha256", "OK", "Threads for generation: ",
                     "Egress guard: on, 0 blocked attempts",
                     "Embedding model: all-MiniLM-L6-v2 tokenizer (model/tokenizer.json) sha256 "):
        assert expected in result.stdout


def test_interrupting_an_answer_stops_cleanly(home_with_embedded_model: Path) -> None:
    import signal
    import time

    env = dict(os.environ, ENCLAVE_HOME=str(home_with_embedded_model), PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ask", "Write a very long essay about law.",
         "--model-only", "--max-tokens", "2000"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.read(1)  # the answer has started streaming
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "[stopped]" in stderr
    assert "Traceback" not in stderr


def test_ctrl_c_inside_a_finaliser_still_stops_the_answer() -> None:
    # Python drops a KeyboardInterrupt raised in a finaliser (or a ctypes callback): with
    # Ctrl+C as an exception the answer ran on to its token limit.
    import signal
    import time

    from app.cli.common import interrupt_cancels
    from core.errors import Cancelled

    class InterruptedWhileFinalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the signal handler runs here, inside the finaliser

    previous = signal.getsignal(signal.SIGINT)
    with pytest.raises(Cancelled), interrupt_cancels() as cancel:
        InterruptedWhileFinalised()
        assert cancel()
    assert signal.getsignal(signal.SIGINT) is previous


def test_log_file_never_contains_the_question(home_with_embedded_model: Path) -> None:
    secret = "Patient Zelda Quixote SSN 123-45-6789"
    enclave("ask", secret, "--model-only", "--max-tokens", "4", home=home_with_embedded_model)
    logs = "".join(p.read_text() for p in (home_with_embedded_model / "logs").glob("*.log*"))
    assert "loaded model" in logs
    assert "Zelda" not in logs and "123-45-6789" not in logs


def test_selftest_passes_and_leaves_the_users_data_alone(home_with_embedded_model: Path) -> None:
    before = sorted(p.relative_to(home_with_embedded_model)
                    for p in home_with_embedded_model.rglob("*") if "logs" not in p.parts)
    result = enclave("selftest", home=home_with_embedded_model, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("installation", "ingest", "answer", "redaction"):
        assert f"PASS {step}" in result.stdout
    after = sorted(p.relative_to(home_with_embedded_model)
                   for p in home_with_embedded_model.rglob("*") if "logs" not in p.parts)
    assert after == before
