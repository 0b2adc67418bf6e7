"""A desktop's library work on a shared matter, as a separate process, without the rest of the
app (``enclave ingest`` also loads the privacy stack, tens of seconds on a loaded machine):
the same SharedLibrary, ingest and real int8 embedder the app uses.

    python -m tests.shared.desktop ingest URL TENANT TOKEN MATTER FOLDER
    python -m tests.shared.desktop search URL TENANT TOKEN MATTER QUESTION

prints one JSON line (the report, or the hits).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from app.egress import go_offline


def main() -> int:
    go_offline()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    command, url, tenant, token, matter, argument = sys.argv[1:7]
    from rag.chroma_server import ChromaServer
    from rag.embedder import DEFAULT_VARIANT, load_embedder, onnx_path
    from rag.ingest import ingest
    from rag.retrieval import HybridRetriever
    from rag.shared import SharedLibrary

    workspace = SharedLibrary(ChromaServer(url, tenant, token)).workspace(matter)
    embedder = load_embedder(DEFAULT_VARIANT, model=onnx_path(DEFAULT_VARIANT))
    started = time.perf_counter()
    if command == "ingest":
        report = ingest([Path(argument)], workspace=workspace, embedder=embedder)
        print(json.dumps({"statuses": [result.status for result in report.results],
                          "chunks": sum(result.chunks for result in report.results),
                          "seconds": time.perf_counter() - started}))
    else:
        hits = HybridRetriever(workspace, embedder).search(argument, top_k=5)
        print(json.dumps({"hits": [[hit.source_name, hit.text] for hit in hits],
                          "similarities": [hit.similarity for hit in hits],
                          "seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
