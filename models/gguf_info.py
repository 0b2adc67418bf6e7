"""Reading what a GGUF file says about itself, and refusing files that cannot be a model.

Only the header is parsed (the gguf package memory-maps the file), so this is fast even for
multi-gigabyte models.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import ModelError

GGUF_MAGIC = b"GGUF"

# gguf's LlamaFileType values, named as people see them in file names.
FILE_TYPE_NAMES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
    22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
    28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}


@dataclass(frozen=True)
class GgufMetadata:
    name: str
    architecture: str
    context_length: int
    quantization: str
    chat_template: str | None
    parameter_count: int
    size_bytes: int


def read_gguf_metadata(path: Path) -> GgufMetadata:
    """Parse the header of ``path``; raise ModelError with the reason when it is not usable."""
    size = _checked_size(path)
    _check_magic(path)
    reader = _open_reader(path)
    fields = {name: _field_value(field) for name, field in reader.fields.items()}
    _check_complete(path, size, reader)
    architecture = str(fields.get("general.architecture") or "")
    if not architecture:
        raise ModelError(f"{path.name} has no general.architecture entry; it is not a model GGUF.")
    return GgufMetadata(
        name=str(fields.get("general.name") or path.stem),
        architecture=architecture,
        context_length=int(fields.get(f"{architecture}.context_length") or 0),
        quantization=_quantization(fields, reader),
        chat_template=_optional_text(fields.get("tokenizer.chat_template")),
        parameter_count=sum(int(tensor.n_elements) for tensor in reader.tensors),
        size_bytes=size,
    )


def _checked_size(path: Path) -> int:
    if not path.is_file():
        raise ModelError(f"Model file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise ModelError(f"{path.name} is empty (0 bytes).")
    return size


def _check_magic(path: Path) -> None:
    with path.open("rb") as stream:
        if stream.read(4) != GGUF_MAGIC:
            raise ModelError(f"{path.name} is not a GGUF model file (wrong file signature).")


def _open_reader(path: Path) -> Any:
    from gguf import GGUFReader

    try:
        return GGUFReader(path, "r")
    except Exception as error:  # the reader raises bare ValueErrors, IndexErrors, ...
        raise ModelError(f"{path.name} is damaged or truncated: its header cannot be read "
                         f"({type(error).__name__}).") from None


def _check_complete(path: Path, size: int, reader: Any) -> None:
    if not reader.tensors:
        raise ModelError(f"{path.name} holds no tensors; it is not a usable model.")
    end = max(int(tensor.data_offset) + int(tensor.n_bytes) for tensor in reader.tensors)
    if end > size:
        raise ModelError(
            f"{path.name} is truncated: it should be at least {end:,} bytes but is {size:,}. "
            "Copy or download it again."
        )


def _field_value(field: Any) -> Any:
    from gguf import GGUFValueType

    if not field.types:
        return None
    if field.types[0] == GGUFValueType.STRING:
        return bytes(field.parts[field.data[0]]).decode("utf-8", "replace")
    if field.types[0] == GGUFValueType.ARRAY:
        return None  # vocabularies and the like: large and never needed here
    return field.parts[field.data[0]][0].item()


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _quantization(fields: dict[str, Any], reader: Any) -> str:
    file_type = fields.get("general.file_type")
    if file_type is not None and int(file_type) in FILE_TYPE_NAMES:
        return FILE_TYPE_NAMES[int(file_type)]
    kinds = {tensor.tensor_type.name for tensor in reader.tensors}
    return "/".join(sorted(kinds)) or "unknown"
