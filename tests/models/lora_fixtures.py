"""Small LoRA adapters for the real embedded model, written as llama.cpp's converter writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.gguf_info import read_gguf_header
from models.lora_gguf import write_lora_gguf

ADAPTED = ("attn_q", "attn_v", "ffn_up")


def make_adapter(base: Path, path: Path, *, scale: float, layers: tuple[int, ...] = (0, 1, 2),
                 rank: int = 4, seed: int = 0, architecture: str | None = None,
                 widen: int = 0) -> Path:
    """Random A and B (B times ``scale``: 0 gives an adapter that changes nothing) for a few
    weights of ``base``; ``widen`` makes A too wide, as an adapter for a bigger model would be."""
    header = read_gguf_header(base)
    shapes = {tensor.name: tensor.shape for tensor in header.tensors}
    rng = np.random.default_rng(seed)
    pairs = {}
    for layer in layers:
        for kind in ADAPTED:
            weight = f"blk.{layer}.{kind}.weight"
            n_in, n_out = shapes[weight]
            a = rng.standard_normal((rank, n_in + widen)).astype(np.float32) / np.sqrt(n_in)
            b = rng.standard_normal((n_out, rank)).astype(np.float32) * scale
            pairs[weight] = (a, b)
    write_lora_gguf(path, architecture or str(header.fields["general.architecture"]), pairs,
                    alpha=float(rank), name=path.stem, base_name="gemma-3-270m")
    return path
