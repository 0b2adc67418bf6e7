"""The bytes of Chroma's HNSW files that hold no element, erased.

Chroma 1.5's hnswlib creates a vector segment's ``data_level0.bin`` and ``length.bin`` by
writing its whole allocated capacity (100 elements at first) from memory it took from malloc and
never cleared (``initPersistentIndex``); afterwards it writes only the elements it adds, each
cleared first. The slots past the last element therefore keep whatever this process had freed
there before: text read from documents, their titles and paths (a purged document's words were
found in a ``data_level0.bin`` after its purge; with an allocator that fills fresh memory with a
mark, the two files held nothing but the mark after an ingest and a purge). Those slots are
zeroed here; the elements, the header and the link lists are left as Chroma wrote them.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from pathlib import Path

from rag.errors import IndexStoreError

# header.bin starts: int persistence version, then offsetLevel0, max_elements,
# cur_element_count, size_data_per_element (size_t each; see hnswalg.h HEADER_FIELDS).
_HEADER = struct.Struct("<i4Q")
_VERSION = 1
_LENGTH_BYTES = 4  # one float per element in length.bin
_BLOCK = 1 << 20


class UnknownHnswFormat(IndexStoreError):
    """A segment's header is not the format these offsets were read from (another Chroma)."""


def vector_segments(chroma_folder: Path, collection_id: str) -> list[Path]:
    """The folders of the collection's local HNSW segments (none before its first vector)."""
    database = chroma_folder / "chroma.sqlite3"
    if not database.is_file():
        return []
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute("SELECT id FROM segments WHERE collection=? AND scope='VECTOR'",
                          (collection_id,)).fetchall()
    return [chroma_folder / row[0] for row in rows if (chroma_folder / row[0]).is_dir()]


def erase_unused(segment: Path) -> int:
    """Zero what ``segment``'s data and length files hold past the elements its header counts;
    returns the number of bytes that were not zero. Only blocks holding something are
    rewritten, so a full disk (or a sparse file) costs nothing new."""
    header = segment / "header.bin"
    if not header.is_file():
        return 0
    with open(header, "rb") as stream:
        fields = stream.read(_HEADER.size)
    if len(fields) < _HEADER.size:
        return 0  # being created: nothing counted yet, and nothing to trust
    version, _, _, count, per_element = _HEADER.unpack(fields)
    if version != _VERSION or per_element <= 0:
        raise UnknownHnswFormat(f"The vector index in {segment} has a format this version of "
                                f"Enclave does not know (version {version}), so what it holds "
                                "besides its vectors cannot be erased.")
    return (_zero_from(segment / "data_level0.bin", count * per_element)
            + _zero_from(segment / "length.bin", count * _LENGTH_BYTES))


def _zero_from(path: Path, start: int) -> int:
    if not path.is_file():
        return 0
    erased = 0
    with open(path, "r+b") as stream:
        descriptor, end = stream.fileno(), os.fstat(stream.fileno()).st_size
        for offset in range(start, end, _BLOCK):
            block = os.pread(descriptor, min(_BLOCK, end - offset), offset)
            held = len(block) - block.count(0)
            if held:
                os.pwrite(descriptor, bytes(len(block)), offset)
                erased += held
        if erased:
            os.fsync(descriptor)
    return erased
