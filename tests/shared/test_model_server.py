"""The shared model: a real llama-cpp-python OpenAI-compatible server (SmolLM2 135M fixture) on
loopback, answering through LlamaServerRuntime and through a desktop's ``enclave ask``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import ModelError
from models.prompts import PromptRequest
from models.runtime import GenerationOptions
from models.server_runtime import LlamaServerRuntime
from tests.shared.conftest import desktop_process, finished, member_desktop, write_documents
from tests.shared.servers import ChromaProcess, LlamaServerProcess

REQUEST = PromptRequest("Answer from the sources only.", "What is the notice period?",
                        "[1] Either party may terminate on ninety (90) days' notice.")
OPTIONS = GenerationOptions(max_tokens=24, temperature=0.0, seed=7)


@pytest.fixture(scope="module")
def model_server(smollm_gguf: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServerProcess]:
    server = LlamaServerProcess(smollm_gguf, tmp_path_factory.mktemp("llama-server")).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_server_streams_an_answer_piece_by_piece(model_server: LlamaServerProcess) -> None:
    runtime = LlamaServerRuntime(model_server.url, api_key=model_server.api_key)
    assert runtime.models() == ["firm-model"]
    pieces = list(runtime.stream(REQUEST, OPTIONS))
    assert len(pieces) > 2 and "".join(pieces).strip()
    assert runtime.last_stats.completion_tokens == len(pieces)
    assert runtime.last_stats.stop_reason in ("stop", "length")


def test_cancel_stops_the_stream(model_server: LlamaServerProcess) -> None:
    runtime = LlamaServerRuntime(model_server.url, api_key=model_server.api_key)
    seen: list[str] = []
    for piece in runtime.stream(REQUEST, GenerationOptions(max_tokens=200, temperature=0.0),
                                cancel=lambda: len(seen) >= 2):
        seen.append(piece)
    assert len(seen) == 2
    assert runtime.last_stats.stop_reason == "cancelled"


def test_a_wrong_key_or_no_server_is_said_plainly(model_server: LlamaServerProcess) -> None:
    with pytest.raises(ModelError, match="did not accept your key"):
        LlamaServerRuntime(model_server.url, api_key="wrong").models()
    with pytest.raises(ModelError, match="did not accept your key"):
        list(LlamaServerRuntime(model_server.url, api_key="wrong").stream(REQUEST, OPTIONS))
    with pytest.raises(ModelError, match="cannot be reached"):
        LlamaServerRuntime("http://127.0.0.1:9", api_key="x").models()


def test_a_desktop_answers_a_shared_matter_from_the_model_server(
        chroma: ChromaProcess, model_server: LlamaServerProcess, tmp_path: Path) -> None:
    write_documents(tmp_path / "docs", 1, first=40)  # governed by the laws of Delaware
    finished(desktop_process(chroma.url, "alice", "ingest", str(tmp_path / "docs")))
    carol = member_desktop(tmp_path, "carol", chroma.url, llm_url=model_server.url,
                           llm_model="firm-model")
    (carol.home / "llm_key").write_text(model_server.api_key)
    settings = (carol.home / "settings.json").read_text().replace(
        '"llm_model"', f'"llm_key_file": "{carol.home / "llm_key"}", "llm_model"')
    (carol.home / "settings.json").write_text(settings)
    answered = carol.run("ask", "Which law governs the agreement?", "--workspace", "acme")
    assert answered.returncode == 0, answered.stderr[-3000:]
    # The evidence, verified against its page; the model's sentence only if it passed the
    # same grounding checks as a local model's.
    assert "Delaware" in answered.stdout and "agreement-040.txt, page 1 (verified)" in \
        answered.stdout, answered.stdout
    log = (model_server.log_dir / f"llama-{model_server.port}.log").read_text()
    assert "POST /v1/chat/completions" in log  # the server was asked to phrase it
    trail = (carol.home / "audit.jsonl").read_text().replace(" ", "")
    assert f'"model_from":"{model_server.url}"' in trail
    assert f'"sources_from":"{chroma.url}"' in trail
