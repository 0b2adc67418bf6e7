"""Grounding check: a statement is shown as fact only if its quote and figures hold up.

1. The quote must appear verbatim in the text of the cited page (whitespace differences, such
   as line breaks of the PDF, are ignored; nothing else is).
2. Every number, number word and month name in the statement must appear in its quote.
"""

from __future__ import annotations

import re

from app.contracts.document import squash
from app.contracts.facts import number_and_date_tokens
from app.contracts.summary import Citation

_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")


def quote_problems(citation: Citation, page_text: str | None) -> list[str]:
    if page_text is None:
        return [f"page {citation.page} does not exist in the document"]
    if not citation.quote.strip():
        return ["the quote is empty"]
    if squash(citation.quote) not in squash(page_text):
        return [f"the quote is not found verbatim on page {citation.page}"]
    return []


def figure_problems(statement: str, quote: str) -> list[str]:
    normal_quote = _normal(quote)
    missing = [token for token in number_and_date_tokens(statement)
               if not _contains(normal_quote, _normal(token))]
    return [f"'{token}' in the statement is not in the quote" for token in dict.fromkeys(missing)]


def check(statement: str, citation: Citation, page_text: str | None) -> tuple[str, ...]:
    """Why the statement is not grounded; empty when it is."""
    problems = quote_problems(citation, page_text)
    return tuple(problems + figure_problems(statement, citation.quote))


def _normal(text: str) -> str:
    return squash(text).lower().replace(",", "")


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` as a whole number ("20" in "20th", not in "200") or a
    whole word ("ten" not in "often")."""
    glued = _DIGIT if needle[:1].isdigit() else _LETTER
    for match in re.finditer(re.escape(needle), haystack):
        before = haystack[match.start() - 1] if match.start() else " "
        after = haystack[match.end()] if match.end() < len(haystack) else " "
        if not glued.match(before) and not glued.match(after):
            return True
    return False
