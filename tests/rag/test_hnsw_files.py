"""Chroma's HNSW files hold nothing past their elements after a purge: hnswlib writes a new
segment's data and length files from memory it never cleared, so they can carry the words of any
text the process freed before (a purged document's name was found in data_level0.bin). Real
Chroma on disk; the allocator's leftovers made visible with glibc's perturb tunable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.hnsw_files import UnknownHnswFormat, erase_unused, vector_segments
from rag.index import ChromaIndex

ROOT = Path(__file__).resolve().parents[2]
FILL = b"Z"  # glibc.malloc.perturb=165 fills every fresh block with 165 ^ 0xff, a 'Z'
# Fresh blocks filled with the mark, and blocks this size taken from the heap (not from mmap,
# which the kernel clears): as the heap of a long-running process already is.
PERTURBED = "glibc.malloc.perturb=165:glibc.malloc.mmap_threshold=33554432"
NEEDLE = b"okonkwo"

INGEST_AND_PURGE = """
import sys
from pathlib import Path
from rag.ingest import ingest
from rag.library import Library
from tests.rag.fakes import FakeEmbedder

root, docs, purge = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "purge"
library = Library(root)
workspace = library.workspace("w")
if purge:  # two documents, one purged
    ingest(sorted(docs.iterdir()), workspace=workspace, embedder=FakeEmbedder())
    assert workspace.remove(str(docs / "purged.txt"))
else:  # one document (each next one's store deletes first, which erases too)
    ingest([docs / "purged.txt"], workspace=workspace, embedder=FakeEmbedder())
library.close()
"""

REOPEN_AND_SEARCH = """
import sys
from pathlib import Path
import numpy as np
import pytest
from rag.index import ChromaIndex

index = ChromaIndex(Path(sys.argv[1]))
vectors = np.load(sys.argv[2])
assert index.count("w") == len(vectors), index.count("w")
for row in range(len(vectors)):
    hit = index.query("w", vectors[row], 1)[0]
    assert hit.chunk_id == f"keep-{row}" and hit.similarity > 0.999, (row, hit)
print("ok")
"""


def _runs_of_fill(root: Path) -> list[str]:
    return [str(path.relative_to(root)) for path in sorted(root.rglob("*"))
            if path.is_file() and FILL * 64 in path.read_bytes()]


def _python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


@pytest.mark.parametrize("then", ["purge", "nothing"])
def test_the_memory_chroma_never_cleared_is_not_left_in_its_files(
        tmp_path: Path, then: str) -> None:
    """After a purge, and after an ingest alone (a strict workspace's raw text was in memory
    before it was redacted)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "purged.txt").write_text("The Okonkwo intake was reviewed on 3 May.", "utf-8")
    (docs / "kept.txt").write_text("Catering for the annual dinner is retained.", "utf-8")
    done = _python(INGEST_AND_PURGE, str(tmp_path / "index"), str(docs), then,
                   GLIBC_TUNABLES=PERTURBED)
    assert done.returncode == 0, done.stderr[-3000:]
    chroma = tmp_path / "index" / "chroma"
    assert list(chroma.glob("*/data_level0.bin"))  # a vector segment was made
    assert _runs_of_fill(chroma) == []


def _header(segment: Path) -> tuple[int, int]:
    """(elements Chroma wrote, bytes per element) from the segment's header."""
    fields = (segment / "header.bin").read_bytes()
    return int.from_bytes(fields[20:28], "little"), int.from_bytes(fields[28:36], "little")


def _plant(segment: Path) -> None:
    """What hnswlib leaves past the last element it wrote: here, a purged document's name."""
    count, per_element = _header(segment)
    for name, start in (("data_level0.bin", count * per_element), ("length.bin", count * 4)):
        with open(segment / name, "r+b") as stream:
            assert os.fstat(stream.fileno()).st_size >= start + 64  # room past the elements
            stream.seek(start + 16)
            stream.write(NEEDLE)


def test_erasing_keeps_every_element_chroma_persisted_and_the_index_reopens(
        tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    kept = rng.normal(size=(48, 16)).astype(np.float32)
    kept /= np.linalg.norm(kept, axis=1, keepdims=True)
    index = ChromaIndex(tmp_path / "chroma")
    index.add("w", ["gone-0", "gone-1"], kept[:2] * -1, [{"doc_id": "gone"}] * 2)
    for _ in range(21):  # 1010 writes: past Chroma's sync threshold (1000), 50 elements
        index.add("w", [f"keep-{row}" for row in range(len(kept))], kept,
                  [{"doc_id": "keep"}] * len(kept))
    [segment] = vector_segments(tmp_path / "chroma", str(index.collection("w").id))
    assert _header(segment)[0] == 50  # Chroma wrote its elements: the erasing must keep them
    _plant(segment)

    index.delete_document("w", "gone")
    assert not [path.name for path in segment.iterdir() if NEEDLE in path.read_bytes()]
    assert erase_unused(segment) == 0  # nothing left to erase
    np.save(tmp_path / "kept.npy", kept)
    reopened = _python(REOPEN_AND_SEARCH, str(tmp_path / "chroma"), str(tmp_path / "kept.npy"))
    assert reopened.stdout.strip() == "ok", reopened.stderr[-3000:]


def test_an_unknown_segment_header_is_refused_not_guessed(tmp_path: Path) -> None:
    segment = tmp_path / "segment"
    segment.mkdir()
    (segment / "header.bin").write_bytes((2).to_bytes(4, "little") + bytes(96))
    (segment / "data_level0.bin").write_bytes(NEEDLE)
    with pytest.raises(UnknownHnswFormat, match=r"does not know \(version 2\)"):
        erase_unused(segment)
    assert (segment / "data_level0.bin").read_bytes() == NEEDLE
