"""HTML with the standard library's parser: visible text, block elements as line breaks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from rag.documents import LoadedDocument, Page, normalise_text
from rag.errors import NoTextFound
from rag.loaders.text import decode_bytes

_SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt", "title",
}


_MARKED_SECTION = re.compile(r"<!\[")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skipping += 1
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag not in ("br", "td", "li") else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED and self._skipping:
            self._skipping -= 1
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    try:
        collector = _collect(markup)
    except AssertionError:  # html.parser on a "<![word[" section it does not know (fuzzing)
        collector = _collect(_MARKED_SECTION.sub("&lt;![", markup))
    return normalise_text("".join(collector.parts)), collector.title.strip()


def _collect(markup: str) -> _TextCollector:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return collector


def load_html(path: Path, data: bytes, password: str | None = None) -> LoadedDocument:
    markup, _ = decode_bytes(data)
    text, title = html_to_text(markup)
    if not text:
        raise NoTextFound(f"{path.name}: the web page has no visible text.")
    return LoadedDocument(path, "html", (Page(1, text),), title=title or path.stem)
