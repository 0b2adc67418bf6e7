"""Recognising a GGUF's family and template kind from what the file records (no model run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ModelError
from models.catalog import ModelCatalog, describe_model
from models.families import (
    FAMILIES,
    PLAIN_PROMPT,
    check_supported,
    detect_family,
    format_parameter_count,
    supported_architectures,
    template_kind,
)
from tests.models.tiny_gguf import FAMILIES as TINY_FAMILIES


@pytest.mark.parametrize(("architecture", "name", "family"), [
    ("llama", "Mistral 7B Instruct v0.3", "Mistral"),
    ("llama", "mistralai_mistral-7b-v0.1", "Mistral"),
    ("llama", "TinyLlama 1.1B Chat v1.0", "TinyLlama"),
    ("llama", "Tinyllama-1.1B-intermediate-step-1431k-3T", "TinyLlama"),
    ("llama", "Meta Llama 3.1 8B Instruct", "Llama 3"),
    ("llama", "SmolLM2 135M Instruct", "SmolLM"),
    ("llama", "Vicuna 7B", "Llama"),
    ("llama", "LLaMA 30B", "Llama"),
    ("phi3", "Phi 4 Mini Instruct", "Phi-4-mini"),
    ("phi3", "Phi-3-mini-4k-instruct", "Phi-3"),
    ("phi3", "Phi 4", "Phi"),
    ("granite", "Granite 3.1 2b Instruct", "IBM Granite 3"),
    ("granite", "Granite 4.0 Micro", "IBM Granite"),
    ("openelm", "OpenELM 1 1B Instruct", "Apple OpenELM"),
    ("gemma2", "gemma-2-2b-it", "Gemma 2"),
])
def test_family_is_named_from_the_architecture_and_the_model_name(
    architecture: str, name: str, family: str
) -> None:
    assert detect_family(architecture, name, None) == family


@pytest.mark.parametrize("key", ["mistral", "phi4-mini", "llama"])
def test_family_sharing_an_architecture_is_told_apart_by_its_template(key: str) -> None:
    tiny = TINY_FAMILIES[key]
    assert detect_family(tiny.arch, "renamed-by-the-firm", tiny.template) == tiny.human_name


def test_a_zephyr_template_alone_does_not_make_a_model_tinyllama() -> None:
    """Many llama fine-tunes use the Zephyr template: without the name, it stays "Llama"."""
    assert detect_family("llama", "local-model", TINY_FAMILIES["tinyllama"].template) == "Llama"


@pytest.mark.parametrize("key", [key for key, family in TINY_FAMILIES.items() if family.template])
def test_every_real_template_is_recognised_by_kind(key: str) -> None:
    family = TINY_FAMILIES[key]
    assert template_kind(family.template, "chat") == family.template_kind


def test_a_base_model_is_prompted_plainly_even_when_its_file_has_a_template() -> None:
    assert template_kind(TINY_FAMILIES["gemma3"].template, "completion") == PLAIN_PROMPT
    assert template_kind(None, "chat") == PLAIN_PROMPT
    assert template_kind("{{ messages }}", "chat") == "custom"


def test_unsupported_architecture_names_every_supported_family() -> None:
    with pytest.raises(ModelError) as refused:
        check_supported("mamba", "falcon-mamba-7b.gguf")
    message = str(refused.value)
    assert message.startswith("falcon-mamba-7b.gguf is a 'mamba' model")
    assert all(family.name in message for family in FAMILIES)
    assert all(f"({architecture})" in message for architecture in supported_architectures())
    for architecture in supported_architectures():
        check_supported(architecture, "fine.gguf")


@pytest.mark.parametrize(("count", "shown"), [
    (1_235_814_400, "1.2B"), (7_241_732_096, "7.2B"), (268_098_176, "268M"),
    (3_836_000, "3.8M"), (74_560, "75K"), (12, "12"), (14_659_507_200, "15B"),
])
def test_parameter_counts_read_as_people_write_them(count: int, shown: str) -> None:
    assert format_parameter_count(count) == shown


def test_a_catalog_entry_written_before_families_gets_its_family(tmp_path: Path) -> None:
    entry = {"id": "mistral-7b", "file_name": "mistral-7b.gguf", "name": "Mistral 7B v0.3",
             "architecture": "llama", "context_length": 32768, "quantization": "Q4_K_M",
             "size_bytes": 4_372_812_000, "sha256": "0" * 64, "prompt_style": "completion",
             "chat_template": None}
    (tmp_path / "catalog.json").write_text(json.dumps({"models": [entry]}), encoding="utf-8")
    info = ModelCatalog(tmp_path).get("mistral-7b")
    assert info.family == "Mistral"
    assert describe_model(info) == {
        "Family": "Mistral", "Parameters": "?", "Quantization": "Q4_K_M", "Context": "32,768",
        "Template": PLAIN_PROMPT, "Size": "4,170 MB"}


def test_a_thinking_template_is_told_apart_by_whether_thinking_can_be_switched_off() -> None:
    assert template_kind(TINY_FAMILIES["qwen3"].template, "chat") == "ChatML, thinking off"
    always_thinks = "<|im_start|>assistant\n<think>\n{{ messages[-1]['content'] }}"
    assert template_kind(always_thinks, "chat") == "ChatML with thinking"
