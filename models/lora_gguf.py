"""LoRA adapter GGUFs: what one says about itself, whether it fits a base model, and writing one.

llama.cpp's LoRA converter writes ``general.type = adapter``, ``adapter.type = lora``,
``adapter.lora.alpha`` and, per adapted weight ``W`` of shape (n_in, n_out) in GGUF order, two
tensors ``W.lora_a`` (n_in, rank) and ``W.lora_b`` (rank, n_out). llama.cpp refuses an adapter
whose architecture or shapes differ from the model's, but only with a generic "failed to
initialize" error; checking here first gives the user the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ModelError
from models.gguf_info import GgufHeader, GgufTensor, read_gguf_header

LORA_A, LORA_B = ".lora_a", ".lora_b"


@dataclass(frozen=True)
class AdapterMetadata:
    name: str
    architecture: str
    alpha: float
    rank: int
    adapted: tuple[str, ...]  # base weights the adapter changes
    base_name: str  # as the adapter names its base model ("" when it does not say)
    size_bytes: int


def read_adapter_metadata(path: Path) -> AdapterMetadata:
    """The adapter's header; ModelError when ``path`` is not a LoRA adapter GGUF."""
    header = read_gguf_header(path)
    fields = header.fields
    if fields.get("general.type") != "adapter" or fields.get("adapter.type") != "lora":
        raise ModelError(f"{path.name} is not a LoRA adapter (general.type is "
                         f"{fields.get('general.type')!r}, adapter.type is "
                         f"{fields.get('adapter.type')!r}).")
    architecture = fields.get("general.architecture")
    if not isinstance(architecture, str) or not architecture:
        raise ModelError(f"{path.name} does not say which architecture it adapts.")
    pairs = _pairs(path, header.tensors)
    return AdapterMetadata(
        name=_text(fields.get("general.name")) or path.stem, architecture=architecture,
        alpha=float(fields.get("adapter.lora.alpha", 0.0) or 0.0),
        rank=max((a.shape[1] for a, _ in pairs.values()), default=0),
        adapted=tuple(sorted(pairs)), base_name=_base_name(fields),
        size_bytes=path.stat().st_size)


def check_fits(adapter: Path, base: Path) -> AdapterMetadata:
    """Raise ModelError naming the first mismatch between ``adapter`` and the ``base`` model."""
    metadata = read_adapter_metadata(adapter)
    base_header = read_gguf_header(base)
    base_arch = base_header.fields.get("general.architecture")
    if metadata.architecture != base_arch:
        raise ModelError(f"{adapter.name} is an adapter for {metadata.architecture} models; "
                         f"{base.name} is a {base_arch} model.")
    shapes = {tensor.name: tensor.shape for tensor in base_header.tensors}
    pairs = _pairs(adapter, read_gguf_header(adapter).tensors)
    for weight, (a, b) in sorted(pairs.items()):
        _check_pair(adapter.name, base.name, weight, shapes.get(weight), a, b)
    return metadata


def _check_pair(adapter: str, base: str, weight: str, shape: tuple[int, ...] | None,
                a: GgufTensor, b: GgufTensor) -> None:
    if shape is None:
        raise ModelError(f"{adapter} adapts {weight}, which {base} does not have: it was made "
                         "for a different model.")
    if a.shape[0] != shape[0] or b.shape[1] != shape[1] or a.shape[1] != b.shape[0]:
        raise ModelError(
            f"{adapter} does not fit {base}: {weight} is {shape[0]}x{shape[1]} in the model but "
            f"the adapter's A/B are {a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]}; "
            "it was made for a model of another size.")


def _pairs(path: Path, tensors: list[GgufTensor]) -> dict[str, tuple[GgufTensor, GgufTensor]]:
    by_name = {tensor.name: tensor for tensor in tensors}
    pairs = {}
    for name, tensor in by_name.items():
        if name.endswith(LORA_A):
            weight = name[:-len(LORA_A)]
            other = by_name.get(weight + LORA_B)
            if other is None or len(tensor.shape) != 2 or len(other.shape) != 2:
                raise ModelError(f"{path.name} is damaged: {weight} has no matching lora_b or "
                                 "its tensors are not matrices.")
            pairs[weight] = (tensor, other)
    if not pairs:
        raise ModelError(f"{path.name} holds no LoRA tensors.")
    return pairs


def _base_name(fields: dict[str, Any]) -> str:
    for key in ("general.base_model.0.name", "general.base_model.0.repo_url", "general.basename"):
        if text := _text(fields.get(key)):
            return text
    return ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def write_lora_gguf(path: Path, architecture: str, pairs: Mapping[str, tuple[Any, Any]], *,
                    alpha: float, name: str, base_name: str = "") -> None:
    """Write ``pairs`` (base weight name -> (A, B) numpy arrays in torch order: A is
    (rank, n_in), B is (n_out, rank)) as an adapter GGUF, as llama.cpp's converter does."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    writer.add_name(name)
    if base_name:
        writer.add_base_model_count(1)
        writer.add_base_model_name(0, base_name)
    for weight, (a, b) in pairs.items():
        writer.add_tensor(weight + LORA_A, np.ascontiguousarray(a, dtype=np.float32))
        writer.add_tensor(weight + LORA_B, np.ascontiguousarray(b, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def base_shapes(header: GgufHeader) -> dict[str, tuple[int, ...]]:
    """Weight name -> GGUF shape (n_in, n_out) of every matrix of a base model."""
    return {tensor.name: tensor.shape for tensor in header.tensors if len(tensor.shape) == 2}
