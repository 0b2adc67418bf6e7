"""The PII analyzer: Presidio with our recognizers over a NER-only spaCy pipeline, built once.

A document goes through spaCy's NER once, in windows of up to 20,000 characters cut at
paragraph, line or sentence breaks (any length works, beyond spaCy's 1M-character limit too);
windows of many documents go through the NER model in batches of about 20,000 characters
(decoded by :mod:`app.privacy.greedy_ner`: spaCy's entities, without its per-token GIL
hand-overs), and findings are shifted back to offsets in the original text. (Measured: NER
time is the same for windows of 5,000 to 50,000 characters, but batches of more than about
40,000 characters are slower, their arrays no longer in cache; short texts batched by 100 or
more are a fifth faster than by 32.) The pattern recognizers run first, and identifiers they
match strongly (SSNs, cards, e-mail addresses...) are blanked in the text NER reads: fewer
tokens, the same findings on the synthetic set (addresses stay: NER knows a name line by the
address under it). Then each document is finished as a whole (defined terms, addresses, names
spread to their other mentions).

Many texts at once (ingest, review of many files, exports) can be shared with warm worker
processes (``workers``, :mod:`app.privacy.pool`). A text that cannot be analysed fails alone:
:class:`UnanalysableTexts` names it and carries the findings of the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import regex
from presidio_analyzer import AnalyzerEngine, RecognizerResult
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.tokens import Span

from app.privacy.addresses import complete_addresses
from app.privacy.findings import STRONG_PATTERN, Finding, resolve_overlaps
from app.privacy.furniture import drop_document_furniture
from app.privacy.greedy_ner import GreedyNer, supports
from app.privacy.jurisdictions import drop_jurisdictions
from app.privacy.nlp import FastContextEnhancer, NerOnlySpacyEngine, one_blas_thread
from app.privacy.plain_runs import blank_plain_runs, blank_spans
from app.privacy.propagation import with_names_propagated
from app.privacy.registry import build_registry
from app.privacy.windows import (
    WINDOW_CHARS,
    UnanalysableTexts,
    Window,
    clean_for_analysis,
    describe_failure,
    split_text,
)
from core.errors import Cancelled
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress

if TYPE_CHECKING:
    from app.privacy.pool import PiiWorkerPool

__all__ = ["PiiAnalyzer", "UnanalysableTexts", "build_analyzer", "clean_for_analysis",
           "split_text"]

log = logging.getLogger(__name__)

BATCH_CHARS = 20_000
DEFAULT_THRESHOLD = 0.4
_HAS_ALNUM = regex.compile(r"[\p{L}\p{N}]")
# Types NER gives, and places and dates it reads as context: a name line is known by the address
# block under it (blanking addresses lost names on the synthetic set; identifiers lost nothing).
KEPT_FOR_NER = frozenset({"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION",
                          "STREET_ADDRESS", "ZIP_CODE", "DATE_OF_BIRTH"})

class PiiAnalyzer:
    """Finds personal identifiers. Build it once (loading spaCy takes about a second)."""

    def __init__(self, engine: AnalyzerEngine, *, score_threshold: float = DEFAULT_THRESHOLD,
                 window_chars: int = WINDOW_CHARS, batch_chars: int = BATCH_CHARS,
                 workers: int = 1, skip_explained: bool = True, skip_plain: bool = True
                 ) -> None:
        self.engine = engine
        self.score_threshold = score_threshold
        self.window_chars = window_chars
        self.batch_chars = batch_chars
        self.workers = workers
        self._pool: PiiWorkerPool | None = None
        self.skip_explained = skip_explained
        self.skip_plain = skip_plain
        self._recognizers = engine.registry.get_recognizers(language="en", all_fields=True)
        for recognizer in self._recognizers:
            if not recognizer.is_loaded:
                recognizer.load()
                recognizer.is_loaded = True
        self._ner_recognizers = [r for r in self._recognizers if isinstance(r, SpacyRecognizer)]
        self._pattern_recognizers = [r for r in self._recognizers
                                     if not isinstance(r, SpacyRecognizer)]
        self._entities = engine.get_supported_entities(language="en")
        self._greedy_ner = GreedyNer(self.nlp) if supports(self.nlp) else None

    @property
    def nlp(self) -> Any:
        return self.engine.nlp_engine.get_nlp("en")  # type: ignore[attr-defined]

    def analyze(self, text: str, *, progress: ProgressFn = no_progress,
                cancel: CancelFn = never_cancel) -> list[Finding]:
        return self.analyze_many([text], progress=progress, cancel=cancel)[0]

    def analyze_many(self, texts: Sequence[str], *, workers: int | None = None,
                     progress: ProgressFn = no_progress, cancel: CancelFn = never_cancel
                     ) -> list[list[Finding]]:
        """Findings per text. With ``workers`` > 1 (default: the analyzer's) and enough text
        to share, warm worker processes do the work (POSIX; elsewhere this process does).

        Short texts are not packed together: spaCy's NER reads across a join and recall drops.
        """
        from app.privacy.pool import PoolUnavailable, can_fork, worth_sharing

        count = self.workers if workers is None else workers
        if count > 1 and can_fork() and worth_sharing(texts, count, self.window_chars):
            try:
                return self.pool(count).analyze_many(texts, progress=progress, cancel=cancel)
            except PoolUnavailable as error:  # slower, never stuck: this process does it all
                log.warning("%s; analysing in one process from now on", error.message)
                self.workers = 1
        return self.analyze_here(texts, progress=progress, cancel=cancel)

    def pool(self, workers: int) -> PiiWorkerPool:
        """The warm worker pool of this analyzer (started on first use, kept until closed)."""
        from app.privacy.pool import PiiWorkerPool

        if self._pool is None or self._pool.workers != workers or not self._pool.alive:
            self.close()
            self._pool = PiiWorkerPool(self, workers)
        return self._pool

    def close(self) -> None:
        """Stops the worker processes, if any."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def analyze_here(self, texts: Sequence[str], *, progress: ProgressFn = no_progress,
                     cancel: CancelFn = never_cancel) -> list[list[Finding]]:
        """Findings per text, in this process; a text that fails is reported alone."""
        try:
            return self._analyze_together(texts, progress, cancel)
        except (Cancelled, MemoryError):
            raise
        except Exception:  # one bad text: find it, keep the others' findings
            log.exception("PII analysis of a batch failed; analysing its texts one by one")
        results: list[list[Finding] | None] = []
        failures: dict[int, str] = {}
        for index, text in enumerate(texts):
            try:
                results.append(self._analyze_together([text], no_progress, cancel)[0])
            except (Cancelled, MemoryError):
                raise
            except Exception as error:
                results.append(None)
                failures[index] = describe_failure(error)
        if failures:
            raise UnanalysableTexts(results, failures)
        return [found for found in results if found is not None]

    def _analyze_together(self, texts: Sequence[str], progress: ProgressFn,
                          cancel: CancelFn) -> list[list[Finding]]:
        windows = self.windows_of(texts)
        found = self.analyze_windows([window for _, _, window in windows], progress, cancel)
        per_text: list[list[Finding]] = [[] for _ in texts]
        for (index, offset, _), findings in zip(windows, found, strict=True):
            per_text[index].extend(finding.shifted(offset) for finding in findings)
        return [self.finish(text, findings)
                for text, findings in zip(texts, per_text, strict=True)]

    def windows_of(self, texts: Sequence[str]) -> list[Window]:
        return [(index, offset, window) for index, text in enumerate(texts)
                for offset, window in split_text(clean_for_analysis(text), self.window_chars)]

    @staticmethod
    def finish(text: str, findings: list[Finding]) -> list[Finding]:
        """A document's findings from all its windows, made whole: defined terms, headings and
        jurisdictions dropped, addresses completed, names spread to their other mentions."""
        kept = drop_document_furniture(text, resolve_overlaps(findings))
        return drop_jurisdictions(text, with_names_propagated(
            text, resolve_overlaps(complete_addresses(text, kept))))

    def analyze_windows(self, windows: Sequence[str], progress: ProgressFn = no_progress,
                        cancel: CancelFn = never_cancel) -> list[list[Finding]]:
        """Findings per window (offsets in the window), NER batched over all of them."""
        nlp_engine = self.engine.nlp_engine
        results: list[list[Finding]] = []
        patterns = [self._patterns(window) for window in _until_cancelled(windows, cancel)]
        masked = [self._ner_input(window, found)
                  for window, found in zip(windows, patterns, strict=True)]
        with one_blas_thread():
            docs = self._ner(masked, cancel)
            for number, (window, mask, found, doc) in enumerate(
                    zip(windows, masked, patterns, docs, strict=True), start=1):
                check_cancelled(cancel)
                if mask is not window:
                    cut_at_blanks(doc, window, mask)
                artifacts = nlp_engine.artifacts(doc)  # type: ignore[attr-defined]
                results.append(resolve_overlaps(self._recognize(window, found, artifacts)))
                progress(number / len(windows), f"Looking for personal data: part {number}")
        return results

    def _ner_input(self, window: str, patterns: list[Any]) -> str:
        """The window as NER reads it: explained identifiers and the middles of long runs of
        plain lower-case words blanked (:mod:`app.privacy.plain_runs`)."""
        masked = blank_explained(window, patterns) if self.skip_explained else window
        return blank_plain_runs(masked) if self.skip_plain else masked

    def _ner(self, windows: Sequence[str], cancel: CancelFn) -> Iterator[Any]:
        """spaCy docs of ``windows``, in batches of about ``batch_chars`` characters."""
        batch: list[str] = []
        size = 0
        for window in windows:
            batch.append(window)
            size += len(window)
            if size >= self.batch_chars:
                yield from self._ner_batch(batch, cancel)
                batch, size = [], 0
        yield from self._ner_batch(batch, cancel)

    def _ner_batch(self, batch: list[str], cancel: CancelFn) -> Iterator[Any]:
        """spaCy docs of one batch: tokenizer and NER model, decoded by :mod:`greedy_ner`
        when it knows the model (spaCy's own decoding otherwise)."""
        if self._greedy_ner is None:
            return self.nlp.pipe(_until_cancelled(batch, cancel), batch_size=max(len(batch), 1))
        make_doc = self.nlp.make_doc
        return iter(self._greedy_ner([make_doc(text) for text in _until_cancelled(batch, cancel)]))

    def _patterns(self, text: str) -> list[Any]:
        """The results of every recognizer but spaCy's (they do not read the NER)."""
        return self._run(self._pattern_recognizers, text, None)

    def _run(self, recognizers: list[Any], text: str, artifacts: Any) -> list[Any]:
        raw = []
        for recognizer in recognizers:
            for result in recognizer.analyze(text, self._entities, artifacts) or ():
                metadata = result.recognition_metadata = result.recognition_metadata or {}
                metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
                metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY,
                                    getattr(recognizer, "name", ""))
                raw.append(result)
        return raw

    def _recognize(self, text: str, patterns: list[Any], artifacts: Any) -> list[Finding]:
        """What ``AnalyzerEngine.analyze`` does, minus its per-call bookkeeping (registry
        look-ups, deep copies, duplicate removal): recognizers, context, threshold."""
        raw = patterns + self._run(self._ner_recognizers, text, artifacts)
        enhanced = self.engine.context_aware_enhancer.enhance_using_context(
            text=text, raw_results=raw, nlp_artifacts=artifacts, recognizers=self._recognizers)
        # A span without a letter or digit ("****" in filed contracts) identifies nobody.
        return [_to_finding(r) for r in enhanced if r.score >= self.score_threshold
                and _HAS_ALNUM.search(text, r.start, r.end)]


