"""The PII analyzer: Presidio with our recognizers over a NER-only spaCy pipeline, built once.

Texts are cut into pieces of about 5,000 characters at paragraph, line or sentence breaks, the
pieces go through spaCy in batches (``nlp.pipe``), and findings are shifted back to offsets in
the original text. Any length works, including texts beyond spaCy's 1M-character limit.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from typing import Any

import regex
from presidio_analyzer import AnalyzerEngine, RecognizerResult

from app.privacy.addresses import complete_addresses
from app.privacy.findings import Finding, resolve_overlaps
from app.privacy.furniture import drop_document_furniture
from app.privacy.nlp import FastContextEnhancer, NerOnlySpacyEngine
from app.privacy.propagation import with_names_propagated
from app.privacy.registry import build_registry
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress

log = logging.getLogger(__name__)

PIECE_CHARS = 5000
DEFAULT_THRESHOLD = 0.4
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")
_HAS_ALNUM = regex.compile(r"[\p{L}\p{N}]")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

Piece = tuple[int, str]  # offset in the original text, text


def split_text(text: str, size: int = PIECE_CHARS) -> list[Piece]:
    """Consecutive pieces of at most ``size`` characters, cut at the strongest break found in
    the last fifth of each window (a hard cut only when there is none)."""
    pieces: list[Piece] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            end = _break_before(text, start + size * 4 // 5, end)
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _break_before(text: str, low: int, high: int) -> int:
    for mark in _BREAKS:
        found = text.rfind(mark, low, high)
        if found != -1:
            return found + len(mark)
    return high


def clean_for_analysis(text: str) -> str:
    """Control characters (binary-looking input) become spaces; offsets do not move."""
    return _CONTROL.sub(" ", text)


class PiiAnalyzer:
    """Finds personal identifiers. Build it once (loading spaCy takes about a second)."""

    def __init__(self, engine: AnalyzerEngine, *, score_threshold: float = DEFAULT_THRESHOLD,
                 piece_chars: int = PIECE_CHARS, batch_size: int = 32) -> None:
        self.engine = engine
        self.score_threshold = score_threshold
        self.piece_chars = piece_chars
        self.batch_size = batch_size
        self._recognizers = engine.registry.get_recognizers(language="en", all_fields=True)
        for recognizer in self._recognizers:
            if not recognizer.is_loaded:
                recognizer.load()
                recognizer.is_loaded = True
        self._entities = engine.get_supported_entities(language="en")

    @property
    def nlp(self) -> Any:
        return self.engine.nlp_engine.get_nlp("en")  # type: ignore[attr-defined]

    def analyze(self, text: str, *, progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> list[Finding]:
        return self.analyze_many([text], progress=progress, cancel=cancel)[0]

    def analyze_many(self, texts: Sequence[str], *, workers: int = 1,
                     progress: ProgressFn = no_progress, cancel: CancelFn = never_cancel
                     ) -> list[list[Finding]]:
        """Findings per text. ``workers`` > 1 forks that many processes (POSIX only).

        Short texts are not packed together: spaCy's NER reads across a join and recall drops.
        """
        pieces = [(index, offset, piece) for index, text in enumerate(texts)
                  for offset, piece in split_text(clean_for_analysis(text), self.piece_chars)]
        texts_only = [piece for _, _, piece in pieces]
        if workers > 1 and len(pieces) > 1 and _can_fork():
            found = _analyze_in_workers(self, texts_only, workers, progress, cancel)
        else:
            found = self.analyze_pieces(texts_only, progress, cancel)
        per_text: list[list[Finding]] = [[] for _ in texts]
        for (index, offset, _), findings in zip(pieces, found, strict=True):
            per_text[index].extend(finding.shifted(offset) for finding in findings)
        return [with_names_propagated(text, resolve_overlaps(complete_addresses(
                    text, drop_document_furniture(text, resolve_overlaps(findings)))))
                for text, findings in zip(texts, per_text, strict=True)]

    def analyze_pieces(self, pieces: Sequence[str], progress: ProgressFn = no_progress,
                       cancel: CancelFn = never_cancel) -> list[list[Finding]]:
        nlp_engine = self.engine.nlp_engine
        results: list[list[Finding]] = []
        docs = self.nlp.pipe(_until_cancelled(pieces, cancel), batch_size=self.batch_size)
        for number, (piece, doc) in enumerate(zip(pieces, docs, strict=True), start=1):
            check_cancelled(cancel)
            artifacts = nlp_engine.artifacts(doc)  # type: ignore[attr-defined]
            results.append(resolve_overlaps(self._recognize(piece, artifacts)))
            progress(number / len(pieces), f"Looking for personal data: part {number}")
        return results

    def _recognize(self, text: str, artifacts: Any) -> list[Finding]:
        """What ``AnalyzerEngine.analyze`` does, minus its per-call bookkeeping (registry
        look-ups, deep copies, duplicate removal): recognizers, context, threshold."""
        raw = []
        for recognizer in self._recognizers:
            for result in recognizer.analyze(text, self._entities, artifacts) or ():
                metadata = result.recognition_metadata = result.recognition_metadata or {}
                metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
                metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY,
                                    getattr(recognizer, "name", ""))
                raw.append(result)
        enhanced = self.engine.context_aware_enhancer.enhance_using_context(
            text=text, raw_results=raw, nlp_artifacts=artifacts, recognizers=self._recognizers)
        # A span without a letter or digit ("****" in filed contracts) identifies nobody.
        return [_to_finding(r) for r in enhanced if r.score >= self.score_threshold
                and _HAS_ALNUM.search(text, r.start, r.end)]


def _until_cancelled(pieces: Sequence[str], cancel: CancelFn) -> Iterator[str]:
    """The pieces, fed to spaCy one at a time, stopping as soon as the user cancels."""
    for piece in pieces:
        check_cancelled(cancel)
        yield piece


def _to_finding(result: Any) -> Finding:
    metadata = result.recognition_metadata or {}
    return Finding(result.entity_type, result.start, result.end, round(result.score, 3),
                   str(metadata.get("recognizer_name", "")))


def build_analyzer(*, score_threshold: float = DEFAULT_THRESHOLD) -> PiiAnalyzer:
    nlp_engine = NerOnlySpacyEngine()
    nlp_engine.load()
    engine = AnalyzerEngine(registry=build_registry(), nlp_engine=nlp_engine,
                            supported_languages=["en"],
                            context_aware_enhancer=FastContextEnhancer())
    return PiiAnalyzer(engine, score_threshold=score_threshold)


# Worker processes: forked after the analyzer is built, so they share its loaded model.
_WORKER_ANALYZER: PiiAnalyzer | None = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _work(pieces: list[str]) -> list[list[Finding]]:
    assert _WORKER_ANALYZER is not None
    return _WORKER_ANALYZER.analyze_pieces(pieces)


def _analyze_in_workers(analyzer: PiiAnalyzer, pieces: list[str], workers: int,
                        progress: ProgressFn, cancel: CancelFn) -> list[list[Finding]]:
    global _WORKER_ANALYZER
    _WORKER_ANALYZER = analyzer
    size = max(1, min(analyzer.batch_size, len(pieces) // (workers * 4) or 1))
    batches = [pieces[i:i + size] for i in range(0, len(pieces), size)]
    results: list[list[Finding]] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for number, batch_result in enumerate(pool.imap(_work, batches), start=1):
            check_cancelled(cancel)
            results.extend(batch_result)
            progress(number / len(batches), "Looking for personal data")
    return results
