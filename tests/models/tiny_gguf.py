"""Tiny random-weight GGUF models of the architectures Enclave supports, written for tests.

Each file is a complete model llama.cpp will load and run: every tensor its loader requires for
the architecture (see ``src/models/<arch>.cpp`` in llama.cpp), the hyperparameters it reads, a
small tokenizer of the family's kind (byte-level BPE for Llama 3 and Qwen 2.5, SentencePiece
with byte fallback for Gemma 3 and Phi-3) carrying the special tokens of the family's chat
template, and that template itself. The weights are random (fixed seed), so the model produces
garbage text quickly: these files prove loading and plumbing, not quality. Each is ~0.3 MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

N_EMBD = 64
N_HEAD = 4
HEAD_DIM = N_EMBD // N_HEAD
N_FF = 128
N_LAYER = 2
CONTEXT_LENGTH = 2048
RMS_EPS = 1e-6
SEED = 1234

# ----- chat templates: short versions, faithful to the ones the real models ship

QWEN2_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. "
    "You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if (message.role == 'user') or (message.role == 'system' and not loop.first)"
    " or (message.role == 'assistant') %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

GEMMA3_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}"
    "{%- set first_user_prefix = '' -%}"
    "{%- set loop_messages = messages -%}"
    "{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{%- endif -%}"
    "{%- if (message['role'] == 'assistant') -%}{%- set role = 'model' -%}"
    "{%- else -%}{%- set role = message['role'] -%}{%- endif -%}"
    "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}"
    "{{ '<end_of_turn>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}"
)

PHI3_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}"
    "{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}"
    "{% elif message['role'] == 'assistant' %}"
    "{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}"
)

LLAMA3_TEMPLATE = (
    "{{- bos_token }}"
    "{%- if not date_string is defined %}{%- set date_string = '26 Jul 2024' %}{%- endif %}"
    "{%- if messages[0]['role'] == 'system' %}"
    "{%- set system_message = messages[0]['content'] | trim %}"
    "{%- set messages = messages[1:] %}"
    "{%- else %}{%- set system_message = '' %}{%- endif %}"
    "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}"
    "{{- 'Cutting Knowledge Date: December 2023\\n' }}"
    "{{- 'Today Date: ' + date_string + '\\n\\n' }}"
    "{{- system_message }}"
    "{{- '<|eot_id|>' }}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{%- endif %}"
)


@dataclass(frozen=True)
class Family:
    """What distinguishes one model family's GGUF: tokenizer kind, special tokens, template."""

    arch: str
    tokenizer: str  # "bpe" (GPT-2 byte level) or "spm" (SentencePiece with byte fallback)
    pre: str  # tokenizer.ggml.pre: the pre-tokenizer llama.cpp applies
    leading: tuple[str, ...]  # control tokens before the ordinary vocabulary (SPM families)
    trailing: tuple[str, ...]  # control tokens after it (where the real vocabularies add them)
    bos: str | None
    eos: str
    add_bos: bool
    template: str
    markers: tuple[str, ...]  # what a rendered chat prompt must contain
    head_count_kv: int
    tied_output: bool


