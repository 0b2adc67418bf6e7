"""Every architecture family Enclave promises (Llama 3, Qwen 2.5, Gemma 3, Phi-3/Phi-4-mini)
goes through the real catalog and the real llama.cpp runtime, chat template included.

The models are tiny random-weight GGUFs written by ``tiny_gguf`` (a few hundred KB each), so
the answers are garbage; what is proven is import, load, template rendering and generation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.catalog import ModelCatalog
from models.errors import ModelError
from models.prompts import PromptRequest, Turn
from models.runtime import GenerationOptions, LlamaCppRuntime, probe_loadable
from tests.models.tiny_gguf import ARCHITECTURES, FAMILIES, write_tiny_gguf

SYSTEM = "You are a helpful assistant for a law firm."
REQUEST = PromptRequest(SYSTEM, "Say hello.", history=(Turn("Hi, who are you?", "A helper."),))
GREEDY = GenerationOptions(max_tokens=4, temperature=0.0, seed=1)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tiny-gguf")
    return {
        arch: write_tiny_gguf(folder / f"tiny-{arch}.gguf", arch,
                              chat_template=FAMILIES[arch].template)
        for arch in ARCHITECTURES
    }


@pytest.fixture
def runtime():
    runtime = LlamaCppRuntime(threads=2, context_cap=512)
    yield runtime
    runtime.unload()


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_family_imports_loads_renders_and_generates(
    arch: str, tiny_models: dict[str, Path], tmp_path: Path, runtime: LlamaCppRuntime
) -> None:
    family = FAMILIES[arch]
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)

    info = catalog.import_file(tiny_models[arch])
    assert [listed.id for listed in catalog.list()] == [info.id] == [f"tiny-{arch}"]
    assert info.architecture == arch
    assert info.prompt_style == "chat" and info.chat_template == family.template
    assert info.context_length == 2048 and info.quantization == "F32"
    assert catalog.verify(info)

    runtime.load(catalog.path_of(info), prompt_style=info.prompt_style,
                 context_length=info.context_length)
    assert runtime.n_ctx == 512

    rendered = runtime.render(REQUEST)
    for marker in family.markers:
        assert marker in rendered.text, f"{marker!r} missing from {rendered.text!r}"
    assert "Say hello." in rendered.text and "A helper." in rendered.text
    assert family.eos in rendered.stops
    for special in (*family.leading, *family.trailing):
        if special in family.template:
            assert runtime.count_tokens(special) == 1, f"{special} is not one token"

    pieces = list(runtime.stream(REQUEST, GREEDY))
    stats = runtime.last_stats
    assert stats.prompt_tokens > runtime.count_tokens(SYSTEM)
    assert stats.stop_reason in ("stop", "length")
    # llama-cpp-python skips its max_tokens check while a token ends in an incomplete UTF-8
    # sequence (frequent with random weights), so it may run up to 3 tokens over.
    assert len(pieces) <= stats.completion_tokens <= GREEDY.max_tokens + 3


@pytest.mark.parametrize(
    ("arch", "bos_count"),
    [("gemma3", 1), ("llama", 1), ("qwen2", 0), ("phi3", 1)],
)
def test_chat_prompt_starts_with_one_bos_when_the_model_uses_one(
    arch: str, bos_count: int, tiny_models: dict[str, Path], runtime: LlamaCppRuntime
) -> None:
    """Tokenised as stream() does it: no doubled BOS, and none dropped."""
    runtime.load(tiny_models[arch], prompt_style="chat")
    rendered = runtime.render(REQUEST)
    llama = runtime._llama
    tokens = llama.tokenize(rendered.text.encode("utf-8"),
                            add_bos=not rendered.template_adds_bos, special=True)
    bos = llama.token_bos()
    leading = next(i for i, token in enumerate(tokens) if token != bos)
    assert leading == bos_count, f"{leading} BOS tokens at the start of {tokens[:4]}"


def test_unknown_architecture_is_refused_and_not_listed(tmp_path: Path) -> None:
    alien = write_tiny_gguf(tmp_path / "alien.gguf", "llama",
                            chat_template=FAMILIES["llama"].template,
                            general_architecture="enclave-unknown")
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)
    with pytest.raises(ModelError, match="alien.gguf cannot be run .* architecture"):
        catalog.import_file(alien)
    assert catalog.list() == []
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


@pytest.mark.parametrize("keep", [0.5, 0.01], ids=["tensor-data-cut", "header-cut"])
def test_truncated_copy_is_refused_as_truncated(
    keep: float, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    source = tiny_models["qwen2"]
    truncated = tmp_path / "partial.gguf"
    truncated.write_bytes(source.read_bytes()[: int(source.stat().st_size * keep)])
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)
    with pytest.raises(ModelError, match="partial.gguf is .*truncated"):
        catalog.import_file(truncated)
    assert catalog.list() == []


def test_text_file_renamed_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("Meeting notes, not a model.\n" * 20, encoding="utf-8")
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)
    with pytest.raises(ModelError, match="notes.gguf is not a GGUF model file"):
        catalog.import_file(fake)
    assert catalog.list() == []


def test_tiny_models_are_tiny_and_reproducible(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    for arch, path in tiny_models.items():
        assert path.stat().st_size < 1_000_000
        again = write_tiny_gguf(tmp_path / path.name, arch, chat_template=FAMILIES[arch].template)
        assert again.read_bytes() == path.read_bytes()
