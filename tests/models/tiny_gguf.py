"""Tiny random-weight GGUF models of every model family Enclave supports, written for tests.

Each file is a complete model llama.cpp will load and run: every tensor its loader requires for
the architecture (``src/models/<arch>.cpp`` in llama.cpp), the hyperparameters it reads, a small
tokenizer of the family's kind (GPT-2 byte-level BPE, or SentencePiece with byte fallback)
carrying the special tokens of the family's chat template, and that template itself, as the
real model ships it (the families are described in ``tiny_families``). The weights are random
(fixed seed), so the model produces garbage text quickly: these files prove loading and
plumbing, not quality. Each is ~0.5 MB.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tests.models.tiny_families import (
    CONTEXT_LENGTH,
    FAMILIES,
    LAYOUTS,
    N_EMBD,
    N_LAYER,
    NAME_SUFFIX,
    RMS_EPS,
    SEED,
    VARIANTS,
    Family,
    Layout,
)

__all__ = ["FAMILIES", "VARIANTS", "Family", "parameter_count", "write_tiny_gguf"]

# Frequent English pieces, merged in this order (later merges may use earlier results).
_MERGE_WORDS = ("the", "and", "you", "that", "is", "in", "of", "to", "a", "it", "what", "say",
                "hello", "law", "firm", "contract", "question", "answer", "help", "assistant")


# ----- tokenizers

def _gpt2_byte_chars() -> list[str]:
    """GPT-2's printable stand-in for each byte value 0..255 (``bytes_to_unicode``)."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[byte] = chr(byte)
        else:
            chars[byte] = chr(256 + extra)
            extra += 1
    return [chars[byte] for byte in range(256)]


def _bpe_merges(space: str) -> list[tuple[str, str]]:
    """Left-to-right merges spelling each word (with and without a leading space marker)."""
    merges: list[tuple[str, str]] = []
    for word in _MERGE_WORDS:
        for spelled in (space + word, word):
            left = spelled[0]
            for char in spelled[1:]:
                if (left, char) not in merges:
                    merges.append((left, char))
                left += char
    return merges


def _added_tokens(family: Family) -> tuple[list[str], list[int]]:
    from gguf import TokenType

    tokens = [*family.trailing, *family.user_defined]
    types = ([int(TokenType.CONTROL)] * len(family.trailing)
             + [int(TokenType.USER_DEFINED)] * len(family.user_defined))
    return tokens, types


def _bpe_vocab(family: Family) -> tuple[list[str], list[float], list[int], list[str]]:
    from gguf import TokenType

    tokens = _gpt2_byte_chars()
    merges = _bpe_merges("Ġ")
    known = set(tokens)
    for left, right in merges:
        assert left in known and right in known, (left, right)
        if left + right not in known:
            tokens.append(left + right)
            known.add(left + right)
    types = [int(TokenType.NORMAL)] * len(tokens)
    added, added_types = _added_tokens(family)
    tokens, types = tokens + added, types + added_types
    return tokens, [0.0] * len(tokens), types, [f"{left} {right}" for left, right in merges]


def _spm_vocab(family: Family) -> tuple[list[str], list[float], list[int]]:
    from gguf import TokenType

    tokens = list(family.leading)
    types = [int(TokenType.UNKNOWN if tok == "<unk>" else TokenType.CONTROL)
             for tok in family.leading]
    scores = [0.0] * len(tokens)
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>")
        types.append(int(TokenType.BYTE))
        scores.append(0.0)
    pieces = ["▁"] + [chr(c) for c in range(ord("!"), ord("~") + 1)]
    pieces += [left + right for left, right in _bpe_merges("▁")]
    for rank, piece in enumerate(dict.fromkeys(pieces)):
        tokens.append(piece)
        types.append(int(TokenType.NORMAL))
        # Single characters score low; longer pieces merged later score lower than earlier ones.
        scores.append(-1000.0 - rank if len(piece) == 1 else -float(rank))
    added, added_types = _added_tokens(family)
    return tokens + added, scores + [0.0] * len(added), types + added_types


# ----- weights

def _kv_heads(family: Family, layout: Layout) -> tuple[int, ...]:
    return layout.kv_heads or (family.head_count_kv,) * N_LAYER


def _rope_dims(family: Family, layout: Layout) -> int:
    return int(layout.head_dim * family.rope_fraction)


def _block(i: int, family: Family, layout: Layout, weight: Callable[..., np.ndarray]
           ) -> dict[str, np.ndarray]:
    blk, head = f"blk.{i}.", layout.head_dim
    q, kv, ff = layout.heads[i] * head, _kv_heads(family, layout)[i] * head, layout.ffn[i]
    ones = {size: np.ones(size, dtype=np.float32) for size in (N_EMBD, head)}
    tensors = {blk + "attn_norm.weight": ones[N_EMBD]}
    if layout.fused_qkv:
        tensors[blk + "attn_qkv.weight"] = weight(q + 2 * kv, N_EMBD)
    else:
        for part, rows in (("q", q), ("k", kv), ("v", kv)):
            tensors[f"{blk}attn_{part}.weight"] = weight(rows, N_EMBD)
            if layout.qkv_bias:
                tensors[f"{blk}attn_{part}.bias"] = weight(rows)
    if layout.qk_norm:
        tensors[blk + "attn_q_norm.weight"] = tensors[blk + "attn_k_norm.weight"] = ones[head]
    tensors[blk + "attn_output.weight"] = weight(N_EMBD, q)
    if layout.post_norms:
        tensors[blk + "post_attention_norm.weight"] = tensors[blk + "post_ffw_norm.weight"] = \
            ones[N_EMBD]
    tensors[blk + "ffn_norm.weight"] = ones[N_EMBD]
    if layout.fused_up:
        tensors[blk + "ffn_up.weight"] = weight(2 * ff, N_EMBD)
    else:
        tensors[blk + "ffn_gate.weight"] = weight(ff, N_EMBD)
        tensors[blk + "ffn_up.weight"] = weight(ff, N_EMBD)
    tensors[blk + "ffn_down.weight"] = weight(N_EMBD, ff)
    return tensors


