"""The one base class of our pattern recognizers: rules, an optional check, context words.

A rule's regex may name a group ``v``: only that group becomes the finding (the words around it,
such as "MRN:", only anchor the match). A failed :meth:`RegexRecognizer.check` drops the match;
a passed one keeps the rule's score (strong rules score high, weak ones need context words).
"""

from __future__ import annotations

from typing import Any, ClassVar

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

Rule = tuple[str, str, float]  # name, pattern, score

DEFAULT_FLAGS = regex.IGNORECASE | regex.MULTILINE


class RegexRecognizer(EntityRecognizer):
    ENTITY: ClassVar[str]
    RULES: ClassVar[tuple[Rule, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    FLAGS: ClassVar[int] = DEFAULT_FLAGS
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
        for name, compiled, score in self._compiled:
            for match in compiled.finditer(text):
                span = match.span("v") if "v" in compiled.groupindex else match.span()
                value = text[span[0]:span[1]]
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