FAMILIES: dict[str, Family] = {
    "qwen2": Family(
        arch="qwen2", tokenizer="bpe", pre="qwen2", leading=(),
        trailing=("<|endoftext|>", "<|im_start|>", "<|im_end|>"),
        bos="<|endoftext|>", eos="<|im_end|>", add_bos=False, template=QWEN2_TEMPLATE,
        markers=("<|im_start|>system\n", "<|im_start|>user\n", "<|im_end|>",
                 "<|im_start|>assistant\n"),
        head_count_kv=2, tied_output=True,
    ),
    "llama": Family(
        arch="llama", tokenizer="bpe", pre="llama-bpe", leading=(),
        trailing=("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                  "<|end_header_id|>", "<|eot_id|>"),
        bos="<|begin_of_text|>", eos="<|eot_id|>", add_bos=True, template=LLAMA3_TEMPLATE,
        markers=("<|begin_of_text|>", "<|start_header_id|>user<|end_header_id|>\n\n",
                 "<|eot_id|>", "<|start_header_id|>assistant<|end_header_id|>\n\n"),
        head_count_kv=2, tied_output=False,
    ),
    "gemma3": Family(
        arch="gemma3", tokenizer="spm", pre="default",
        leading=("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"),
        trailing=(),
        bos="<bos>", eos="<eos>", add_bos=True, template=GEMMA3_TEMPLATE,
        markers=("<bos>", "<start_of_turn>user\n", "<end_of_turn>", "<start_of_turn>model\n"),
        head_count_kv=2, tied_output=True,
    ),
    "phi3": Family(
        arch="phi3", tokenizer="spm", pre="default",
        leading=("<unk>", "<s>", "</s>"),
        trailing=("<|endoftext|>", "<|assistant|>", "<|system|>", "<|end|>", "<|user|>"),
        bos="<s>", eos="<|endoftext|>", add_bos=True, template=PHI3_TEMPLATE,
        markers=("<|system|>\n", "<|user|>\n", "<|end|>", "<|assistant|>\n"),
        head_count_kv=N_HEAD, tied_output=False,
    ),
}

ARCHITECTURES = tuple(FAMILIES)

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
    tokens += family.trailing
    types += [int(TokenType.CONTROL)] * len(family.trailing)
    scores = [0.0] * len(tokens)
    return tokens, scores, types, [f"{left} {right}" for left, right in merges]


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
    for left, right in _bpe_merges("▁"):
        pieces.append(left + right)
    seen: set[str] = set()
    for rank, piece in enumerate(pieces):
        if piece in seen:
            continue
        seen.add(piece)
        tokens.append(piece)
        types.append(int(TokenType.NORMAL))
        # Single characters score low; longer pieces merged later score lower than earlier ones.
        scores.append(-1000.0 - rank if len(piece) == 1 else -float(rank))
    tokens += family.trailing
    types += [int(TokenType.CONTROL)] * len(family.trailing)
    scores += [0.0] * len(family.trailing)
    return tokens, scores, types


# ----- weights

def _tensors(family: Family, n_vocab: int) -> dict[str, np.ndarray]:
    """Tensor name -> numpy array (numpy shape is the reverse of llama.cpp's ``ne``)."""
    rng = np.random.default_rng(SEED)
    n_kv = family.head_count_kv * HEAD_DIM

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    def norm() -> np.ndarray:
        return np.ones(N_EMBD, dtype=np.float32)

    tensors = {"token_embd.weight": weight(n_vocab, N_EMBD), "output_norm.weight": norm()}
    if not family.tied_output:
        tensors["output.weight"] = weight(n_vocab, N_EMBD)
    for i in range(N_LAYER):
        blk = f"blk.{i}."
        tensors[blk + "attn_norm.weight"] = norm()
        if family.arch == "phi3":  # fused QKV and fused gate+up, as Phi-3 GGUFs have them
            tensors[blk + "attn_qkv.weight"] = weight(N_EMBD + 2 * n_kv, N_EMBD)
        else:
            tensors[blk + "attn_q.weight"] = weight(N_HEAD * HEAD_DIM, N_EMBD)
            tensors[blk + "attn_k.weight"] = weight(n_kv, N_EMBD)
            tensors[blk + "attn_v.weight"] = weight(n_kv, N_EMBD)
        if family.arch == "qwen2":  # Qwen 2.5 has biases on Q, K and V
            tensors[blk + "attn_q.bias"] = weight(N_HEAD * HEAD_DIM)
            tensors[blk + "attn_k.bias"] = weight(n_kv)
            tensors[blk + "attn_v.bias"] = weight(n_kv)
        tensors[blk + "attn_output.weight"] = weight(N_EMBD, N_HEAD * HEAD_DIM)
        if family.arch == "gemma3":
            tensors[blk + "attn_q_norm.weight"] = np.ones(HEAD_DIM, dtype=np.float32)
            tensors[blk + "attn_k_norm.weight"] = np.ones(HEAD_DIM, dtype=np.float32)
            tensors[blk + "post_attention_norm.weight"] = norm()
            tensors[blk + "post_ffw_norm.weight"] = norm()
        tensors[blk + "ffn_norm.weight"] = norm()
        if family.arch == "phi3":
            tensors[blk + "ffn_up.weight"] = weight(2 * N_FF, N_EMBD)
        else:
            tensors[blk + "ffn_gate.weight"] = weight(N_FF, N_EMBD)
            tensors[blk + "ffn_up.weight"] = weight(N_FF, N_EMBD)
        tensors[blk + "ffn_down.weight"] = weight(N_EMBD, N_FF)
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

def write_tiny_gguf(
    path: Path, arch: str, *, chat_template: str | None, general_architecture: str | None = None
) -> Path:
    """Write a tiny random model of ``arch`` ("qwen2", "llama", "gemma3" or "phi3") to ``path``.

    ``chat_template`` is stored as tokenizer.chat_template when given (pass
    ``FAMILIES[arch].template`` for the family's own). ``general_architecture`` overrides the
    architecture name written to the file, to make one llama.cpp does not know.
    """
    import gguf

    family = FAMILIES[arch]
    path = Path(path)
    name = general_architecture or family.arch
    writer = gguf.GGUFWriter(path, name)

    writer.add_name(f"Tiny {family.arch} (random weights, test only)")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(CONTEXT_LENGTH)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(family.head_count_kv)
    writer.add_layer_norm_rms_eps(RMS_EPS)
    writer.add_rope_dimension_count(HEAD_DIM)
    if family.arch == "gemma3":
        writer.add_key_length(HEAD_DIM)
        writer.add_value_length(HEAD_DIM)
        writer.add_rope_freq_base(1_000_000.0)
        writer.add_sliding_window(64)
        writer.add_sliding_window_pattern(2)  # layer 0 sliding-window, layer 1 global
    elif family.arch == "llama":
        writer.add_rope_freq_base(500_000.0)
    elif family.arch == "qwen2":
        writer.add_rope_freq_base(1_000_000.0)
    else:
        writer.add_rope_freq_base(10_000.0)

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
        writer.add_add_space_prefix(family.arch != "gemma3")
    writer.add_tokenizer_pre(family.pre)
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    if family.bos is not None:
        writer.add_bos_token_id(tokens.index(family.bos))
    writer.add_eos_token_id(tokens.index(family.eos))
    writer.add_add_bos_token(family.add_bos)
    writer.add_add_eos_token(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    tensors = _tensors(family, len(tokens))
    _check_tensor_names(family.arch, list(tensors))
    for tensor_name, data in tensors.items():
        writer.add_tensor(tensor_name, data)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