def blank_explained(text: str, results: Sequence[Any]) -> str:
    """``text`` with the spans of strong pattern matches of identifiers NER never gives (SSNs,
    cards, e-mail and web addresses, phone numbers...) blanked out: spaCy reads a run of
    spaces as one token, so NER skips them. Offsets do not move."""
    return blank_spans(text, sorted((r.start, r.end) for r in results
                                    if r.score >= STRONG_PATTERN and
                                    r.entity_type not in KEPT_FOR_NER))


def cut_at_blanks(doc: Any, text: str, masked: str) -> None:
    """Entities of ``doc`` (NER of ``masked``) end before the first token blanked out of
    ``text``: an entity never reaches over words NER did not see."""
    kept, cut = [], False
    for entity in doc.ents:
        if text[entity.start_char:entity.end_char] == masked[entity.start_char:entity.end_char]:
            kept.append(entity)
            continue
        cut = True
        end = entity.start
        while end < entity.end and _same(doc[end], text, masked):
            end += 1
        if end > entity.start:
            kept.append(Span(doc, entity.start, end, label=entity.label))
    if cut:
        doc.set_ents(kept, default="outside")


def _same(token: Any, text: str, masked: str) -> bool:
    start, end = token.idx, token.idx + len(token)
    return text[start:end] == masked[start:end]


def _until_cancelled(pieces: Sequence[str], cancel: CancelFn) -> Iterator[str]:
    """The pieces, fed to spaCy one at a time, stopping as soon as the user cancels."""
    for piece in pieces:
        check_cancelled(cancel)
        yield piece


def _to_finding(result: Any) -> Finding:
    metadata = result.recognition_metadata or {}
    return Finding(result.entity_type, result.start, result.end, round(result.score, 3),
                   str(metadata.get("recognizer_name", "")))


def build_analyzer(*, score_threshold: float = DEFAULT_THRESHOLD, workers: int = 1
                   ) -> PiiAnalyzer:
    """``workers`` > 1: batches of texts are shared with that many warm worker processes."""
    nlp_engine = NerOnlySpacyEngine()
    nlp_engine.load()
    engine = AnalyzerEngine(registry=build_registry(), nlp_engine=nlp_engine,
                            supported_languages=["en"],
                            context_aware_enhancer=FastContextEnhancer())
    return PiiAnalyzer(engine, score_threshold=score_threshold, workers=workers)
