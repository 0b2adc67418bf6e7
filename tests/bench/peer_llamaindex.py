"""The peer side of bench_ingest_peer: LlamaIndex ingesting PDFs as its users would set it up.

Runs inside the benchmark's own virtual environment (tests/bench/peer_requirements.txt), never
in Enclave's, and imports nothing of Enclave. Prints one JSON line:
``{"pages", "chunks", "seconds", "cpu_seconds", "load_seconds", "peak_rss_bytes"}``; ``seconds``
counts from the first file read to the last vector stored (the model is loaded before), and
``cpu_seconds`` the processor time over the same span, all threads.

    python peer_llamaindex.py --model MODEL_DIR --store STORE_DIR PDF [PDF ...]

Pipeline: SimpleDirectoryReader (its PDFReader: pypdf, one document per page), SentenceSplitter
256/32, HuggingFaceEmbedding of the same all-MiniLM-L6-v2 folder (sentence-transformers, torch),
ChromaVectorStore on a Chroma PersistentClient. Telemetry and hub look-ups are switched off
before anything is imported.
"""

from __future__ import annotations

import os

os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "ORT_DISABLE_TELEMETRY": "1", "ANONYMIZED_TELEMETRY": "False",
                   "TOKENIZERS_PARALLELISM": "false"})

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest(pdfs: list[Path], model: Path, store: Path) -> dict[str, float]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    loading = time.perf_counter()
    embedder = HuggingFaceEmbedding(model_name=str(model), device="cpu")
    started, cpu_started = time.perf_counter(), cpu_seconds()
    client = chromadb.PersistentClient(path=str(store),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("peer")
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(
        chroma_collection=collection))
    documents = SimpleDirectoryReader(input_files=[str(path) for path in pdfs]).load_data()
    VectorStoreIndex.from_documents(
        documents, storage_context=storage, embed_model=embedder,
        transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)])
    return {"pages": len(documents), "chunks": collection.count(),
            "seconds": time.perf_counter() - started, "load_seconds": started - loading,
            "cpu_seconds": cpu_seconds() - cpu_started}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("pdfs", nargs="+", type=Path)
    args = parser.parse_args()
    result = ingest(args.pdfs, args.model, args.store)
    print(json.dumps({**result, "peak_rss_bytes": peak_rss_bytes()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
