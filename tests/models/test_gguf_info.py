"""The seeking GGUF header reader agrees with the gguf package's reader on every file shape we
have: the real embedded Gemma 3 (262k-token vocabulary), tiny models of each family, sparse
multi-gigabyte files, a big-endian file; and damaged files are refused with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import ModelError
from models.gguf_info import GgufArray, GgufMetadata, read_gguf_header, read_gguf_metadata
from tests.models.big_gguf import write_sparse_gguf
from tests.models.tiny_gguf import FAMILIES, write_tiny_gguf

TEMPLATE = "{{ messages[0]['content'] }}"
TensorRow = tuple[str, tuple[int, ...], int, int]


def reference_header(path: Path) -> tuple[dict[str, Any], list[TensorRow]]:
    """Fields and tensors as the gguf package reads them (it decodes every array)."""
    from gguf import GGUFReader, GGUFValueType

    reader = GGUFReader(path, "r")
    fields: dict[str, Any] = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue  # the reader's own entries for the file header
        kind = field.types[0]
        if kind == GGUFValueType.ARRAY:
            fields[name] = GgufArray(int(field.types[1]), len(field.data))
        elif kind == GGUFValueType.STRING:
            fields[name] = bytes(field.parts[field.data[0]]).decode("utf-8", "replace")
        else:
            fields[name] = field.parts[field.data[0]][0].item()
    tensors = [(t.name, tuple(int(n) for n in t.shape), int(t.tensor_type), int(t.data_offset))
               for t in reader.tensors]
    return fields, tensors


def assert_agrees_with_gguf_package(path: Path) -> None:
    expected_fields, expected_tensors = reference_header(path)
    header = read_gguf_header(path)
    assert header.fields == expected_fields
    assert [(t.name, t.shape, t.type_id, header.data_start + t.offset)
            for t in header.tensors] == expected_tensors


def test_the_embedded_model_reads_as_the_gguf_package_reads_it(embedded_gguf: Path) -> None:
    assert_agrees_with_gguf_package(embedded_gguf)
    metadata = read_gguf_metadata(embedded_gguf)
    assert metadata == GgufMetadata(
        name="Gemma 3 270m", architecture="gemma3", context_length=32768,
        quantization="Q4_K_M", chat_template=None, parameter_count=268_098_176,
        size_bytes=embedded_gguf.stat().st_size)
    assert read_gguf_header(embedded_gguf).fields["tokenizer.ggml.tokens"] == GgufArray(8, 262144)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_tiny_models_of_every_family_read_as_the_gguf_package_reads_them(
        tmp_path: Path, family: str) -> None:
    path = write_tiny_gguf(tmp_path / f"{family}.gguf", family, chat_template=TEMPLATE)
    assert_agrees_with_gguf_package(path)
    metadata = read_gguf_metadata(path)
    assert metadata.architecture == FAMILIES[family].arch and metadata.quantization == "F32"
    assert metadata.chat_template == TEMPLATE


@pytest.mark.parametrize("big_endian", [False, True])
def test_a_sparse_four_gigabyte_model_reads_as_the_gguf_package_reads_it(
        tmp_path: Path, big_endian: bool) -> None:
    path = write_sparse_gguf(tmp_path / "big.gguf", vocab_size=5000, big_endian=big_endian)
    assert_agrees_with_gguf_package(path)
    metadata = read_gguf_metadata(path)
    assert metadata.size_bytes > 4 * 10**9 and metadata.parameter_count == 2 * 2**30
    assert metadata.context_length == 131_072 and metadata.quantization == "F16"


def test_a_model_cut_short_in_its_tensor_data_is_refused_as_truncated(tmp_path: Path) -> None:
    path = write_sparse_gguf(tmp_path / "big.gguf", vocab_size=100, data_bytes=2**30)
    with path.open("r+b") as stream:
        stream.truncate(path.stat().st_size - 1)
    with pytest.raises(ModelError, match="truncated: it should be at least"):
        read_gguf_metadata(path)


@pytest.mark.parametrize("keep", [6, 30, 200, 2000, 40_000])
def test_a_file_cut_anywhere_is_refused_with_a_reason(tmp_path: Path, keep: int) -> None:
    source = write_tiny_gguf(tmp_path / "tiny.gguf", "gemma3", chat_template=None)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(source.read_bytes()[:keep])
    with pytest.raises(ModelError, match="truncated"):
        read_gguf_metadata(cut)


def test_an_absurd_vocabulary_length_is_refused_not_looped_over(tmp_path: Path) -> None:
    path = write_sparse_gguf(tmp_path / "small.gguf", vocab_size=10, data_bytes=2**29)
    data = bytearray(path.read_bytes()[:4096])
    marker = data.index(b"tokenizer.ggml.tokens") + len(b"tokenizer.ggml.tokens")
    data[marker + 8:marker + 16] = (2**62).to_bytes(8, "little")  # the array's element count
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged or truncated"):
        read_gguf_metadata(path)
