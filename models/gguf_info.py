"""Reading what a GGUF file says about itself, and refusing files that cannot be a model.

Only the header is walked, through a memory map: scalar keys are decoded, arrays (the
vocabulary, merges, scores: hundreds of thousands of entries) are skipped by seeking past them
(strings one length at a time, fixed-size elements in one jump), and the tensor table is read
for the parameter count and the expected file size. A multi-gigabyte model takes milliseconds.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ModelError

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# gguf's LlamaFileType values, named as people see them in file names.
FILE_TYPE_NAMES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
    22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
    28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}

# GGUF value types: struct format of the fixed-size ones; 8 is a string, 9 an array.
_SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?",
                   10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GgufArray:
    """An array value, skipped rather than decoded: its element type and length only."""

    element_type: int
    count: int


@dataclass(frozen=True)
class GgufTensor:
    name: str
    shape: tuple[int, ...]
    type_id: int
    offset: int  # from the start of the data area

    @property
    def n_elements(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count


@dataclass(frozen=True)
class GgufHeader:
    version: int
    fields: dict[str, Any]  # scalars and strings decoded; arrays as GgufArray
    tensors: list[GgufTensor]
    data_start: int


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
    header = read_gguf_header(path)
    fields = header.fields
    _check_complete(path, size, header)
    architecture = _optional_text(fields.get("general.architecture"))
    if not architecture:
        raise ModelError(f"{path.name} has no general.architecture entry; it is not a model GGUF.")
    return GgufMetadata(
        name=_optional_text(fields.get("general.name")) or path.stem,
        architecture=architecture,
        context_length=_int_or_zero(fields.get(f"{architecture}.context_length")),
        quantization=_quantization(fields, header.tensors),
        chat_template=_optional_text(fields.get("tokenizer.chat_template")),
        parameter_count=sum(tensor.n_elements for tensor in header.tensors),
        size_bytes=size,
    )


def read_gguf_header(path: Path) -> GgufHeader:
    """The key/value pairs (arrays skipped) and the tensor table of the GGUF at ``path``."""
    _checked_size(path)
    with path.open("rb") as stream:
        if stream.read(4) != GGUF_MAGIC:
            raise ModelError(f"{path.name} is not a GGUF model file (wrong file signature).")
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view:
            try:
                return _HeaderParser(view).parse()
            except (struct.error, ValueError, UnicodeDecodeError, IndexError) as error:
                raise ModelError(f"{path.name} is damaged or truncated: its header cannot be "
                                 f"read ({error}).") from None


class _HeaderParser:
    """Walks the header from offset 4; every read checks it stays inside the file."""

    def __init__(self, view: mmap.mmap) -> None:
        self.view, self.offset, self.order = view, 4, "<"

    def parse(self) -> GgufHeader:
        version = self._version()
        tensor_count, kv_count = self._unpack("Q"), self._unpack("Q")
        fields = {}
        for _ in range(kv_count):
            key = self._string()
            fields[key] = self._value(self._unpack("I"))
        tensors = [self._tensor() for _ in range(tensor_count)]
        alignment = fields.get("general.alignment", DEFAULT_ALIGNMENT)
        if not isinstance(alignment, int) or alignment <= 0:
            raise ValueError(f"bad alignment {alignment!r}")
        data_start = -(-self.offset // alignment) * alignment
        return GgufHeader(version, fields, tensors, data_start)

    def _version(self) -> int:
        version = self._unpack("I")
        if version & 0xFFFF == 0:  # written on a big-endian machine
            self.order, self.offset = ">", 4
            version = self._unpack("I")
        if version not in (2, 3):
            raise ValueError(f"unsupported GGUF version {version}")
        return version

    def _unpack(self, code: str) -> Any:
        fmt = self.order + code
        size = struct.calcsize(fmt)
        self._advance(size)
        return struct.unpack_from(fmt, self.view, self.offset - size)[0]

    def _advance(self, size: int) -> None:
        if size < 0 or self.offset + size > len(self.view):
            raise ValueError(f"a header entry runs past the end of the file at {self.offset:,}")
        self.offset += size

    def _string(self) -> str:
        length = self._unpack("Q")
        self._advance(length)
        return bytes(self.view[self.offset - length:self.offset]).decode("utf-8", "replace")

    def _value(self, value_type: int) -> Any:
        if value_type in _SCALAR_FORMATS:
            return self._unpack(_SCALAR_FORMATS[value_type])
        if value_type == _STRING:
            return self._string()
        if value_type == _ARRAY:
            element_type, count = self._unpack("I"), self._unpack("Q")
            self._skip_array(element_type, count)
            return GgufArray(element_type, count)
        raise ValueError(f"unknown value type {value_type}")

    def _skip_array(self, element_type: int, count: int) -> None:
        if element_type in _SCALAR_FORMATS:
            self._advance(count * struct.calcsize(_SCALAR_FORMATS[element_type]))
        elif element_type == _STRING:
            self._skip_strings(count)
        else:
            for _ in range(count):
                self._value(element_type)

    def _skip_strings(self, count: int) -> None:
        # The hot loop of a 262k-token vocabulary: local names, no method calls per string.
        view, end, fmt = self.view, len(self.view), self.order + "Q"
        offset, unpack_from = self.offset, struct.unpack_from
        for _ in range(count):
            if offset + 8 > end:
                raise ValueError("the vocabulary runs past the end of the file")
            offset += 8 + unpack_from(fmt, view, offset)[0]
        if offset > end:
            raise ValueError("the vocabulary runs past the end of the file")
        self.offset = offset

    def _tensor(self) -> GgufTensor:
        name = self._string()
        shape = tuple(self._unpack("Q") for _ in range(self._unpack("I")))
        return GgufTensor(name, shape, self._unpack("I"), self._unpack("Q"))


def _checked_size(path: Path) -> int:
    if path.is_dir():
        ggufs = sorted(child.name for child in path.glob("*.gguf"))[:3]
        hint = f" It holds {', '.join(ggufs)}: give one of them." if ggufs else ""
        raise ModelError(f"{path} is a folder; import takes one .gguf model file.{hint}")
    if not path.is_file():
        raise ModelError(f"Model file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise ModelError(f"{path.name} is empty (0 bytes).")
    return size


def _check_complete(path: Path, size: int, header: GgufHeader) -> None:
    if not header.tensors:
        raise ModelError(f"{path.name} holds no tensors; it is not a usable model.")
    end = max(header.data_start + tensor.offset + _tensor_bytes(path, tensor)
              for tensor in header.tensors)
    if end > size:
        raise ModelError(
            f"{path.name} is truncated: it should be at least {end:,} bytes but is {size:,}. "
            "Copy or download it again."
        )


def _tensor_bytes(path: Path, tensor: GgufTensor) -> int:
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block_size, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(tensor.type_id)]
    except (ValueError, KeyError):
        raise ModelError(f"{path.name} stores tensor {tensor.name} in a type this version of "
                         f"Enclave cannot read (type {tensor.type_id}).") from None
    return tensor.n_elements // block_size * type_size


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int_or_zero(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _quantization(fields: dict[str, Any], tensors: list[GgufTensor]) -> str:
    file_type = fields.get("general.file_type")
    if isinstance(file_type, int) and file_type in FILE_TYPE_NAMES:
        return FILE_TYPE_NAMES[file_type]
    from gguf import GGMLQuantizationType

    known = {item.value: item.name for item in GGMLQuantizationType}
    kinds = {known.get(tensor.type_id, f"type {tensor.type_id}") for tensor in tensors}
    return "/".join(sorted(kinds)) or "unknown"
