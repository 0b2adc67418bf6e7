"""Retrieval quality: nDCG@10 and recall@5 for vector-only, keyword-only (BM25) and hybrid.

    python -m tests.bench.eval_retrieval [--datasets nfcorpus financebench] [--variants fp32 int8]

NFCorpus (BEIR, medical): one passage per corpus document, graded test judgments; the published
BM25 nDCG@10 is 0.325. FinanceBench: the 41 filings go through the real ingest (pypdf, chunking,
embedding, Chroma, FTS5); a ranking of pages is read off the ranked chunks (first occurrence of
each page), and judged against the evidence pages of the 93 questions those filings cover.
Indexes are kept under .cache/eval/ so a second run only queries. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.chunking import Chunk
from rag.documents import LoadedDocument, Page
from rag.embedder import Embedder, OnnxEmbedder, model_dir, onnx_path
from rag.ingest import ingest
from rag.library import Library, Workspace
from rag.retrieval import MODES, HybridRetriever

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "retrieval"
CACHE = ROOT / ".cache" / "eval"

Qrels = dict[str, dict[str, float]]  # query id -> {item id: gain}


def ndcg_at(ranked: Sequence[str], judged: dict[str, float], k: int = 10) -> float:
    gains = [judged.get(item, 0.0) for item in ranked[:k]]
    dcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))
    ideal = sorted(judged.values(), reverse=True)[:k]
    best = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / best if best > 0 else 0.0


def recall_at(ranked: Sequence[str], judged: dict[str, float], k: int = 5) -> float:
    relevant = {item for item, gain in judged.items() if gain > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def embedder_for(variant: str) -> Embedder:
    path = onnx_path(variant)
    if not path.is_file():
        from rag.onnx_export import export

        export(path, variant=variant)
    return OnnxEmbedder(path, model_dir() / "tokenizer.json")


# ----- NFCorpus
def nfcorpus_workspace(embedder: Embedder, variant: str) -> tuple[Workspace, dict[str, str]]:
    workspace = Library(CACHE / f"nfcorpus-{variant}").workspace("nfcorpus")
    corpus = [json.loads(line) for line in (DATA / "nfcorpus" / "corpus.jsonl").open()]
    doc_ids = {hashlib.sha256(item["_id"].encode()).hexdigest(): item["_id"] for item in corpus}
    if len(workspace.documents()) != len(corpus):
        texts = [f"{item.get('title', '')}\n\n{item['text']}".strip() for item in corpus]
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        seconds = time.perf_counter() - started
        print(f"  embedded {len(texts)} NFCorpus documents in {seconds:.0f} s")
        for item, text, vector in zip(corpus, texts, vectors, strict=True):
            doc_id = hashlib.sha256(item["_id"].encode()).hexdigest()
            document = LoadedDocument(Path(item["_id"]), "text", (Page(1, text),))
            workspace.add(doc_id, document, [Chunk(1, 0, len(text), text, 0)], vector[None, :],
                          path=item["_id"], size=len(text))
    return workspace, doc_ids


def nfcorpus_queries() -> tuple[dict[str, str], Qrels]:
    qrels: Qrels = defaultdict(dict)
    for line in (DATA / "nfcorpus" / "qrels" / "test.tsv").open().readlines()[1:]:
        query, doc, score = line.split("\t")
        qrels[query][doc] = float(score)
    queries = {}
    for line in (DATA / "nfcorpus" / "queries.jsonl").open():
        item = json.loads(line)
        if item["_id"] in qrels:
            queries[item["_id"]] = item["text"]
    return queries, dict(qrels)


def nfcorpus_ranker(workspace: Workspace, embedder: Embedder,
                    names: dict[str, str]) -> Callable[[str, str], list[str]]:
    retriever = HybridRetriever(workspace, embedder, candidates=100)

    def rank(question: str, mode: str) -> list[str]:
        hits = retriever.search(question, top_k=10, mode=mode, with_similarity=False)
        return [names[hit.doc_id] for hit in hits]

    return rank


# ----- FinanceBench
def financebench_pdfs(limit: int) -> list[Path]:
    """The ``limit`` smallest filings (all 41 by default), smallest first."""
    pdfs = (DATA / "financebench" / "pdfs").glob("*.pdf")
    return sorted(pdfs, key=lambda path: (path.stat().st_size, path.name))[:limit]


def financebench_workspace(embedder: Embedder, variant: str, limit: int) -> Workspace:
    workspace = Library(CACHE / f"financebench-{variant}-{limit}").workspace("financebench")
    pdfs = financebench_pdfs(limit)
    if len(workspace.documents()) != len(pdfs):
        report = ingest(pdfs, workspace=workspace, embedder=embedder)
        print(f"  ingested FinanceBench: {report.summary()}")
    return workspace


def financebench_queries(limit: int = 1000) -> tuple[dict[str, str], Qrels]:
    """Questions whose evidence lies wholly in the ``limit`` smallest filings."""
    covered = {path.stem for path in financebench_pdfs(limit)}
    questions = [json.loads(line)
                 for line in (DATA / "financebench" / "questions_with_pdf.jsonl").open()]
    qrels: Qrels = defaultdict(dict)
    for line in (DATA / "financebench" / "qrels_pages.tsv").open().readlines()[1:]:
        query, doc, page, included = line.strip().split("\t")
        if included == "1":
            qrels[query][f"{doc}#{int(page) + 1}"] = 1.0
    qrels = defaultdict(dict, {query: pages for query, pages in qrels.items()
                               if all(key.split("#")[0] in covered for key in pages)})
    queries = {item["financebench_id"]: item["question"] for item in questions
               if item["financebench_id"] in qrels}
    return queries, dict(qrels)


def financebench_ranker(workspace: Workspace,
                        embedder: Embedder) -> Callable[[str, str], list[str]]:
    retriever = HybridRetriever(workspace, embedder, candidates=100)

    def rank(question: str, mode: str) -> list[str]:
        pages: list[str] = []
        for hit in retriever.search(question, top_k=100, mode=mode, with_similarity=False):
            key = f"{Path(hit.path).stem}#{hit.page}"
            if key not in pages:
                pages.append(key)
        return pages[:10]

    return rank


def evaluate(rank: Callable[[str, str], list[str]], queries: dict[str, str],
             qrels: Qrels) -> dict[str, tuple[float, float, float]]:
    results = {}
    for mode in MODES:
        started = time.perf_counter()
        ndcg, recall = [], []
        for query_id, question in queries.items():
            ranked = rank(question, mode)
            ndcg.append(ndcg_at(ranked, qrels[query_id]))
            recall.append(recall_at(ranked, qrels[query_id]))
        per_query = (time.perf_counter() - started) / max(1, len(queries)) * 1000
        results[mode] = (float(np.mean(ndcg)), float(np.mean(recall)), per_query)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=["nfcorpus", "financebench"])
    parser.add_argument("--variants", nargs="+", default=["fp32"])
    parser.add_argument("--financebench-docs", type=int, default=41,
                        help="use only the N smallest filings (and the questions they cover)")
    args = parser.parse_args(argv)
    from app.egress import go_offline

    go_offline()
    rows = []
    for variant in args.variants:
        embedder = embedder_for(variant)
        for dataset in args.datasets:
            print(f"{dataset} ({variant}): building or opening the index")
            if dataset == "nfcorpus":
                workspace, names = nfcorpus_workspace(embedder, variant)
                rank = nfcorpus_ranker(workspace, embedder, names)
                queries, qrels = nfcorpus_queries()
            else:
                limit = args.financebench_docs
                workspace = financebench_workspace(embedder, variant, limit)
                rank = financebench_ranker(workspace, embedder)
                queries, qrels = financebench_queries(limit)
            for mode, (ndcg, recall, ms) in evaluate(rank, queries, qrels).items():
                rows.append((dataset, len(queries), variant, mode, ndcg, recall, ms))
                print(f"  {mode}: nDCG@10 {ndcg:.3f}, recall@5 {recall:.3f}", flush=True)
    print("\n| dataset | queries | embedder | mode | nDCG@10 | recall@5 | ms/query |")
    print("|---|---|---|---|---|---|---|")
    for dataset, count, variant, mode, ndcg, recall, ms in rows:
        embedder_name = "-" if mode == "keyword" else variant
        print(f"| {dataset} | {count} | {embedder_name} | {mode} | {ndcg:.3f} | {recall:.3f} "
              f"| {ms:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
