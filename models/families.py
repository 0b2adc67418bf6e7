"""The model families Enclave supports, how a GGUF is recognised as one, and its template kind.

A family is supported when a tiny model of its architecture, with its real tokenizer kind and
chat template, has gone through import, load, prompt rendering and generation in
tests/models/test_architectures.py. Several families share an architecture (Mistral and
TinyLlama are ``llama`` models, Phi-4-mini is a ``phi3`` model), so the file's own name and its
chat template tell them apart; the last family listed for an architecture is its fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import ModelError


@dataclass(frozen=True)
class ModelFamily:
    name: str  # as people know it, e.g. "IBM Granite 3"
    architecture: str  # general.architecture in the GGUF
    name_pattern: str = ""  # matched against general.name, case-insensitive
    template_marker: str = ""  # text only this family's chat template contains


FAMILIES: tuple[ModelFamily, ...] = (
    ModelFamily("Llama 3", "llama", r"llama[ _.-]*3(?!\d)", "<|start_header_id|>"),
    ModelFamily("Mistral", "llama", r"mistral", "[INST]"),
    ModelFamily("TinyLlama", "llama", r"tiny[ _.-]*llama"),
    ModelFamily("SmolLM", "llama", r"smol[ _.-]*lm"),
    ModelFamily("Llama", "llama"),
    ModelFamily("Qwen 2 / 2.5", "qwen2"),
    ModelFamily("Qwen 3", "qwen3"),
    ModelFamily("Gemma 2", "gemma2"),
    ModelFamily("Gemma 3", "gemma3"),
    ModelFamily("Phi-4-mini", "phi3", r"phi[ _.-]*4[ _.-]*mini", "<|tool|>"),
    ModelFamily("Phi-3", "phi3", r"phi[ _.-]*3"),
    ModelFamily("Phi", "phi3"),
    ModelFamily("IBM Granite 3", "granite", r"granite[ _.-]*3"),
    ModelFamily("IBM Granite", "granite"),
    ModelFamily("Apple OpenELM", "openelm"),
    ModelFamily("MiniCPM", "minicpm"),
)

# Chat-template kinds, recognised by the tokens their turns are written with; first match wins.
TEMPLATE_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ChatML, thinking off", ("<|im_start|>", "enable_thinking")),  # runtime switches it off
    ("ChatML with thinking", ("<|im_start|>", "<think>")),
    ("ChatML", ("<|im_start|>",)),
    ("Llama 3", ("<|start_header_id|>",)),
    ("Gemma", ("<start_of_turn>",)),
    ("Mistral [INST]", ("[INST]",)),
    ("Granite", ("<|start_of_role|>",)),
    ("Phi", ("<|assistant|>", "<|end|>")),
    ("Zephyr", ("<|user|>",)),
    ("MiniCPM", ("<用户>",)),
)
PLAIN_PROMPT = "plain prompt"


def supported_architectures() -> tuple[str, ...]:
    return tuple(dict.fromkeys(family.architecture for family in FAMILIES))


def supported_families_text() -> str:
    """``Llama 3, Mistral, … (llama); Qwen 3 (qwen3); …`` for messages and the README."""
    groups = []
    for architecture in supported_architectures():
        names = ", ".join(f.name for f in FAMILIES if f.architecture == architecture)
        groups.append(f"{names} ({architecture})")
    return "; ".join(groups)


def check_supported(architecture: str, file_name: str) -> None:
    """Refuse a GGUF whose architecture is not one Enclave has proven, naming the ones it has."""
    if architecture not in supported_architectures():
        raise ModelError(
            f"{file_name} is a {architecture!r} model, an architecture Enclave does not "
            f"support. Supported model families: {supported_families_text()}."
        )


def detect_family(architecture: str, model_name: str, chat_template: str | None) -> str:
    """The family's human name; the architecture itself when Enclave does not know it."""
    candidates = [f for f in FAMILIES if f.architecture == architecture]
    if not candidates:
        return architecture
    for family in candidates:
        if family.name_pattern and re.search(family.name_pattern, model_name, re.IGNORECASE):
            return family.name
    for family in candidates:
        if family.template_marker and chat_template and family.template_marker in chat_template:
            return family.name
    return candidates[-1].name


def template_kind(chat_template: str | None, prompt_style: str) -> str:
    """How prompts for this model are written: its chat template's kind, or a plain prompt."""
    if prompt_style != "chat" or not chat_template:
        return PLAIN_PROMPT
    for kind, markers in TEMPLATE_KINDS:
        if all(marker in chat_template for marker in markers):
            return kind
    return "custom"


def format_parameter_count(count: int) -> str:
    """1_236_814_848 -> "1.2B", 268_098_176 -> "268M", 74_560 -> "75K"."""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if count >= scale:
            value = count / scale
            return f"{value:.1f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"
    return str(count)
