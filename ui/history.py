"""Conversation history per workspace, kept as JSON under the data directory's ``history``.

Plain Python (no Qt): a conversation is a list of :class:`Exchange`, each with the citations
the answer carried, so links still open the right page after a restart.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


@dataclass(frozen=True)
class CitationRef:
    number: int
    source: str
    path: str
    doc_id: str
    page: int
    start: int
    end: int
    text: str
    verified: bool
    detail: str = ""
    cited: bool = True  # False: a source the answer was given but did not cite


@dataclass
class Exchange:
    question: str
    answer: str = ""
    citations: list[CitationRef] = field(default_factory=list)
    stopped: bool = False

    def citation(self, number: int) -> CitationRef | None:
        return next((ref for ref in self.citations if ref.number == number), None)


def citation_refs(answer: Any) -> list[CitationRef]:
    """One CitationRef per source an app.chat.Answer was given, numbered as in the prompt;
    those the answer cites carry the result of the check against the page."""
    checked = {citation.number: citation for citation in answer.citations}
    refs = []
    for number, hit in enumerate(answer.sources, 1):
        citation = checked.get(number)
        verified = citation.verified if citation else False
        detail = citation.detail if citation else "given to the model, not cited"
        refs.append(CitationRef(number, hit.source_name, hit.path, hit.doc_id, hit.page,
                                hit.start, hit.end, hit.text, verified, detail,
                                citation is not None))
    return refs


class HistoryStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file_for(self, workspace: str) -> Path:
        return self.folder / f"{_UNSAFE.sub('_', workspace)}.json"

    def load(self, workspace: str) -> list[Exchange]:
        path = self.file_for(workspace)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return [_exchange(item) for item in raw.get("exchanges", [])]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def save(self, workspace: str, exchanges: list[Exchange]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"workspace": workspace,
                           "exchanges": [asdict(item) for item in exchanges]}, indent=1)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, self.file_for(workspace))

    def delete(self, workspace: str) -> None:
        self.file_for(workspace).unlink(missing_ok=True)


def _exchange(item: dict[str, Any]) -> Exchange:
    refs = [CitationRef(**ref) for ref in item.get("citations", [])]
    return Exchange(item["question"], item.get("answer", ""), refs, item.get("stopped", False))


def to_markdown(workspace: str, exchanges: list[Exchange]) -> str:
    lines = [f"# Conversation — {workspace}", ""]
    for exchange in exchanges:
        lines += [f"**You:** {exchange.question}", "", f"**Enclave:** {exchange.answer}", ""]
        if exchange.stopped:
            lines += ["*(stopped)*", ""]
        for ref in exchange.citations:
            mark = ("verified" if ref.verified else "not verified") if ref.cited \
                else "not cited"
            lines.append(f"- [{ref.number}] {ref.source}, page {ref.page} ({mark}): "
                         f"“{' '.join(ref.text.split())[:200]}”")
        lines += ["", "---", ""]
    return "\n".join(lines)
