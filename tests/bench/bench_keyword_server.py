"""Where a shared matter's keyword search should live: measured on NFCorpus (3.6k abstracts,
its test queries and graded judgements), keyword search alone, three ways:

* SQLite FTS5 on the desktop (today's local workspaces: BM25, Porter stemming);
* Chroma's server: ``$contains`` on the passages' keyword copy, BM25 ranked on the desktop
  (rag.shared, what shared matters use);
* PostgreSQL full-text search (``to_tsvector('english')``, GIN index, ``ts_rank_cd``), through
  ``psql`` on a Unix socket (the server must already run: ``--pg-socket DIR --pg-port N``).

    python -m tests.bench.bench_keyword_server --pg-socket /tmp/pg --pg-port 55432

Prints nDCG@10 and the median / p95 latency per query of each. Not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rag.shared import bm25, keyword_text
from rag.store import keyword_query, keyword_terms
from tests.conftest import SHARED_DATA

NFCORPUS = SHARED_DATA / "retrieval" / "nfcorpus"


def _load() -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    corpus = {}
    for line in (NFCORPUS / "corpus.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        corpus[row["_id"]] = f"{row.get('title', '')}. {row['text']}"
    judged: dict[str, dict[str, int]] = {}
    for line in (NFCORPUS / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        query, doc, score = line.split("\t")
        judged.setdefault(query, {})[doc] = int(score)
    queries = {}
    for line in (NFCORPUS / "queries.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["_id"] in judged:
            queries[row["_id"]] = row["text"]
    return corpus, queries, judged


def ndcg(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    gain = sum((2 ** judged.get(doc, 0) - 1) / math.log2(rank + 2)
               for rank, doc in enumerate(ranked[:k]))
    ideal = sum((2 ** score - 1) / math.log2(rank + 2)
                for rank, score in enumerate(sorted(judged.values(), reverse=True)[:k]))
    return gain / ideal if ideal else 0.0


Runs = dict[str, tuple[list[str], float]]  # query -> (ranked ids, seconds)
_SPECIAL = re.compile(r"[\t\n\\]")


def sqlite_runs(corpus: dict[str, str], queries: dict[str, str]) -> Runs:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, text, "
               "tokenize = 'porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO t VALUES(?,?)", corpus.items())
    runs = {}
    for key, question in queries.items():
        began = time.perf_counter()
        rows = db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10",
                          (keyword_query(question),)).fetchall() if keyword_query(question) else []
        runs[key] = ([row[0] for row in rows], time.perf_counter() - began)
    return runs


def chroma_runs(corpus: dict[str, str], queries: dict[str, str],
                folder: Path) -> Runs:
    import chromadb
    from chromadb.config import Settings

    from tests.shared.servers import ChromaProcess

    server = ChromaProcess(folder / "chroma").start()
    try:
        client = chromadb.HttpClient(host="127.0.0.1", port=server.port,
                                     settings=Settings(anonymized_telemetry=False))
        collection = client.create_collection("nfcorpus", embedding_function=None)
        ids = list(corpus)
        for first in range(0, len(ids), 500):
            part = ids[first:first + 500]
            collection.add(ids=part, embeddings=[[1.0]] * len(part),
                           documents=[keyword_text(corpus[key]) for key in part])
        total, runs = collection.count(), {}
        for key, question in queries.items():
            terms = keyword_terms(question)
            began = time.perf_counter()
            contains = [{"$contains": " " + term} for term in terms]
            found = collection.get(where_document=contains[0] if len(contains) == 1
                                   else {"$or": contains}, include=["documents"], limit=5000)
            ranked = bm25(dict(zip(found["ids"], found["documents"], strict=True)), terms, total)
            runs[key] = ([doc for doc, _ in ranked[:10]], time.perf_counter() - began)
        return runs
    finally:
        server.stop()


def postgres_runs(corpus: dict[str, str], queries: dict[str, str], socket_dir: str, port: int,
                  folder: Path) -> Runs:
    def psql(script: str) -> str:
        path = folder / "script.sql"
        path.write_text(script, encoding="utf-8")
        return subprocess.run(["psql", "-h", socket_dir, "-p", str(port), "-U", "bench", "-d",
                               "postgres", "-X", "-q", "-A", "-t", "-f", str(path)],
                              capture_output=True, text=True, check=True).stdout

    data = folder / "corpus.tsv"
    plain = {key: _SPECIAL.sub(" ", text) for key, text in corpus.items()}
    data.write_text("".join(f"{key}\t{text}\n" for key, text in plain.items()), encoding="utf-8")
    psql("DROP TABLE IF EXISTS docs; CREATE TABLE docs(id text primary key, body text, "
         "tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED);\n"
         f"\\copy docs(id, body) FROM '{data}'\n"
         "CREATE INDEX ON docs USING gin(tsv);\nANALYZE docs;\n")
    keys, lines = list(queries), ["\\timing on"]
    for key in keys:
        words = " | ".join(keyword_terms(queries[key])) or "nothing"
        lines += ["\\echo ####", "SELECT id FROM docs, to_tsquery('english', "
                  f"'{words}') q WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 10;"]
    output = psql("\n".join(lines) + "\n").split("####")[1:]
    runs = {}
    for key, block in zip(keys, output, strict=True):
        ids = [line for line in block.strip().splitlines() if line and not line.startswith("Time:")]
        took = [float(m) for m in re.findall(r"Time: ([\d.]+) ms", block)]
        runs[key] = (ids, sum(took) / 1000)
    return runs


def summary(name: str, runs: Runs,
            judged: dict[str, dict[str, int]]) -> str:
    scores = [ndcg(ranked, judged[key]) for key, (ranked, _) in runs.items()]
    times = sorted(seconds for _, seconds in runs.values())
    return (f"| {name} | {statistics.mean(scores):.3f} | {1000 * statistics.median(times):.1f} ms"
            f" | {1000 * times[int(0.95 * len(times))]:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_keyword_server")
    parser.add_argument("--pg-socket", default="")
    parser.add_argument("--pg-port", type=int, default=5432)
    options = parser.parse_args()
    corpus, queries, judged = _load()
    folder = Path(tempfile.mkdtemp(prefix="bench-keyword-"))
    print(f"NFCorpus: {len(corpus)} documents, {len(queries)} test queries, keyword search only")
    print("| where | nDCG@10 | median | p95 |\n|---|---:|---:|---:|")
    print(summary("SQLite FTS5 (desktop)", sqlite_runs(corpus, queries), judged), flush=True)
    print(summary("Chroma server $contains + BM25", chroma_runs(corpus, queries, folder), judged),
          flush=True)
    if options.pg_socket:
        print(summary("PostgreSQL FTS (ts_rank_cd)",
                      postgres_runs(corpus, queries, options.pg_socket, options.pg_port, folder),
                      judged))


if __name__ == "__main__":
    main()