def _tensors(family: Family, layout: Layout, n_vocab: int) -> dict[str, np.ndarray]:
    """Tensor name -> numpy array (numpy shape is the reverse of llama.cpp's ``ne``)."""
    rng = np.random.default_rng(SEED)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    tensors = {"token_embd.weight": weight(n_vocab, N_EMBD),
               "output_norm.weight": np.ones(N_EMBD, dtype=np.float32)}
    if not family.tied_output:
        tensors["output.weight"] = weight(n_vocab, N_EMBD)
    if family.rope_factors:
        half = _rope_dims(family, layout) // 2
        tensors["rope_factors_long.weight"] = np.linspace(1.0, 4.0, half, dtype=np.float32)
        tensors["rope_factors_short.weight"] = np.ones(half, dtype=np.float32)
    for i in range(N_LAYER):
        tensors.update(_block(i, family, layout, weight))
    return tensors


def _check_tensor_names(arch: str, names: list[str]) -> None:
    """Every tensor written must be one gguf lists for the architecture."""
    import gguf

    model_arch = next(key for key, value in gguf.MODEL_ARCH_NAMES.items() if value == arch)
    allowed = {gguf.TENSOR_NAMES[tensor] for tensor in gguf.MODEL_TENSORS[model_arch]}
    for name in names:
        base = name.rsplit(".", 1)[0]
        if base.startswith("blk."):
            base = "blk.{bid}." + base.split(".", 2)[2]
        assert base in allowed, f"{name} is not a {arch} tensor"


# ----- the file

def _one_or_per_layer(values: tuple[int, ...]) -> int | list[int]:
    return values[0] if len(set(values)) == 1 else list(values)


def _write_hparams(writer: Any, family: Family, layout: Layout) -> None:
    writer.add_context_length(CONTEXT_LENGTH)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(_one_or_per_layer(layout.ffn))
    writer.add_head_count(_one_or_per_layer(layout.heads))
    writer.add_head_count_kv(_one_or_per_layer(_kv_heads(family, layout)))
    writer.add_layer_norm_rms_eps(RMS_EPS)
    writer.add_rope_dimension_count(_rope_dims(family, layout))
    writer.add_rope_freq_base(family.rope_base)
    if family.rope_factors:  # trained at half the context: the long factors apply above it
        writer.add_rope_scaling_orig_ctx_len(CONTEXT_LENGTH // 2)
        writer.add_rope_scaling_attn_factors(math.sqrt(1 + math.log(2) / math.log(1024)))
    if layout.keys is not None:
        layout.keys(writer)


def _write_tokenizer(writer: Any, family: Family) -> int:
    if family.tokenizer == "bpe":
        tokens, scores, types, merges = _bpe_vocab(family)
        writer.add_tokenizer_model("gpt2")
        writer.add_token_merges(merges)
    else:
        tokens, scores, types = _spm_vocab(family)
        writer.add_tokenizer_model("llama")
        writer.add_unk_token_id(tokens.index("<unk>"))
        if "<pad>" in tokens:
            writer.add_pad_token_id(tokens.index("<pad>"))
        writer.add_add_space_prefix(not family.arch.startswith("gemma"))
    writer.add_tokenizer_pre(family.pre)
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    if family.bos is not None:
        writer.add_bos_token_id(tokens.index(family.bos))
    writer.add_eos_token_id(tokens.index(family.eos))
    writer.add_add_bos_token(family.add_bos)
    writer.add_add_eos_token(False)
    return len(tokens)


def write_tiny_gguf(
    path: Path, family_key: str, *, chat_template: str | None,
    general_architecture: str | None = None,
) -> Path:
    """Write a tiny random model of ``FAMILIES[family_key]`` to ``path``.

    ``chat_template`` is stored as tokenizer.chat_template when given (pass the family's
    ``template`` for its own); the file is then named after the family's chat model, else after
    its template-less one. ``general_architecture`` overrides the architecture written to the
    file, to make one llama.cpp does not know.
    """
    import gguf

    family = FAMILIES[family_key]
    layout = LAYOUTS[family.arch]
    writer = gguf.GGUFWriter(Path(path), general_architecture or family.arch)
    name = family.chat_name if chat_template is not None else family.plain_name
    writer.add_name((name or family.chat_name or family_key) + NAME_SUFFIX)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    _write_hparams(writer, family, layout)
    n_vocab = _write_tokenizer(writer, family)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    tensors = _tensors(family, layout, n_vocab)
    _check_tensor_names(family.arch, list(tensors))
    for tensor_name, data in tensors.items():
        writer.add_tensor(tensor_name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(path)


def parameter_count(family_key: str) -> int:
    """How many weights write_tiny_gguf writes for the family (counted from the arrays)."""
    family = FAMILIES[family_key]
    layout = LAYOUTS[family.arch]
    n_vocab = len(_bpe_vocab(family)[0] if family.tokenizer == "bpe" else _spm_vocab(family)[0])
    return sum(array.size for array in _tensors(family, layout, n_vocab).values())
