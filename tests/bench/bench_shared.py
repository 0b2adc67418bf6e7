"""How one Chroma server holds up as desktops are added: ingest throughput and query latency
with 1, 2, 4 and 8 concurrent desktop processes against chromadb's server (token auth and the
membership check on, as a firm runs it) on this machine.

    python -m tests.bench.bench_shared [--desktops 1 2 4 8] [--docs 12] [--passages 20]
                                       [--queries 30]

Each desktop is a process with a SharedLibrary of its own. So that the numbers are the
server's and the protocol's, not the embedder's, desktops embed with a cheap hashing
embedder (384 numbers, as MiniLM); passages are ~120 words drawn from a 5,000-word vocabulary
(Zipf-like), so keyword search meets common and rare words as in contracts. Ingest writes
documents through SharedWorkspace.add (vectors, passage text, keyword copy, pages, the
document's record); a query is a hybrid search (vector + keyword, fused), then its passages.
Everything shares this machine's cores with the server: read the growth, not the absolutes.
Not a test: run by hand (README, "Shared matters: sizing").
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.jobs import CancelFn, never_cancel

VOCABULARY = 5000
DIMENSION = 384


class HashingEmbedder:
    """Deterministic, cheap, same interface as the real one."""

    dimension, name = DIMENSION, "bench-hashing"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.encode()) % DIMENSION] += 1.0
        vectors[:, 0] += 1e-3
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _word(rng: random.Random) -> str:
    rank = min(int(rng.paretovariate(1.1)), VOCABULARY)
    return f"w{rank}x{rank % 7}"


def _document(rng: random.Random, passages: int) -> tuple[str, Any, list[Any]]:
    from rag.chunking import Chunk
    from rag.documents import LoadedDocument, Page

    texts = [" ".join(_word(rng) for _ in range(120)) for _ in range(passages)]
    text = "\n\n".join(texts)
    chunks, offset = [], 0
    for ordinal, passage in enumerate(texts):
        chunks.append(Chunk(1, offset, offset + len(passage), passage, ordinal))
        offset += len(passage) + 2
    doc_id = f"{rng.getrandbits(128):032x}" * 2
    return doc_id, LoadedDocument(Path(f"/bench/{doc_id[:8]}.txt"), "text",
                                  (Page(1, text),), doc_id[:8]), chunks


def worker(args: list[str]) -> None:
    """One desktop: ``ingest SEED DOCS PASSAGES`` or ``query SEED QUERIES``, starting at START."""
    from rag.chroma_server import ChromaServer
    from rag.retrieval import HybridRetriever
    from rag.shared import SharedLibrary

    action, url, token, matter, start, seed, *rest = args
    from tests.shared.servers import TENANT

    workspace = SharedLibrary(ChromaServer(url, TENANT, token)).workspace(matter)
    embedder, rng = HashingEmbedder(), random.Random(int(seed))
    time.sleep(max(0.0, float(start) - time.time()))
    timings: list[float] = []
    if action == "ingest":
        for _ in range(int(rest[0])):
            doc_id, document, chunks = _document(rng, int(rest[1]))
            began = time.perf_counter()
            vectors = embedder.embed([chunk.text for chunk in chunks])
            workspace.add(doc_id, document, chunks, vectors,
                          path=f"/bench/{doc_id}", size=1, embedder=embedder.name)
            timings.append(time.perf_counter() - began)
    else:
        retriever = HybridRetriever(workspace, embedder)
        for _ in range(int(rest[0])):
            question = " ".join(_word(rng) for _ in range(8))
            began = time.perf_counter()
            retriever.search(question, top_k=6)
            timings.append(time.perf_counter() - began)
    print(json.dumps(timings))


def _run(action: str, url: str, token: str, matter: str, desktops: int,
         extra: list[str]) -> tuple[float, list[float]]:
    start = time.time() + 8.0  # every process imported and connected before the clock starts
    processes = [subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_shared", "--worker", action, url, token,
         matter, str(start), str(1000 * desktops + number), *extra],
        stdout=subprocess.PIPE, text=True) for number in range(desktops)]
    timings: list[float] = []
    for process in processes:
        out, _ = process.communicate(timeout=3600)
        timings += json.loads(out.strip().splitlines()[-1])
    return time.time() - start, timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_shared")
    parser.add_argument("--desktops", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--docs", type=int, default=12, help="documents per desktop")
    parser.add_argument("--passages", type=int, default=20, help="passages per document")
    parser.add_argument("--queries", type=int, default=30, help="queries per desktop")
    options = parser.parse_args()
    from tests.shared.servers import ADMIN_TOKEN, TENANT, ChromaProcess, users_file

    folder = Path(tempfile.mkdtemp(prefix="bench-shared-"))
    matters = [f"bench-{count}" for count in options.desktops]
    users = users_file(folder / "users.yaml", {"desk": ("desk-token", matters)})
    server = ChromaProcess(folder / "data", users).start()
    rows = []
    try:
        from app.server_admin import create_matter

        for count, matter in zip(options.desktops, matters, strict=True):
            create_matter(server.url, ADMIN_TOKEN, TENANT, matter)
            wall, per_doc = _run("ingest", server.url, "desk-token", matter, count,
                                 [str(options.docs), str(options.passages)])
            passages = count * options.docs * options.passages
            _, latencies = _run("query", server.url, "desk-token", matter, count,
                                [str(options.queries)])
            rows.append({"desktops": count, "passages": passages,
                         "ingest_passages_per_s": passages / wall,
                         "doc_seconds_p50": statistics.median(per_doc),
                         "query_p50_ms": 1000 * statistics.median(latencies),
                         "query_p95_ms": 1000 * _percentile(latencies, 0.95)})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        server.stop()
    print("| desktops | passages | ingest passages/s (all) | per document (20 passages) p50 "
          "| query p50 | query p95 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['desktops']} | {row['passages']} | {row['ingest_passages_per_s']:.0f} | "
              f"{row['doc_seconds_p50']:.2f} s | {row['query_p50_ms']:.0f} ms | "
              f"{row['query_p95_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
