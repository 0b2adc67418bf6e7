"""The one base class of our pattern recognizers: rules, an optional check, context words.

A rule's regex may name a group ``v``: only that group becomes the finding (the words around it,
such as "MRN:", only anchor the match). A failed :meth:`RegexRecognizer.check` drops the match;
a passed one keeps the rule's score (strong rules score high, weak ones need context words).

Case-sensitive rules (names, streets, places start with a capital) would find nothing in a text
written all in lower case (chats, notes typed on a phone). A recognizer that sets
``CASE_RESTORE`` matches such a text in a case-restored copy: every word but English stop words
capitalised ("my name is Borna Jerković but Everyone Calls me Borna"), offsets unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

Rule = tuple[str, str, float]  # name, pattern, score

DEFAULT_FLAGS = regex.IGNORECASE | regex.MULTILINE
_LOWER_WORD = regex.compile(r"(?<![\p{L}'’])\p{Ll}[\p{L}'’]*")
_HAS_UPPER = regex.compile(r"\p{Lu}")


def restore_case(text: str) -> str:
    """``text`` with its words capitalised, except stop words; same length, same offsets."""
    def capitalised(match: regex.Match[str]) -> str:
        word = match.group()
        upper = word[0].upper()
        return word if word in STOP_WORDS or len(upper) != 1 else upper + word[1:]
    return _LOWER_WORD.sub(capitalised, text)


def is_lower_case(text: str) -> bool:
    """A text with letters and not a single capital."""
    return _HAS_UPPER.search(text) is None and _LOWER_WORD.search(text) is not None


class RegexRecognizer(EntityRecognizer):
    ENTITY: ClassVar[str]
    RULES: ClassVar[tuple[Rule, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    FLAGS: ClassVar[int] = DEFAULT_FLAGS
    CASE_RESTORE: ClassVar[bool] = False
    name: str

    def __init__(self) -> None:
        self._compiled = [(name, regex.compile(pattern, self.FLAGS), score)
                          for name, pattern, score in self.RULES]
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__,
                         supported_language="en", context=list(self.CONTEXT))

    def load(self) -> None:
        """Nothing to load: the rules are compiled in the constructor."""

    def check(self, value: str) -> bool:
        """Whether the matched value is a real identifier (checksums, plausible ranges)."""
        return True

    def adjust_score(self, value: str, score: float) -> float:
        """The rule's score, or more when the value's own shape is strong evidence."""
        return score

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None
                ) -> list[RecognizerResult]:
        best: dict[tuple[int, int], tuple[float, str]] = {}
        matched = restore_case(text) if self.CASE_RESTORE and is_lower_case(text) else text
        for name, compiled, score in self._compiled:
            for match in compiled.finditer(matched):
                span = match.span("v") if "v" in compiled.groupindex else match.span()
                value = matched[span[0]:span[1]]
                if span[0] == span[1] or not self.check(value):
                    continue
                adjusted = self.adjust_score(value, score)
                if best.get(span, (-1.0, ""))[0] < adjusted:
                    best[span] = (adjusted, name)
        return [self._result(start, end, score, name)
                for (start, end), (score, name) in best.items()]

    def _result(self, start: int, end: int, score: float, rule: str) -> RecognizerResult:
        explanation = AnalysisExplanation(recognizer=self.name, original_score=score,
                                          pattern_name=rule, textual_explanation=rule)
        return RecognizerResult(
            entity_type=self.ENTITY, start=start, end=end, score=score,
            analysis_explanation=explanation,
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                  RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
        )
