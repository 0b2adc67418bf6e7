"""One workspace's manifest and keyword index, in a single SQLite file.

Documents are keyed by content hash and move through states: "indexing" is written (and
committed) before any chunk reaches the vector store, "done" only in the same transaction that
stores the chunks' text, pages and keyword entries. Anything else found at start-up is
half-done work, and :class:`~rag.library.Workspace` deletes it everywhere.

Keyword search is SQLite FTS5 with its built-in Okapi BM25 ranking (Porter stemming): it lives
in the same transactions as the manifest, so the two can never disagree.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.chunking import Chunk
from rag.documents import LoadedDocument
from rag.names import NameSeal
from rag.ocr.scan import LOW_CONFIDENCE, PageScan

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents(
    doc_id TEXT PRIMARY KEY, state TEXT NOT NULL, kind TEXT, title TEXT, pages INTEGER,
    chunks INTEGER, bytes INTEGER, notes TEXT, updated_at REAL);
CREATE TABLE IF NOT EXISTS paths(path TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS paths_by_doc ON paths(doc_id);
CREATE TABLE IF NOT EXISTS pages(doc_id TEXT, page INTEGER, text TEXT, PRIMARY KEY(doc_id, page));
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    page INTEGER, start INTEGER, end INTEGER);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS scans(
    doc_id TEXT, page INTEGER, confidence REAL, scan TEXT, PRIMARY KEY(doc_id, page));
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_text USING fts5(
    text, tokenize = 'porter unicode61 remove_diacritics 2');
"""

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves give tell please
""".split())  # noqa: SIM905
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    state: str
    kind: str
    title: str
    pages: int
    chunks: int
    bytes: int
    notes: str
    paths: tuple[str, ...]
    scanned_pages: tuple[int, ...] = ()  # read by OCR
    low_quality_pages: tuple[int, ...] = ()  # read by OCR with low confidence

    @property
    def low_quality_scan(self) -> bool:
        return bool(self.low_quality_pages)


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    doc_id: str
    page: int
    start: int
    end: int
    text: str


def chunk_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id[:32]}-{ordinal:05d}"


def keyword_terms(text: str, limit: int = 32) -> list[str]:
    """The question's content words, lower case, each once, in order."""
    terms: list[str] = []
    for term in _TERM.findall(text.lower()):
        if len(term) > 1 and term not in STOPWORDS and term not in terms:
            terms.append(term)
    return terms[:limit]


def keyword_query(text: str) -> str:
    """An FTS5 OR-query of the question's content words (quoted, so nothing is syntax)."""
    return " OR ".join(f'"{term}"' for term in keyword_terms(text))


