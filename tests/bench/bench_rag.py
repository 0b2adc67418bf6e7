"""Benchmark of the document library against plain sentence-transformers, in one run.

    python -m tests.bench.bench_rag [--contracts 6] [--chunks 100000] [--skip a b c]

(a) End-to-end ingest (pypdf, chunking, ONNX embedding, Chroma + FTS5 + manifest) of the
    smallest real CUAD contract PDFs, in pages/s and chunks/s, against sentence-transformers'
    ``encode`` alone on the very same chunk texts (the ratio counts all our work against their
    embedding only).
(b) Our embedder (ONNX int8, the shipped one, and fp32) against sentence-transformers on the
    same texts: 64 chunks and 64 short questions; rounds alternate so a noisy neighbour hurts
    all alike.
    Also the cold start (new process to first vector) of each.
(c) Hybrid query latency p50/p95 at 100k chunks: 300 real chunk texts (CUAD contracts and
    NFCorpus abstracts) repeated with perturbed real embeddings to reach the count (embedding 100k
    chunks here would take an hour); query embedding included. Cached under .cache/bench/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.chunking import Chunk, chunk_document
from rag.documents import LoadedDocument, Page
from rag.embedder import DEFAULT_VARIANT, Embedder, SentenceTransformerEmbedder
from rag.ingest import ingest
from rag.library import Library, Workspace
from rag.loaders import load_document
from rag.retrieval import HybridRetriever
from tests.bench.eval_retrieval import embedder_for, financebench_queries, nfcorpus_queries

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "bench"
ROUNDS = 3
CHUNK_TEXTS = 64
REAL_CHUNKS = 300


def median_seconds(run: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ----- (a)
def bench_ingest(embedder: Embedder, reference: Embedder,
                 contracts: int) -> tuple[list[str], list[str]]:
    source = DATA / "contracts" / "cuad" / "full_contract_pdf"
    pdfs = sorted(source.iterdir(), key=lambda path: path.stat().st_size)[:contracts]
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder))
        workspace = library.workspace("bench")
        report = ingest(pdfs, workspace=workspace, embedder=embedder)
        stored = workspace.store.chunks(sorted(workspace.store.chunk_ids()))
        texts = [chunk.text for chunk in stored.values()]
        library.close()
    encode = median_seconds(lambda: reference.embed(texts), rounds=1)
    ours_cps, theirs_cps = report.chunks / report.seconds, len(texts) / encode
    return [
        f"(a) ingest of {len(pdfs)} CUAD contract PDFs: {report.pages} pages, {report.chunks} "
        f"chunks in {report.seconds:.1f} s = {report.pages / report.seconds:.1f} pages/s, "
        f"{ours_cps:.1f} chunks/s end to end",
        f"    sentence-transformers encode alone, same {len(texts)} chunks: {encode:.1f} s = "
        f"{theirs_cps:.1f} chunks/s",
        f"    ratio (our whole ingest / their encode only): {ours_cps / theirs_cps:.2f}x",
    ], texts


# ----- (b)
def bench_embedders(embedders: dict[str, Embedder], chunks: Sequence[str],
                    short: Sequence[str]) -> list[str]:
    lines = []
    for label, texts in (("250-token chunks", chunks), ("short questions", short)):
        times: dict[str, list[float]] = {name: [] for name in embedders}
        for embedder in embedders.values():
            embedder.embed(list(texts[:32]))  # warm up
        for _ in range(ROUNDS):
            for name, embedder in embedders.items():
                started = time.perf_counter()
                embedder.embed(list(texts))
                times[name].append(time.perf_counter() - started)
        base = statistics.median(times["sentence-transformers"])
        for name, values in times.items():
            seconds = statistics.median(values)
            lines.append(f"(b) {label:17} {name:22} {len(texts) / seconds:7.1f} texts/s  "
                         f"{base / seconds:.2f}x")
    return lines


def cold_start_lines() -> list[str]:
    probes = {
        f"onnx {DEFAULT_VARIANT} (shipped)": "from rag.embedder import load_embedder; "
                                             "load_embedder().embed(['hi'])",
        "sentence-transformers": "from rag.embedder import SentenceTransformerEmbedder; "
                                 "SentenceTransformerEmbedder().embed(['hi'])",
    }
    lines = []
    for name, code in probes.items():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
        lines.append(f"(b) cold start, new process to first vector, {name:22} "
                     f"{time.perf_counter() - started:5.1f} s")
    return lines


# ----- (c)
def real_chunks(embedder: Embedder, limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted((DATA / "contracts" / "cuad" / "full_contract_txt").glob("*.txt")):
        document = load_document(path)
        texts += [chunk.text for chunk in chunk_document(document, max_tokens=200,
                                                         overlap_tokens=40,
                                                         count=embedder.count_tokens)]
    for line in (DATA / "retrieval" / "nfcorpus" / "corpus.jsonl").open():
        texts.append(json.loads(line)["text"])
    rng = np.random.default_rng(7)
    return [texts[index] for index in rng.permutation(len(texts))[:limit]]


def big_workspace(embedder: Embedder, total: int) -> Workspace:
    library = Library(CACHE / f"query-{total}-{embedder.name}")
    workspace = library.workspace("bench")
    if workspace.store.chunk_count() >= total:
        return workspace
    texts = real_chunks(embedder, REAL_CHUNKS)
    started = time.perf_counter()
    base = embedder.embed(texts)
    print(f"  embedded {len(texts)} real chunks in {time.perf_counter() - started:.0f} s")
    rng, per_doc = np.random.default_rng(11), 500
    started = time.perf_counter()
    for doc in range(total // per_doc):
        rows = [(doc * per_doc + n) % len(texts) for n in range(per_doc)]
        vectors = base[rows] + rng.normal(0, 0.03, (per_doc, base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        pages = tuple(Page(n + 1, texts[row]) for n, row in enumerate(rows))
        chunks = [Chunk(n + 1, 0, len(texts[row]), texts[row], n) for n, row in enumerate(rows)]
        document = LoadedDocument(Path(f"synthetic-{doc}.txt"), "text", pages)
        doc_id = hashlib.sha256(f"synthetic-{doc}".encode()).hexdigest()
        workspace.add(doc_id, document, chunks, vectors, path=f"synthetic-{doc}",
                      size=0, embedder=embedder.name)
    print(f"  stored {total} chunks in {time.perf_counter() - started:.0f} s")
    return workspace


def bench_queries(embedder: Embedder, total: int) -> list[str]:
    workspace = big_workspace(embedder, total)
    questions = list(nfcorpus_queries()[0].values())[:60] + \
        list(financebench_queries()[0].values())[:40]
    retriever = HybridRetriever(workspace, embedder)
    started = time.perf_counter()
    retriever.search(questions[0])
    lines = [f"(c) {workspace.store.chunk_count()} chunks; first query (loads the index) "
             f"{(time.perf_counter() - started) * 1000:.0f} ms"]
    for mode in ("hybrid", "vector", "keyword"):
        latencies = []
        for question in questions:
            started = time.perf_counter()
            retriever.search(question, top_k=6, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
        p50, p95 = np.percentile(latencies, [50, 95])
        lines.append(f"(c) {mode:7} query latency over {len(questions)} questions: "
                     f"p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=6)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["a", "b", "c"])
    args = parser.parse_args(argv)
    from app.egress import go_offline

    go_offline()
    ours = embedder_for(DEFAULT_VARIANT)  # what the product ships
    reference = SentenceTransformerEmbedder()
    lines: list[str] = []
    chunks: list[str] = []
    if "a" not in args.skip:
        found, chunks = bench_ingest(ours, reference, args.contracts)
        lines += found
        print("\n".join(found), flush=True)
    if "b" not in args.skip:
        chunks = (chunks or real_chunks(ours, CHUNK_TEXTS))[:CHUNK_TEXTS]
        short = list(nfcorpus_queries()[0].values())[:CHUNK_TEXTS]
        embedders = {"sentence-transformers": reference,
                     f"onnx {DEFAULT_VARIANT} (shipped)": ours, "onnx fp32": embedder_for("fp32")}
        found = bench_embedders(embedders, chunks, short) + cold_start_lines()
        lines += found
        print("\n".join(found), flush=True)
    if "c" not in args.skip:
        found = bench_queries(ours, args.chunks)
        lines += found
        print("\n".join(found), flush=True)
    print("\nSummary\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
