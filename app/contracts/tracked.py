"""Word documents with tracked changes: read the text as if every change were accepted.

The library's DOCX loader reads ``paragraph.text``, which skips inserted runs (``w:ins``); for a
contract under negotiation that silently drops agreed wording. Here insertions and moved-to text
are kept, deletions and moved-from text are dropped, and the caller is told what was done.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DROPPED = {f"{W}del", f"{W}moveFrom"}


@dataclass(frozen=True)
class AcceptedText:
    text: str
    insertions: int
    deletions: int

    @property
    def note(self) -> str:
        return (f"Tracked changes found ({self.insertions} insertion(s), {self.deletions} "
                "deletion(s)): summarized the text with all changes accepted.")


def tracked_change_counts(data: bytes) -> tuple[int, int]:
    """(insertions, deletions) in the main document part; (0, 0) when there are none."""
    root = _document_root(data)
    if root is None:
        return 0, 0
    insertions = len(root.findall(f".//{W}ins")) + len(root.findall(f".//{W}moveTo"))
    deletions = len(root.findall(f".//{W}del")) + len(root.findall(f".//{W}moveFrom"))
    return insertions, deletions


def accepted_text(data: bytes) -> AcceptedText | None:
    """The document's paragraphs with all changes accepted, or None without tracked changes."""
    insertions, deletions = tracked_change_counts(data)
    root = _document_root(data)
    if root is None or insertions + deletions == 0:
        return None
    paragraphs = [_paragraph_text(paragraph) for paragraph in root.iter(f"{W}p")]
    text = "\n\n".join(paragraph for paragraph in paragraphs if paragraph.strip())
    return AcceptedText(text, insertions, deletions)


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and not _inside_dropped(node, paragraph):
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
    return "".join(parts)


def _inside_dropped(node: Any, stop: Any) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _DROPPED:
            return True
        parent = parent.getparent()
    return False


def _document_root(data: bytes) -> Any:
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(xml, parser)
