"""The model families the tiny test GGUFs imitate, and how each architecture lays out its
blocks (``src/models/<arch>.cpp`` in llama.cpp). ``tiny_gguf`` writes the files from these.

Every family names the real model it imitates, its tokenizer kind and special tokens, and its
chat template as the real model ships it (``templates/``), with what Enclave must make of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

N_EMBD = 64
N_HEAD = 4
HEAD_DIM = N_EMBD // N_HEAD
N_FF = 128
N_LAYER = 2
CONTEXT_LENGTH = 2048
RMS_EPS = 1e-6
SEED = 1234
TEMPLATES = Path(__file__).with_name("templates")
NAME_SUFFIX = " (tiny random-weight test model)"

LLAMA2_SPECIALS = ("<unk>", "<s>", "</s>")
GEMMA_SPECIALS = ("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>")
MISTRAL_SPECIALS = (*LLAMA2_SPECIALS, "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]",
                    "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]")


@dataclass(frozen=True)
class Family:
    """One model line: its architecture, names, tokenizer, special tokens and chat template."""

    arch: str
    human_name: str  # what Enclave's catalog must call it
    chat_name: str | None  # general.name of the chat model imitated (None: no template)
    plain_name: str | None  # ... of a model shipped without a template (None: there is none)
    tokenizer: str  # "bpe" (GPT-2 byte level) or "spm" (SentencePiece with byte fallback)
    pre: str  # tokenizer.ggml.pre: the pre-tokenizer llama.cpp applies
    bos: str | None
    eos: str
    add_bos: bool
    template_file: str | None
    template_kind: str  # what Enclave must report for it
    markers: tuple[str, ...]  # what a rendered chat prompt must contain
    prompt_end: str  # how a rendered chat prompt must end (the generation prompt)
    bos_in_chat_prompt: int  # BOS tokens the real model's chat prompt starts with
    leading: tuple[str, ...] = ()  # control tokens before the ordinary vocabulary (SPM)
    trailing: tuple[str, ...] = ()  # control tokens after it
    user_defined: tuple[str, ...] = ()  # added tokens that are not control tokens
    head_count_kv: int = 2
    tied_output: bool = True
    rope_base: float = 10_000.0
    rope_fraction: float = 1.0  # share of each head that is rotated (Phi-4-mini: 3/4)
    rope_factors: bool = False  # LongRoPE factor tensors (Phi-4-mini)

    @property
    def template(self) -> str | None:
        if self.template_file is None:
            return None
        return (TEMPLATES / self.template_file).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Layout:
    """How an architecture's blocks are laid out, as llama.cpp's loader for it expects them."""

    fused_qkv: bool = False  # one attn_qkv tensor (phi3, openelm)
    qkv_bias: bool = False  # biases on Q, K and V (qwen2)
    qk_norm: bool = False  # RMS norm on every head of Q and K (gemma3, qwen3, openelm)
    post_norms: bool = False  # norms after attention and after the FFN (gemma2, gemma3)
    fused_up: bool = False  # gate and up in one ffn_up twice as wide (phi3)
    head_dim: int = HEAD_DIM
    heads: tuple[int, ...] = (N_HEAD,) * N_LAYER  # per layer: OpenELM varies them
    kv_heads: tuple[int, ...] | None = None  # per layer; None: the family's head_count_kv
    ffn: tuple[int, ...] = (N_FF,) * N_LAYER
    keys: Callable[[Any], None] | None = None  # the architecture's own hyperparameters


def _head_length_keys(writer: Any, length: int) -> None:
    writer.add_key_length(length)
    writer.add_value_length(length)


def _gemma2_keys(writer: Any) -> None:
    _head_length_keys(writer, HEAD_DIM)
    writer.add_sliding_window(64)
    writer.add_attn_logit_softcapping(50.0)
    writer.add_final_logit_softcapping(30.0)


def _gemma3_keys(writer: Any) -> None:
    _head_length_keys(writer, HEAD_DIM)
    writer.add_sliding_window(64)
    writer.add_sliding_window_pattern(2)  # layer 0 sliding-window, layer 1 global


def _granite_keys(writer: Any) -> None:  # Granite 3's muP multipliers (logit scale required)
    writer.add_logit_scale(8.0)
    writer.add_residual_scale(0.22)
    writer.add_embedding_scale(12.0)
    writer.add_attention_scale(1.0 / HEAD_DIM)


def _minicpm_keys(writer: Any) -> None:  # scale_emb, scale_depth / sqrt(layers), dim ratio
    writer.add_embedding_scale(12.0)
    writer.add_residual_scale(1.4 / math.sqrt(N_LAYER))
    writer.add_logit_scale(N_EMBD / 16)


LAYOUTS: dict[str, Layout] = {
    "llama": Layout(),
    "qwen2": Layout(qkv_bias=True),
    "qwen3": Layout(qk_norm=True, head_dim=2 * HEAD_DIM,  # heads wider than n_embd / n_head
                    keys=lambda writer: _head_length_keys(writer, 2 * HEAD_DIM)),
    "gemma2": Layout(post_norms=True, keys=_gemma2_keys),
    "gemma3": Layout(qk_norm=True, post_norms=True, keys=_gemma3_keys),
    "phi3": Layout(fused_qkv=True, fused_up=True),
    "granite": Layout(keys=_granite_keys),
    "minicpm": Layout(keys=_minicpm_keys),
    "openelm": Layout(fused_qkv=True, qk_norm=True, heads=(2, 4), kv_heads=(1, 2), ffn=(96, 160),
                      keys=lambda writer: _head_length_keys(writer, HEAD_DIM)),
}

FAMILIES: dict[str, Family] = {
    "llama": Family(
        "llama", "Llama 3", "Llama 3.2 1B Instruct", "Llama 3.2 1B", "bpe", "llama-bpe",
        "<|begin_of_text|>", "<|eot_id|>", True, "llama3.jinja", "Llama 3",
        ("<|begin_of_text|>", "<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>"),
        "<|start_header_id|>assistant<|end_header_id|>\n\n", 1,
        trailing=("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                  "<|end_header_id|>", "<|eot_id|>"),
        rope_base=500_000.0,
    ),
    "qwen2": Family(
        "qwen2", "Qwen 2 / 2.5", "Qwen2.5 0.5B Instruct", "Qwen2.5 0.5B", "bpe", "qwen2",
        "<|endoftext|>", "<|im_end|>", False, "qwen2.jinja", "ChatML",
        ("<|im_start|>system\n", "<|im_start|>user\n", "<|im_end|>"),
        "<|im_start|>assistant\n", 0,
        trailing=("<|endoftext|>", "<|im_start|>", "<|im_end|>"), rope_base=1_000_000.0,
    ),
    "qwen3": Family(
        "qwen3", "Qwen 3", "Qwen3 0.6B", "Qwen3 0.6B Base", "bpe", "qwen2",
        "<|endoftext|>", "<|im_end|>", False, "qwen3.jinja", "ChatML, thinking off",
        ("<|im_start|>system\n", "<|im_start|>user\n", "<|im_end|>"),
        "<|im_start|>assistant\n<think>\n\n</think>\n\n", 0,  # thinking switched off
        trailing=("<|endoftext|>", "<|im_start|>", "<|im_end|>"),
        user_defined=("<think>", "</think>"), rope_base=1_000_000.0,
    ),
    "gemma2": Family(
        "gemma2", "Gemma 2", "Gemma 2 2b It", "Gemma 2 2b", "spm", "default",
        "<bos>", "<eos>", True, "gemma2.jinja", "Gemma",
        ("<bos>", "<start_of_turn>user\n", "<end_of_turn>", "<start_of_turn>model\n"),
        "<start_of_turn>model\n", 1, leading=GEMMA_SPECIALS,
    ),
    "gemma3": Family(
        "gemma3", "Gemma 3", "Gemma 3 270m It", "Gemma 3 270m", "spm", "default",
        "<bos>", "<eos>", True, "gemma3.jinja", "Gemma",
        ("<bos>", "<start_of_turn>user\n", "<end_of_turn>", "<start_of_turn>model\n"),
        "<start_of_turn>model\n", 1, leading=GEMMA_SPECIALS, rope_base=1_000_000.0,
    ),
    "mistral": Family(
        "llama", "Mistral", "Mistral 7B Instruct v0.3", "Mistral 7B v0.3", "spm", "default",
        "<s>", "</s>", True, "mistral.jinja", "Mistral [INST]",
        ("<s>", "[INST] ", "[/INST]", "</s>"), "[/INST]", 1,
        leading=MISTRAL_SPECIALS, tied_output=False, rope_base=1_000_000.0,
    ),
    "tinyllama": Family(
        "llama", "TinyLlama", "TinyLlama 1.1B Chat v1.0",
        "TinyLlama 1.1B intermediate step 1431k 3T", "spm", "default",
        "<s>", "</s>", True, "tinyllama.jinja", "Zephyr",
        ("<|system|>\n", "<|user|>\n", "</s>\n<|assistant|>\n"), "<|assistant|>\n", 1,
        leading=LLAMA2_SPECIALS, tied_output=False,
    ),
    "phi3": Family(
        "phi3", "Phi-3", "Phi 3.5 Mini Instruct", None, "spm", "default",
        "<s>", "<|endoftext|>", True, "phi3.jinja", "Phi",
        ("<|system|>\n", "<|user|>\n", "<|end|>\n"), "<|assistant|>\n", 1,
        leading=LLAMA2_SPECIALS,
        trailing=("<|endoftext|>", "<|assistant|>", "<|system|>", "<|end|>", "<|user|>"),
        head_count_kv=N_HEAD, tied_output=False,
    ),
    "phi4-mini": Family(
        "phi3", "Phi-4-mini", "Phi 4 Mini Instruct", None, "bpe", "gpt-4o",
        "<|endoftext|>", "<|endoftext|>", False, "phi4-mini.jinja", "Phi",
        ("<|system|>", "<|end|><|user|>", "<|end|><|assistant|>"), "<|end|><|assistant|>", 0,
        trailing=("<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>", "<|system|>",
                  "<|tool|>", "<|/tool|>"),
        rope_fraction=0.75, rope_factors=True,
    ),
    "granite3": Family(
        "granite", "IBM Granite 3", "Granite 3.3 2b Instruct", "Granite 3.3 2b Base", "bpe",
        "refact", "<|end_of_text|>", "<|end_of_text|>", False, "granite3.jinja", "Granite",
        ("<|start_of_role|>system<|end_of_role|>", "<|start_of_role|>user<|end_of_role|>",
         "<|end_of_text|>\n"), "<|start_of_role|>assistant<|end_of_role|>", 0,
        trailing=("<|end_of_text|>", "<|start_of_role|>", "<|end_of_role|>", "<|tool_call|>"),
        rope_base=10_000_000.0,
    ),
    "minicpm": Family(
        "minicpm", "MiniCPM", "MiniCPM 2B sft bf16", None, "spm", "default",
        "<s>", "</s>", True, "minicpm.jinja", "MiniCPM",
        ("<用户>Hi, who are you?<AI>A helper.",), "<AI>", 1,
        leading=LLAMA2_SPECIALS, user_defined=("<用户>", "<AI>"), head_count_kv=N_HEAD,
    ),
    "openelm": Family(  # Apple's GGUFs, Instruct included, carry no chat template
        "openelm", "Apple OpenELM", None, "OpenELM 270M Instruct", "spm", "default",
        "<s>", "</s>", True, None, "plain prompt", (), "", 1, leading=LLAMA2_SPECIALS,
    ),
}

# (family, "chat" | "plain") for every variant a family ships.
VARIANTS: tuple[tuple[str, str], ...] = tuple(
    (key, style) for key, family in FAMILIES.items()
    for style, name in (("chat", family.chat_name), ("plain", family.plain_name)) if name
)
