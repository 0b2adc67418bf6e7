"""The training corpus of the clause scorer: allowed CUAD contracts as the app chunks them.

Allowed contracts (``../shared/data/README.md``): the 408 texts of ``background_txt/``, whose
labels are the rows of ``labels/master_clauses.csv`` with the same names (matched on letters and
digits, as the file names differ in punctuation), and the development part of the 61
(``master_clauses_selected61.csv``, texts in ``full_contract_txt/``; a contract is held back when
sha256(file name) % 3 == 0, :func:`tests.bench.eval_contracts.part_of`). No other label row is
read: a row whose contract has no text here is never used.

Each text is read by the app's text loader and cut into passages by the app's chunker with the
default settings (200 tokens, 40 overlapping), exactly what ingest stores and embeds. A passage
is a positive of a clause kind when it holds a substantial part of one of the lawyers' spans of
that kind in its contract (or a short span whole, at its first mention); every
other passage of the contract is a negative of that kind. A passage that shares only a common
phrase with a span is not a positive (:func:`_holds`). Passage vectors come from the app's
embedder (int8 by default) and are cached under ``.cache/clauses/`` per contract.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.chunking import chunk_document
from rag.embedder import Embedder
from rag.ingest import ChunkingOptions
from rag.loaders.text import load_text
from tests.bench.eval_contracts import (
    CUAD,
    DEVELOPMENT,
    HELD_BACK,
    NGRAM,
    SHORT_LABEL,
    part_of,
    tokens,
)

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "clauses"
ALL_LABELS = CUAD / "labels" / "master_clauses.csv"
LABELS_61 = CUAD / "labels" / "master_clauses_selected61.csv"
BACKGROUND = CUAD / "background_txt"
TEXTS_61 = CUAD / "full_contract_txt"
BACKGROUND_PART = "background"
LONG_RUN = 20  # shared 5-word runs


@dataclass
class Contract:
    name: str  # the CUAD file name as in the label file
    part: str  # "background", "dev" or "held-back"
    path: Path
    labels: dict[str, list[str]]  # CUAD column -> the lawyers' spans (whitespace squashed)
    passages: list[str] | None = None
    prepared: list[_Text] | None = None


def squashed(text: str) -> str:
    return " ".join(text.split())


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", Path(name).stem.lower()) if name.lower().endswith(
        (".pdf", ".txt")) else re.sub(r"[^a-z0-9]", "", name.lower())


def clause_columns(header: Sequence[str]) -> list[str]:
    """The 41 clause categories: every column but Filename and the ``-Answer`` columns."""
    return [c for c in header if c != "Filename" and not c.rstrip().endswith("Answer")]


def spans(value: str) -> list[str]:
    try:
        items = ast.literal_eval(value) if value.strip() else []
    except (ValueError, SyntaxError):
        items = [value]
    return [squashed(str(item)) for item in items if str(item).strip()]


def read_csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def categories() -> list[str]:
    with open(LABELS_61, newline="", encoding="utf-8") as stream:
        return clause_columns(next(csv.reader(stream)))


def contracts(parts: Sequence[str] = (BACKGROUND_PART, DEVELOPMENT)) -> list[Contract]:
    """The contracts of ``parts``, sorted by name; held-back only when asked for by name."""
    columns = categories()
    found: list[Contract] = []
    if BACKGROUND_PART in parts:
        texts = {name_key(path.name): path for path in BACKGROUND.glob("*.txt")}
        for row in read_csv(ALL_LABELS):  # only rows whose contract text is here
            path = texts.get(name_key(row["Filename"]))
            if path is not None:
                found.append(Contract(row["Filename"], BACKGROUND_PART, path,
                                      {c: spans(row[c]) for c in columns}))
    for row in read_csv(LABELS_61):
        part = part_of(row["Filename"])
        if part in parts:
            path = TEXTS_61 / (Path(row["Filename"]).stem + ".txt")
            found.append(Contract(row["Filename"], part, path,
                                  {c: spans(row[c]) for c in columns}))
    return sorted(found, key=lambda c: c.name)


def passages_of(contract: Contract, embedder: Embedder) -> list[str]:
    """The contract's passages as ingest cuts them."""
    document = load_text(contract.path, contract.path.read_bytes())
    options = ChunkingOptions()
    chunks = chunk_document(document, max_tokens=options.max_tokens,
                            overlap_tokens=options.overlap_tokens,
                            count=embedder.count_tokens)
    return [chunk.text for chunk in chunks]


def cache_path(contract: Contract, embedder_name: str) -> Path:
    digest = hashlib.sha256(contract.name.encode("utf-8")).hexdigest()[:20]
    return CACHE / embedder_name / f"{digest}.npz"


def vectors_of(contract: Contract, embedder: Embedder) -> np.ndarray:
    """The contract's passage vectors, from the cache when present (also fills passages)."""
    path = cache_path(contract, embedder.name)
    if path.is_file():
        stored = np.load(path, allow_pickle=False)
        contract.passages = [str(text) for text in stored["passages"]]
        return np.asarray(stored["vectors"], dtype=np.float32)
    contract.passages = passages_of(contract, embedder)
    vectors = embedder.embed(contract.passages)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, vectors=vectors, passages=np.array(contract.passages))
    return vectors


@dataclass(frozen=True)
class _Text:
    """A text's word tokens in the forms ``eval_contracts.overlaps`` compares."""

    joined: str
    grams: frozenset[tuple[str, ...]]
    short: bool

    @classmethod
    def of(cls, text: str) -> _Text:
        words = tokens(text)
        grams = frozenset(tuple(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1))
        return cls("".join(words), grams, len(words) < NGRAM or len(text) < SHORT_LABEL)


def _overlap(quote: _Text, label: _Text) -> bool:
    """``overlaps(quote, label)`` on prepared texts."""
    if not label.joined or not quote.joined:
        return False
    return label.joined in quote.joined if label.short else bool(quote.grams & label.grams)


def _holds(passage: _Text, span: _Text) -> bool:
    """The passage holds a substantial part of the span, or is mostly inside it: a short span
    whole; else shared 5-word runs making up half the span, half the passage, or
    ``LONG_RUN`` runs (a run of about 25 words). A common phrase alone is not enough."""
    if span.short:
        return bool(span.joined) and span.joined in passage.joined
    shared = len(passage.grams & span.grams)
    return shared > 0 and (shared >= 0.5 * len(span.grams) or
                           shared >= 0.5 * len(passage.grams) or shared >= LONG_RUN)


def targets(contract: Contract, column: str) -> np.ndarray:
    """1 for each passage holding one of the lawyers' spans of ``column`` (:func:`_holds`),
    else 0. A short span (a name, a date: under 5 words or 40 characters) marks only
    the first passage that contains it: it is mentioned all over the contract, and where it is
    stated (the preamble, the dating line) is its first mention."""
    assert contract.passages is not None
    if contract.prepared is None:
        contract.prepared = [_Text.of(squashed(text)) for text in contract.passages]
    found = np.zeros(len(contract.prepared), dtype=np.int8)
    for label in (_Text.of(span) for span in contract.labels.get(column, [])):
        hits = [n for n, text in enumerate(contract.prepared) if _holds(text, label)]
        found[hits[:1] if label.short else hits] = 1
    return found


__all__ = ["BACKGROUND_PART", "DEVELOPMENT", "HELD_BACK", "Contract", "cache_path",
           "categories", "contracts", "targets", "vectors_of"]
