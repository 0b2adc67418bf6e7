"""ChatService: the conversation around the answer pipeline.

It keeps what belongs to a conversation: the audit trail of each question and answer, the
streaming of the evidence and the answer to the caller, and the choice of how a workspace's
pages are read back to check citations (from the files, or from the stored pages of a
workspace that keeps redacted text). How an answer is found, decided and checked is
:mod:`app.answers.pipeline`; its ``why`` says why that answer was shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.answers.answer import (
    NO_TEMPLATE,
    NOT_FOUND,
    NOT_PHRASED,
    NOT_STATED,
    STOPPED,
    Answer,
    CitationCheck,
)
from app.answers.check import check_citations, cited_numbers
from app.answers.pages import PageReader
from app.answers.pipeline import AnswerPipeline, QuoteSink
from app.answers.search import EvidenceResult
from app.answers.understand import ClauseScoring
from app.audit import NO_AUDIT, AuditTrail, sha256_text
from core.jobs import CancelFn, never_cancel
from models.prompts import Turn
from rag.retrieval import HybridRetriever

__all__ = ["NO_TEMPLATE", "NOT_FOUND", "NOT_PHRASED", "NOT_STATED", "STOPPED", "Answer",
           "ChatService", "CitationCheck", "PageReader", "check_citations", "cited_numbers"]

TokenSink = Callable[[str], None]


class ChatService:
    def __init__(self, retriever_for: Callable[[str], HybridRetriever], runtime: Any, *,
                 system_prompt: str = "", options: Any = None, top_k: int = 6,
                 min_relevance: float = 0.3, phrase: bool = True,
                 ensure_model: Callable[[], object] = lambda: None,
                 index_is_redacted: Callable[[str], bool] = lambda workspace: False,
                 audit: AuditTrail = NO_AUDIT, answered_by: dict[str, str] | None = None,
                 scorer: ClauseScoring | None = None) -> None:
        """``index_is_redacted(workspace)``: the workspace stores redacted text (its privacy
        policy), so citations are checked against the stored pages, never the files.
        ``answered_by``: which servers the sources and the model are on (audited).
        ``scorer``: the clause scorer that recognises clause questions and finds clauses."""
        self._retriever_for, self.runtime = retriever_for, runtime
        self.system_prompt, self.options = system_prompt, options
        self.top_k, self.min_relevance, self.phrase = top_k, min_relevance, phrase
        self._ensure_model = ensure_model
        self._index_is_redacted, self._audit = index_is_redacted, audit
        self._answered_by = answered_by or {}
        self.scorer = scorer

    def pipeline(self, workspace: str) -> AnswerPipeline:
        retriever = self._retriever_for(workspace)
        pages = PageReader(retriever.page_text, from_files=not self._index_is_redacted(workspace))
        return AnswerPipeline(retriever, self.runtime, page_text=pages.text,
                              options=self.options, top_k=self.top_k,
                              min_relevance=self.min_relevance, phrase=self.phrase,
                              ensure_model=self._ensure_model, scorer=self.scorer)

    def find_evidence(self, question: str, workspace: str,
                      doc_ids: Sequence[str] | None = None) -> EvidenceResult:
        return self.pipeline(workspace).evidence(question, doc_ids)

    def ask(self, question: str, *, workspace: str, doc_ids: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: TokenSink = lambda piece: None,
            on_evidence: QuoteSink = lambda quotes: None,
            cancel: CancelFn = never_cancel) -> Answer:
        """``history``: the conversation so far, oldest first. A follow-up ("and for cause?")
        is read against it (which question, which documents); an answer rests on evidence
        only, never on an earlier answer's words."""
        self._audit.record("question", workspace=workspace, sha256=sha256_text(question))
        answer = self.pipeline(workspace).answer(question, doc_ids, history=history,
                                                 on_evidence=on_evidence, cancel=cancel)
        on_token(answer.text)
        self._audit.record("answer", workspace=workspace, question_sha256=sha256_text(question),
                           found=answer.found, cited=_cited_pages(answer), **self._answered_by)
        return answer


def _cited_pages(answer: Answer) -> list[str]:
    """Document id and page ("<doc_id>:<page>") of each cited source, for the audit trail."""
    return sorted({f"{check.hit.doc_id}:{check.hit.page}" for check in answer.citations
                   if check.hit is not None})
