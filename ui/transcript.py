"""HTML for the conversation: questions, answers with [n] citations as links, their sources."""

from __future__ import annotations

import html
import re

from ui.history import CitationRef, Exchange

_CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def citation_href(exchange_index: int, number: int) -> str:
    return f"cite:{exchange_index}:{number}"


def parse_citation_href(href: str) -> tuple[int, int] | None:
    parts = href.split(":")
    if len(parts) != 3 or parts[0] != "cite" or not (parts[1] + parts[2]).isdigit():
        return None
    return int(parts[1]), int(parts[2])


def answer_html(text: str, exchange_index: int, known: set[int]) -> str:
    """The answer escaped, each [n] with a known source turned into a link."""
    def link(match: re.Match[str]) -> str:
        numbers = [int(part) for part in re.findall(r"\d+", match.group(1))]
        links = [f"<a href='{citation_href(exchange_index, n)}'>{n}</a>" if n in known
                 else str(n) for n in numbers]
        return "[" + ", ".join(links) + "]"

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
        return f"<span style='color:#2e7d32' title='{tip}'>✓ verified on the page</span>"
    return f"<span style='color:#c62828' title='{tip}'>⚠ {html.escape(ref.detail)}</span>"


def exchange_html(exchange: Exchange, index: int, shade: str) -> str:
    question = html.escape(exchange.question).replace("\n", "<br>")
    known = {ref.number for ref in exchange.citations}
    stopped = "<p><i>[stopped]</i></p>" if exchange.stopped else ""
    return (f"<table width='100%' cellpadding='8' style='background:{shade}; margin-top:10px'>"
            f"<tr><td><b>You</b><br>{question}</td></tr></table>"
            f"<p style='margin-top:8px'><b>Enclave</b><br>"
            f"{answer_html(exchange.answer, index, known)}</p>{stopped}"
            f"{sources_html(exchange.citations, index)}")


def transcript_html(exchanges: list[Exchange], shade: str) -> str:
    return "".join(exchange_html(exchange, index, shade)
                   for index, exchange in enumerate(exchanges))
