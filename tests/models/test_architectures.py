"""Every model family Enclave supports goes through the real catalog and the real llama.cpp
runtime: import (checks, checksum, the family's name), load, prompt rendering with history and
sources, streamed generation and unload, in its chat variant (the family's real template) and
its template-less variant, where the family ships each.

The models are tiny random-weight GGUFs written by ``tiny_gguf`` (a few hundred KB each), so
the answers are garbage; what is proven is import, load, template rendering and generation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ModelError
from models.catalog import ModelCatalog
from models.families import FAMILIES, PLAIN_PROMPT, template_kind
from models.prompts import PromptRequest, RenderedPrompt, Turn
from models.runtime import GenerationOptions, LlamaCppRuntime, probe_loadable
from tests.models.tiny_gguf import FAMILIES as TINY_FAMILIES
from tests.models.tiny_gguf import VARIANTS, Family, parameter_count, write_tiny_gguf

SYSTEM = "You are a helpful assistant for a law firm."
SOURCES = "[1] lease.pdf, page 2: The lease ends on 31 March 2027."
REQUEST = PromptRequest(SYSTEM, "When does the lease end?", context=SOURCES,
                        history=(Turn("Hi, who are you?", "A helper."),))
GREEDY = GenerationOptions(max_tokens=4, temperature=0.0, seed=1)


def variant_id(variant: tuple[str, str]) -> str:
    return "-".join(variant)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("tiny-gguf")
    return {
        (key, style): write_tiny_gguf(
            folder / f"tiny-{key}-{style}.gguf", key,
            chat_template=TINY_FAMILIES[key].template if style == "chat" else None)
        for key, style in VARIANTS
    }


@pytest.fixture
def runtime():
    runtime = LlamaCppRuntime(threads=2, context_cap=512)
    yield runtime
    runtime.unload()


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_family_imports_loads_renders_generates_and_unloads(
    variant: tuple[str, str], tiny_models: dict[tuple[str, str], Path], tmp_path: Path,
    runtime: LlamaCppRuntime,
) -> None:
    key, style = variant
    family = TINY_FAMILIES[key]
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)

    info = catalog.import_file(tiny_models[variant])
    assert [listed.id for listed in catalog.list()] == [info.id] == [f"tiny-{key}-{style}"]
    assert (info.architecture, info.family) == (family.arch, family.human_name)
    assert info.parameter_count == parameter_count(key)
    assert info.context_length == 2048 and info.quantization == "F32"
    assert catalog.verify(info)
    expected_template = family.template if style == "chat" else None
    assert info.chat_template == expected_template
    assert info.prompt_style == ("chat" if style == "chat" else "completion")
    kind = template_kind(info.chat_template, info.prompt_style)
    assert kind == (family.template_kind if style == "chat" else PLAIN_PROMPT)

    runtime.load(catalog.path_of(info), prompt_style=info.prompt_style,
                 context_length=info.context_length)
    assert runtime.n_ctx == 512
    rendered = runtime.render(REQUEST)
    for expected in (SYSTEM, SOURCES, "When does the lease end?", "Hi, who are you?", "A helper."):
        assert expected in rendered.text, f"{expected!r} missing from {rendered.text!r}"
    if style == "chat":
        check_chat_prompt(rendered, family, runtime)
    else:
        assert rendered.text.startswith(SYSTEM) and rendered.text.endswith("Answer:")

    check_streamed_generation(runtime)
    runtime.unload()
    assert runtime.model_path is None and runtime.n_ctx == 0


def check_chat_prompt(rendered: RenderedPrompt, family: Family, runtime: LlamaCppRuntime) -> None:
    for marker in family.markers:
        assert marker in rendered.text, f"{marker!r} missing from {rendered.text!r}"
    assert rendered.text.endswith(family.prompt_end), rendered.text[-60:]
    assert family.eos in rendered.stops
    for special in (*family.leading, *family.trailing, *family.user_defined):
        if special in rendered.text:
            assert runtime.count_tokens(special) == 1, f"{special} is not one token"
    assert leading_bos_count(rendered, runtime) == family.bos_in_chat_prompt


def leading_bos_count(rendered: RenderedPrompt, runtime: LlamaCppRuntime) -> int:
    """Tokenised as stream() does it: the real model's BOS count, none doubled or dropped."""
    llama = runtime._llama
    tokens = llama.tokenize(rendered.text.encode("utf-8"),
                            add_bos=not rendered.template_adds_bos, special=True)
    return next(i for i, token in enumerate(tokens) if token != llama.token_bos())


def check_streamed_generation(runtime: LlamaCppRuntime) -> None:
    pieces = list(runtime.stream(REQUEST, GREEDY))
    stats = runtime.last_stats
    assert stats.prompt_tokens > runtime.count_tokens(SYSTEM + SOURCES)
    assert stats.stop_reason in ("stop", "length")
    # llama-cpp-python skips its max_tokens check while a token ends in an incomplete UTF-8
    # sequence (frequent with random weights), so it may run up to 3 tokens over.
    assert len(pieces) <= stats.completion_tokens <= GREEDY.max_tokens + 3


def test_every_supported_family_has_a_tiny_model_in_this_test() -> None:
    fallbacks_and_real_model_only = {"Llama", "Phi", "IBM Granite", "SmolLM"}
    assert {family.name for family in FAMILIES} - fallbacks_and_real_model_only == {
        family.human_name for family in TINY_FAMILIES.values()}


def test_unknown_architecture_is_refused_with_the_supported_families(tmp_path: Path) -> None:
    alien = write_tiny_gguf(tmp_path / "alien.gguf", "llama",
                            chat_template=TINY_FAMILIES["llama"].template,
                            general_architecture="enclave-unknown")
    catalog = ModelCatalog(tmp_path / "models", probe=probe_loadable)
    with pytest.raises(ModelError, match="alien.gguf is a 'enclave-unknown' model") as refused:
        catalog.import_file(alien)
    for family in FAMILIES:
        assert family.name in str(refused.value)
    assert catalog.list() == []
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_llama_cpp_itself_refuses_an_architecture_it_does_not_know(tmp_path: Path) -> None:
    alien = write_tiny_gguf(tmp_path / "alien.gguf", "qwen3", chat_template=None,
                            general_architecture="enclave-unknown")
    with pytest.raises(ModelError, match="alien.gguf cannot be run .* architecture"):
        probe_loadable(alien)


@pytest.mark.parametrize("keep", [0.5, 0.01], ids=["tensor-data-cut", "header-cut"])
def test_truncated_copy_is_refused_as_truncated(
    keep: float, tiny_models: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    source = tiny_models["qwen2", "chat"]
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
    tiny_models: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    for (key, style), path in tiny_models.items():
        assert path.stat().st_size < 1_000_000
        template = TINY_FAMILIES[key].template if style == "chat" else None
        again = write_tiny_gguf(tmp_path / path.name, key, chat_template=template)
        assert again.read_bytes() == path.read_bytes()
