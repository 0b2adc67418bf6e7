"""Long runs of plain lower-case words blanked in the text NER reads: fewer tokens, the same
entities elsewhere.

Legal and medical prose is mostly lower-case words ("shall be entitled to terminate this
agreement upon thirty days written notice"), where the small English model finds next to
nothing. Its token vectors see four tokens either side (a window of one, four layers deep) and
its entity decisions read the current token, the entity's first token and the previous one.
So if a run keeps :data:`MARGIN` words at each end and only the words between are blanked, a
token outside the run has the same inputs and gets the same vector and the same entity as
before; only an entity reaching deep into the run could change. Measured on CUAD contracts:
17% fewer tokens through NER; findings on 8 contracts and the synthetic set in
``tests/bench/compare_pii_findings.py`` / ``eval_pii``.

An entity can still run on from a name into the lower-case words after it (a date of twenty
words did, through a blanked middle): :func:`app.privacy.analyzer.cut_at_blanks` ends every
entity before its first blanked token. On 20 CUAD contracts: 5,406 findings before, 5,390 after;
the removed ones are lower-case words NER had tagged ("decompile", "thereon", "inn", "bearer")
and one date shortened to "the month of March".

A text without a single capital (a chat typed on a phone) is left as it is: there the names
are lower-case words too (measured: blanking it moved entities in 4 such texts of the synthetic
set, one into a span of 30 words).

Blanking turns characters into spaces (spaCy reads a run of spaces as one token), so offsets do
not move. Words with capitals, digits, hyphens or apostrophes end a run: they are what NER is
there for.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from app.privacy.recognizers.base import is_lower_case

MARGIN = 4  # words kept at each end of a run (the model's tok2vec sees 4 tokens either side)
MIN_BLANKED = 3  # a shorter middle saves too little to be worth a cut
_PLAIN_WORD = regex.compile(r"(?<![\p{L}\p{N}'’_-])\p{Ll}+(?![\p{L}\p{N}'’_-])")
_SEPARATOR = regex.compile(r"[\s,;:.()]+")


def blank_plain_runs(text: str) -> str:
    """``text`` with the middles of long runs of lower-case words blanked (same length)."""
    return text if is_lower_case(text) else blank_spans(text, _middles(text))


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span, sorted, overlaps allowed, turned into spaces:
    spaCy reads a run of spaces as one token, and offsets do not move."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        start = max(start, position)
        if end > start:
            parts += [text[position:start], " " * (end - start)]
            position = end
    return "".join(parts) + text[position:] if parts else text


def _middles(text: str) -> list[tuple[int, int]]:
    """The spans to blank: each run of plain words less :data:`MARGIN` words at each end."""
    middles: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for match in _PLAIN_WORD.finditer(text):
        if run and not _SEPARATOR.fullmatch(text, run[-1][1], match.start()):
            _add_middle(run, middles)
            run = []
        run.append(match.span())
    _add_middle(run, middles)
    return middles


def _add_middle(run: list[tuple[int, int]], middles: list[tuple[int, int]]) -> None:
    if len(run) >= 2 * MARGIN + MIN_BLANKED:
        middles.append((run[MARGIN][0], run[-MARGIN - 1][1]))
