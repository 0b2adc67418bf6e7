"""Large GGUF files made cheaply: a real header (written by the gguf package) with a vocabulary
of any size, and a tensor data area of any size left sparse on disk.

A 4 GB model with a 262k-token vocabulary costs a second to write and no disk space beyond its
header, so the metadata reader can be measured and tested on files shaped like real big models.
The tensors hold zeros: these files are for reading headers, not for running.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

ROW = 16_384  # F16 tensors of ROW x ROW: 512 MiB each
ALIGNMENT = 32


def write_sparse_gguf(
    path: Path, *, vocab_size: int = 262_144, data_bytes: int = 4 * 2**30,
    big_endian: bool = False, chat_template: str | None = "{{ messages[0]['content'] }}",
) -> Path:
    """Write a gemma3-style GGUF header and extend the file, sparsely, to its full size."""
    import gguf

    endian = gguf.GGUFEndian.BIG if big_endian else gguf.GGUFEndian.LITTLE
    writer = gguf.GGUFWriter(path, "gemma3", endianess=endian)
    writer.add_name("Sparse test model (zeros, header tests only)")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_context_length(131_072)
    writer.add_tokenizer_model("llama")
    writer.add_token_list([f"tok{number}" for number in range(vocab_size)])
    writer.add_token_scores([0.0] * vocab_size)
    writer.add_token_types([1] * vocab_size)
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    tensor_bytes = ROW * ROW * 2
    count = max(1, data_bytes // tensor_bytes)
    for number in range(count):
        writer.add_tensor_info(f"blk.{number}.ffn_up.weight", (ROW, ROW), np.dtype(np.float16),
                               tensor_bytes, raw_dtype=gguf.GGMLQuantizationType.F16)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    header_end = path.stat().st_size
    data_start = -(-header_end // ALIGNMENT) * ALIGNMENT
    os.truncate(path, data_start + count * tensor_bytes)
    return path
