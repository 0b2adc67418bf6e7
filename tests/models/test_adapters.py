"""LoRA adapters through the real llama.cpp on the real embedded Gemma 3 270M."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from models.adapters.catalog import AdapterCatalog
from models.lora_gguf import check_fits, read_adapter_metadata, write_lora_gguf
from models.prompts import PromptRequest
from models.runtime import GenerationOptions, LlamaCppRuntime
from tests.models.lora_fixtures import ADAPTED, make_adapter

GREEDY = GenerationOptions(max_tokens=20, temperature=0.0, top_k=1, repeat_penalty=1.0, seed=1)
REQUEST = PromptRequest(
    "Answer the question in one short sentence, using only the facts in the numbered evidence.",
    "How long is the lease?",
    "[1] (lease.pdf, page 2) The term of this lease is five (5) years from the start date.")


@pytest.fixture(scope="module")
def adapters(embedded_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("adapters")
    return {"strong": make_adapter(embedded_gguf, folder / "strong.gguf", scale=4.0),
            "zero": make_adapter(embedded_gguf, folder / "zero.gguf", scale=0.0)}


def answer(base: Path, adapter: Path | None) -> str:
    runtime = LlamaCppRuntime(context_cap=512)
    runtime.load(base, prompt_style="completion", adapter=adapter)
    try:
        assert runtime.adapter_path == adapter
        return "".join(runtime.stream(REQUEST, GREEDY))
    finally:
        runtime.unload()


@pytest.fixture(scope="module")
def plain_answer(embedded_gguf: Path) -> str:
    return answer(embedded_gguf, None)


def test_an_adapter_changes_the_greedy_answer(embedded_gguf: Path, adapters: dict[str, Path],
                                              plain_answer: str) -> None:
    adapted = answer(embedded_gguf, adapters["strong"])
    assert plain_answer.strip() and adapted != plain_answer


def test_a_zero_adapter_gives_the_same_answer(embedded_gguf: Path, adapters: dict[str, Path],
                                              plain_answer: str) -> None:
    assert answer(embedded_gguf, adapters["zero"]) == plain_answer


def test_adapter_metadata_says_what_it_adapts(adapters: dict[str, Path]) -> None:
    metadata = read_adapter_metadata(adapters["strong"])
    assert (metadata.architecture, metadata.rank, metadata.alpha) == ("gemma3", 4, 4.0)
    assert len(metadata.adapted) == 3 * len(ADAPTED)
    assert metadata.base_name == "gemma-3-270m"


def test_an_adapter_for_another_architecture_is_refused(embedded_gguf: Path,
                                                        tmp_path: Path) -> None:
    other = make_adapter(embedded_gguf, tmp_path / "llama.gguf", scale=1.0, architecture="llama")
    with pytest.raises(ModelError, match="adapter for llama models; .* is a gemma3 model"):
        LlamaCppRuntime().load(embedded_gguf, adapter=other)


def test_an_adapter_with_other_shapes_is_refused_naming_the_weight(embedded_gguf: Path,
                                                                   tmp_path: Path) -> None:
    wide = make_adapter(embedded_gguf, tmp_path / "wide.gguf", scale=1.0, widen=128)
    with pytest.raises(ModelError, match=r"blk\.0\.attn_q\.weight is 640x\d+ in the model"):
        check_fits(wide, embedded_gguf)


def test_an_adapter_of_a_layer_the_model_lacks_is_refused(embedded_gguf: Path,
                                                          tmp_path: Path) -> None:
    deep = tmp_path / "deep.gguf"
    write_lora_gguf(deep, "gemma3", {"blk.40.attn_q.weight": (np.zeros((2, 640)),
                                                              np.zeros((1024, 2)))},
                    alpha=2.0, name="deep")
    with pytest.raises(ModelError, match=r"blk\.40\.attn_q\.weight, which .* does not have"):
        check_fits(deep, embedded_gguf)


def test_a_model_file_is_not_an_adapter(embedded_gguf: Path) -> None:
    with pytest.raises(ModelError, match="is not a LoRA adapter"):
        read_adapter_metadata(embedded_gguf)


def test_catalog_lists_an_import_with_its_base_and_checksum(embedded_gguf: Path,
                                                            adapters: dict[str, Path],
                                                            tmp_path: Path) -> None:
    catalog = AdapterCatalog(tmp_path / "adapters")
    info = catalog.import_file(adapters["strong"], base_path=embedded_gguf,
                               base_model_id="gemma-3-270m-q4_k_m", base_sha256="ab" * 32)
    assert [item.id for item in catalog.for_base("gemma-3-270m-q4_k_m")] == ["strong"]
    assert (info.base_model_id, info.rank, info.adapted_weights) == ("gemma-3-270m-q4_k_m", 4, 9)
    assert catalog.verify(info) and len(info.sha256) == 64
    with pytest.raises(ModelError, match="already installed"):
        catalog.import_file(adapters["strong"], base_path=embedded_gguf,
                            base_model_id="gemma-3-270m-q4_k_m", base_sha256="ab" * 32)


def test_a_refused_import_leaves_nothing_behind(embedded_gguf: Path, tmp_path: Path) -> None:
    catalog = AdapterCatalog(tmp_path / "adapters")
    wide = make_adapter(embedded_gguf, tmp_path / "wide.gguf", scale=1.0, widen=64)
    with pytest.raises(ModelError, match="does not fit"):
        catalog.import_file(wide, base_path=embedded_gguf, base_model_id="m", base_sha256="")
    assert catalog.list() == []
    assert not (tmp_path / "adapters").exists() or not any((tmp_path / "adapters").iterdir())
