"""HTML for the conversation: questions, answers with [n] citations as links, their evidence.

An answer found from evidence leads with its direct answer, checked (bold, with the check's
mark), above the quoted sentences, each with its [n] link, source, page and check. An honest
no ("No clause on assignment was found in ...") is a calm, plain state, its closest passages
below it under "Closest passages, not an answer"; only weak evidence is marked with a warning.
Older answers show their text and a list of sources.
"""

from __future__ import annotations

import html
import re

from app.answers.answer import CLOSEST
from app.answers.search import LOW_QUALITY_SCAN
from app.history import CitationRef, Exchange, QuoteRef
from app.markdown_text import plain

_CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
PENDING = "Checking a short answer against the evidence…"
GROUNDED_MARK = "✓ checked against the quoted page"
DECLINED_COLOUR = "#455a64"
UNGROUNDED_COLOUR = "#b26a00"


def citation_href(exchange_index: int, number: int) -> str:
    return f"cite:{exchange_index}:{number}"


def quote_href(exchange_index: int, number: int, quote_index: int) -> str:
    """The [n] under a quote: its source, and which quote (its own sentence is marked)."""
    return f"cite:{exchange_index}:{number}:{quote_index}"


def parse_citation_href(href: str) -> tuple[int, int] | None:
    target = parse_quote_href(href)
    return target[:2] if target else None


def parse_quote_href(href: str) -> tuple[int, int, int | None] | None:
    """(exchange, source number, quote index or None) of a citation link."""
    parts = href.split(":")
    if len(parts) not in (3, 4) or parts[0] != "cite" or not "".join(parts[1:]).isdigit():
        return None
    return int(parts[1]), int(parts[2]), int(parts[3]) if len(parts) == 4 else None


def answer_html(text: str, exchange_index: int, known: set[int]) -> str:
    """The answer escaped, each [n] with a known source turned into a link ("[1, 2]" becomes
    "[1] [2]"). The whole "[n]", brackets included, is the link, as under a quote: a link
    on the digit alone is one character wide, and a click beside it opened nothing."""
    def link(match: re.Match[str]) -> str:
        numbers = [int(part) for part in re.findall(r"\d+", match.group(1))]
        if not any(n in known for n in numbers):
            return match.group(0)
        return " ".join(f"<a href='{citation_href(exchange_index, n)}'>[{n}]</a>" if n in known
                        else f"[{n}]" for n in numbers)

    escaped = html.escape(text)
    return _CITATION.sub(link, escaped).replace("\n", "<br>")


def sources_html(refs: list[CitationRef], exchange_index: int) -> str:
    if not refs:
        return ""
    rows = []
    for ref in sorted(refs, key=lambda r: r.number):
        rows.append(f"<a href='{citation_href(exchange_index, ref.number)}'>[{ref.number}]</a> "
                    f"{html.escape(ref.source)}, page {ref.page} &nbsp;{_mark(ref)}")
    return ("<p style='font-size:small; margin-left:12px'><b>Sources</b><br>"
            + "<br>".join(rows) + "</p>")


def _mark(ref: CitationRef) -> str:
    tip = html.escape(ref.detail, quote=True)
    if not ref.cited:
        return f"<span style='color:gray' title='{tip}'>not cited</span>"
    if ref.verified:
        scan = (f" <span style='color:{UNGROUNDED_COLOUR}'>⚠ {LOW_QUALITY_SCAN}</span>"
                if LOW_QUALITY_SCAN in ref.detail else "")
        return f"<span style='color:#2e7d32' title='{tip}'>✓ verified on the page</span>{scan}"
    return f"<span style='color:#c62828' title='{tip}'>⚠ {html.escape(ref.detail)}</span>"


def exchange_html(exchange: Exchange, index: int, shade: str) -> str:
    question = html.escape(exchange.question).replace("\n", "<br>")
    stopped = "<p><i>[stopped]</i></p>" if exchange.stopped else ""
    body = evidence_answer_html(exchange, index) if exchange.quotes else (
        f"{answer_html(exchange.answer, index, {ref.number for ref in exchange.citations})}")
    sources = "" if exchange.quotes else sources_html(exchange.citations, index)
    return (f"<table width='100%' cellpadding='8' style='background:{shade}; margin-top:10px'>"
            f"<tr><td><b>You</b><br>{question}</td></tr></table>"
            f"<p style='margin-top:8px'><b>Enclave</b><br>{body}</p>{stopped}{sources}")


def evidence_answer_html(exchange: Exchange, index: int) -> str:
    """The short answer (bold, when checked) or the reason there is none (marked), then the
    quoted evidence."""
    known = {ref.number for ref in exchange.citations}
    if not exchange.answer:
        lead = f"<i>{PENDING}</i>"
    elif exchange.grounded:
        lead = (f"<b>{answer_html(exchange.answer, index, known)}</b> "
                f"<span style='color:#2e7d32; font-size:small'>{GROUNDED_MARK}</span>")
    elif exchange.outcome == "declined":
        # no symbol: the "ⓘ" it had is in no font of a plain Debian desktop (a box was drawn)
        lead = (f"<span style='color:{DECLINED_COLOUR}'>{html.escape(exchange.answer)}</span>"
                f"<br><span style='font-size:small; color:gray'>{CLOSEST}</span>")
    else:
        lead = (f"<span style='color:{UNGROUNDED_COLOUR}'>⚠ "
                f"{html.escape(exchange.answer)}</span>")
    quotes = "".join(quote_html(quote, exchange.citation(quote.number), index, position)
                     for position, quote in enumerate(exchange.quotes))
    return f"{lead}{quotes}"


def quote_html(quote: QuoteRef, ref: CitationRef | None, index: int,
               position: int = 0) -> str:
    text = html.escape(plain(quote.text))  # Markdown markup hidden, wrapped lines joined
    if quote.fact and html.escape(plain(quote.fact)) in text:
        fact = html.escape(plain(quote.fact))
        text = text.replace(fact, f"<b>{fact}</b>", 1)
    where = f" {html.escape(ref.source)}, page {ref.page} &nbsp;{_mark(ref)}" if ref else ""
    return (f"<p style='margin-left:14px; margin-top:6px'>“{text}” — "
            f"<a href='{quote_href(index, quote.number, position)}'>[{quote.number}]</a>"
            f"{where}</p>")


# The status colours above suit a light page; on a dark one (a dark desktop theme) their
# lighter twins keep a contrast of 4.5:1 or more.
ON_DARK = {"#2e7d32": "#81c784", "#c62828": "#ef9a9a", UNGROUNDED_COLOUR: "#ffb74d",
           DECLINED_COLOUR: "#b0bec5"}


def transcript_html(exchanges: list[Exchange], shade: str) -> str:
    """``shade``: the palette's alternate base colour (#rrggbb), which also tells a dark
    palette from a light one."""
    page = "".join(exchange_html(exchange, index, shade)
                   for index, exchange in enumerate(exchanges))
    if _is_dark(shade):
        for light, dark in ON_DARK.items():
            page = page.replace(f"color:{light}", f"color:{dark}")
    return page


def _is_dark(colour: str) -> bool:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 128