class LibraryStore:
    def __init__(self, path: Path, *, names: NameSeal | None = None,
                 seal_names: Callable[[], bool] = lambda: False) -> None:
        """``names`` opens sealed paths and titles (and seals new ones while ``seal_names()``
        says so: a strict workspace's; see :mod:`rag.names`)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self._names, self._seal_names = path, names, seal_names
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        # Deleted text is overwritten, not left in free pages: a purged document (or one indexed
        # again under a stricter privacy policy) leaves nothing readable in the file.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()  # a GUI may list documents while a worker ingests

    def close(self) -> None:
        self._db.close()

    # ----- manifest
    def state_of(self, doc_id: str) -> str | None:
        """Safe from any thread: ingest's read-ahead asks while another thread stores."""
        with self._lock:
            row = self._db.execute("SELECT state FROM documents WHERE doc_id=?",
                                   (doc_id,)).fetchone()
        return row[0] if row else None

    def doc_for_path(self, path: str) -> str | None:
        forms = self._forms(path)
        row = self._db.execute(f"SELECT doc_id FROM paths WHERE path IN ({_marks(forms)})",
                               forms).fetchone()
        return row[0] if row else None

    def paths_of(self, doc_id: str) -> list[str]:
        rows = self._db.execute("SELECT path FROM paths WHERE doc_id=?", (doc_id,))
        return sorted(self._shown(row[0]) for row in rows)

    # ----- names as stored: sealed in a strict workspace, as given otherwise
    def _stored(self, name: str) -> str:
        return self._names.seal(name) if self._names is not None and self._seal_names() \
            else name

    def _shown(self, stored: str) -> str:
        return self._names.open(stored) if self._names is not None else stored

    def _forms(self, name: str) -> list[str]:
        """Every way ``name`` may be stored (as given, sealed): a policy may have changed."""
        names = self._names
        sealing = names is not None and (names.in_use or self._seal_names())
        return [name, names.seal(name)] if names is not None and sealing else [name]

    def mark(self, doc_id: str, state: str, *, size: int = 0) -> None:
        self._db.execute(
            "INSERT INTO documents(doc_id, state, bytes, updated_at) VALUES(?,?,?,?) "
            "ON CONFLICT(doc_id) DO UPDATE SET state=excluded.state, "
            "updated_at=excluded.updated_at",
            (doc_id, state, size, time.time()))

    def unfinished(self) -> list[str]:
        done = "SELECT doc_id FROM documents WHERE state != 'done'"
        orphans = ("SELECT doc_id FROM documents d WHERE state = 'done' AND NOT EXISTS "
                   "(SELECT 1 FROM paths p WHERE p.doc_id = d.doc_id)")
        return [row[0] for row in self._db.execute(f"{done} UNION {orphans}")]

    def link_path(self, path: str, doc_id: str) -> str | None:
        """Point ``path`` at ``doc_id``; returns the document it pointed at before, if another."""
        previous = self.doc_for_path(path)
        self.unlink_path(path)
        self._db.execute("INSERT INTO paths(path, doc_id) VALUES(?,?)",
                         (self._stored(path), doc_id))
        return previous if previous != doc_id else None

    def unlink_path(self, path: str) -> None:
        forms = self._forms(path)
        self._db.execute(f"DELETE FROM paths WHERE path IN ({_marks(forms)})", forms)

    def finish(self, doc_id: str, document: LoadedDocument, chunks: Sequence[Chunk],
               path: str, before_commit: Callable[[], None] | None = None) -> str | None:
        """Store text, pages and keyword entries and mark the document done, atomically.
        ``before_commit`` runs last inside the transaction (the audit record): if it raises,
        nothing is stored; if the process dies after it, the document is not either."""
        with self._transaction():
            self._delete_rows(doc_id)
            self._db.executemany("INSERT INTO pages VALUES(?,?,?)",
                                 [(doc_id, page.number, page.text) for page in document.pages])
            self._db.executemany("INSERT INTO scans VALUES(?,?,?,?)",
                                 [(doc_id, page.number, page.scan.confidence, page.scan.to_json())
                                  for page in document.pages if page.scan is not None])
            for chunk in chunks:
                cursor = self._db.execute(
                    "INSERT INTO chunks(chunk_id, doc_id, page, start, end) VALUES(?,?,?,?,?)",
                    (chunk_id(doc_id, chunk.ordinal), doc_id, chunk.page, chunk.start, chunk.end))
                self._db.execute("INSERT INTO chunk_text(rowid, text) VALUES(?,?)",
                                 (cursor.lastrowid, chunk.text))
            self._db.execute(
                "UPDATE documents SET state='done', kind=?, title=?, pages=?, chunks=?, notes=?, "
                "updated_at=? WHERE doc_id=?",
                (document.kind, self._stored(document.title), len(document.pages), len(chunks),
                 "; ".join(document.notes), time.time(), doc_id))
            replaced = self.link_path(path, doc_id)
            if before_commit is not None:
                before_commit()
            return replaced

    def forget(self, doc_id: str) -> None:
        with self._transaction():
            self._delete_rows(doc_id)
            self._db.execute("DELETE FROM paths WHERE doc_id=?", (doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            # FTS5 only marks deleted rows; its segments keep their words until merged. Merging
            # all of them now (with secure_delete) leaves no word of the document in the file.
            self._db.execute("INSERT INTO chunk_text(chunk_text) VALUES('optimize')")
        # The write-ahead log still holds the pages as they were before: copy them back and
        # empty it (a reader still on an old snapshot only delays this to the next purge).
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _delete_rows(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM chunk_text WHERE rowid IN "
                         "(SELECT id FROM chunks WHERE doc_id=?)", (doc_id,))
        self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self._db.execute("DELETE FROM pages WHERE doc_id=?", (doc_id,))
        self._db.execute("DELETE FROM scans WHERE doc_id=?", (doc_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    # ----- facts about the whole workspace (e.g. what its stored text was made under)
    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", (key, value))

    # ----- reading
    def documents(self) -> list[DocumentRecord]:
        rows = self._db.execute(
            "SELECT doc_id, state, coalesce(kind,''), coalesce(title,''), coalesce(pages,0), "
            "coalesce(chunks,0), coalesce(bytes,0), coalesce(notes,'') FROM documents")
        records = [DocumentRecord(row[0], row[1], row[2], self._shown(row[3]), row[4], row[5],
                                  row[6], row[7], tuple(self.paths_of(row[0])),
                                  *self._scanned(row[0]))
                   for row in rows.fetchall()]
        return sorted(records, key=lambda record: record.title)

    def _scanned(self, doc_id: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        rows = self._db.execute("SELECT page, confidence FROM scans WHERE doc_id=? ORDER BY page",
                                (doc_id,)).fetchall()
        return (tuple(page for page, _ in rows),
                tuple(page for page, confidence in rows if confidence < LOW_CONFIDENCE))

    def page_scan(self, doc_id: str, page: int) -> PageScan | None:
        """Words and boxes of a page read by OCR; None for a page with a text layer."""
        row = self._db.execute("SELECT scan FROM scans WHERE doc_id=? AND page=?",
                               (doc_id, page)).fetchone()
        return PageScan.from_json(row[0]) if row else None

    def page_text(self, doc_id: str, page: int) -> str | None:
        row = self._db.execute("SELECT text FROM pages WHERE doc_id=? AND page=?",
                               (doc_id, page)).fetchone()
        return row[0] if row else None

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, StoredChunk]:
        wanted = list(chunk_ids)
        found: dict[str, StoredChunk] = {}
        for first in range(0, len(wanted), 500):
            batch = wanted[first:first + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                "SELECT c.chunk_id, c.doc_id, c.page, c.start, c.end, t.text FROM chunks c "
                f"JOIN chunk_text t ON t.rowid = c.id WHERE c.chunk_id IN ({marks})", batch)
            found.update({row[0]: StoredChunk(*row) for row in rows})
        return found

    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks")}

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def keyword_search(self, question: str, limit: int,
                       doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; FTS5 scores are negative, we flip the sign."""
        match = keyword_query(question)
        if not match:
            return []
        sql = ("SELECT c.chunk_id, -bm25(chunk_text) AS score FROM chunk_text "
               "JOIN chunks c ON c.id = chunk_text.rowid WHERE chunk_text MATCH ?")
        params: list[object] = [match]
        if doc_ids:
            sql += f" AND c.doc_id IN ({','.join('?' * len(doc_ids))})"
            params += list(doc_ids)
        sql += " ORDER BY bm25(chunk_text) LIMIT ?"
        return [(row[0], row[1]) for row in self._db.execute(sql, [*params, limit])]


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), one thread at a time on a connection."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db, self._lock = db, lock

    def __enter__(self) -> None:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            self._db.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self._lock.release()
