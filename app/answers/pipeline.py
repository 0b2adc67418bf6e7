"""The answer pipeline, in one place: why an answer was shown is decided here, step by step.

1. **Understand** the question (:mod:`app.answers.understand`): the fact it asks for, the
   clause kind it asks about (the clause scorer, by meaning), the documents it names, the form
   of its direct answer (a fact, yes/no, the operative words, or open) and its topic.
2. **Find** passages: retrieval in the named documents (:func:`app.answers.search.find_evidence`)
   and, for a clause question, every passage of those documents scored by the clause scorer
   (:mod:`app.answers.clause_search`).
3. **Score** them: sentences ranked by the evidence ranker; the best quoted, each verified word
   for word on its page.
4. **Answer or decline**:
   - a fact: the words of the best quote that state it ("ninety (90) days' written notice [1]");
   - a clause asked about: "Yes"/"No" first, or its operative words, from a passage the scorer
     passes; none passing is an honest no, scoped to the documents searched, with the closest
     passages below it, never presented as the answer;
   - an open question: the model may word it (checked); else the best sentence itself; a topic
     no document mentions is an honest no too;
   - nothing relevant at all is "not found"; a fact stated by no sentence is weak evidence;
   - "Summarize X": X's contract summary, or its main points by section, each line cited
     (:mod:`app.answers.summaries`).
5. **Check**: the cited quote is verified on its page, lies in a document asked about, is of
   the kind asked about (the fact's pattern, the scorer's verdict) and holds every figure and
   name of the answer (:func:`app.answers.grounding.unsupported`).

Every decision is recorded in the answer's ``why``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.answers import direct
from app.answers.answer import NO_TEMPLATE, NOT_FOUND, NOT_PHRASED, NOT_STATED, STOPPED, Answer
from app.answers.check import (
    checked_sentences,
    citing,
    quote_checks,
    with_marks,
    wording_problems,
)
from app.answers.clause_search import ClauseVerdict, scan
from app.answers.evidence import EvidenceRanker
from app.answers.followup import (
    TurnLike,
    another_case,
    combined,
    follow_up_reason,
    followed,
    previous_turn,
)
from app.answers.grounding import unsupported
from app.answers.phrasing import Phraser, evidence_context, instructed
from app.answers.search import EvidenceResult, PageText, Quote, find_evidence, quotes_from
from app.answers.summaries import asks_for_summary, scope_record, summary_lines
from app.answers.understand import (
    ClauseScoring,
    Understood,
    asks_yes_or_no,
    mentioned,
    names_the_clause,
    understand,
)
from core.errors import ModelError
from core.jobs import CancelFn, never_cancel
from models.template_guard import TemplateRefused
from rag.retrieval import HybridRetriever
from rag.targeting import Target

PHRASED_QUOTES = 1  # the model sees the best quote only: with more it mixes their figures
MANY_QUOTES = 3  # an instruction model sees every quote, and cites each sentence's own
# An open question's best sentence leads the answer when it scores at least this (similarity
# to the question plus the share of its words): below, the quotes come under the notice.
STRONG_SENTENCE = 0.5
QuoteSink = Callable[[tuple[Quote, ...]], None]


class AnswerPipeline:
    """One question through the steps above, for one workspace's retriever."""

    def __init__(self, retriever: HybridRetriever, runtime: Any, *, page_text: PageText,
                 options: Any = None, top_k: int = 6, min_relevance: float = 0.3,
                 phrase: bool = True, ensure_model: Callable[[], object] = lambda: None,
                 scorer: ClauseScoring | None = None) -> None:
        self.retriever, self.runtime, self.page_text = retriever, runtime, page_text
        self.options, self.top_k, self.min_relevance = options, top_k, min_relevance
        self.phrase, self._ensure_model, self.scorer = phrase, ensure_model, scorer
        self.ranker = EvidenceRanker(retriever.embedder)

    def understand(self, question: str, doc_ids: Sequence[str] | None = None,
                   history: Sequence[TurnLike] = ()) -> Understood:
        """Step 1; a follow-up is read against the previous question (app.answers.followup)."""
        own = understand(question, self.retriever, self.scorer, doc_ids)
        if not history or not follow_up_reason(own):
            return own  # the conversation is read back only for a follow-up
        previous = previous_turn(history, self.understand, self.retriever)
        return own if previous is None else combined(own, previous, self.retriever)

    def evidence(self, question: str, doc_ids: Sequence[str] | None = None,
                 target: Target | None = None) -> EvidenceResult:
        """Steps 2-3 by retrieval: the passages found and their sentences scored."""
        return find_evidence(question, self.retriever, self.ranker, page_text=self.page_text,
                             top_k=self.top_k, min_relevance=self.min_relevance,
                             doc_ids=doc_ids, target=target)

    def answer(self, question: str, doc_ids: Sequence[str] | None = None, *,
               history: Sequence[TurnLike] = (), on_evidence: QuoteSink = lambda quotes: None,
               cancel: CancelFn = never_cancel) -> Answer:
        """``history``: the conversation so far, oldest first; it is context for reading a
        follow-up (which question, which documents), never evidence."""
        asked = self.understand(question, doc_ids, history)
        answered = self._answer(asked, history[-1].answer if history else "", on_evidence,
                                cancel)
        return replace(answered, question=question)

    def _answer(self, asked: Understood, before: str, on_evidence: QuoteSink,
                cancel: CancelFn) -> Answer:
        why = [*followed(asked), _understood(asked)]
        if asks_for_summary(asked.written):
            return self._summary(asked, on_evidence, why)
        if asked.clause is not None and self.scorer is not None and (
                asked.form != "fact" or (not self.scorer.usually_present(asked.clause.key)
                                         and names_the_clause(asked.question, asked.clause))):
            # A rare fact kind is the scorer's to decide only when the question names it:
            # "How much notice is needed to terminate?" is close to "notice to stop renewal"
            # but asks about no renewal.
            verdict = scan(self.retriever, self.scorer, asked.clause.key, asked.scope)
            why.append(_scanned(verdict, asked))
            if verdict.found:
                return self._clause_answer(asked, verdict, on_evidence, why)
        else:
            verdict = None
        found = find_evidence(asked.question, self.retriever, self.ranker,
                              page_text=self.page_text, top_k=self.top_k,
                              min_relevance=self.min_relevance, target=asked.target,
                              kind=asked.kind)
        if asked.another_case:
            found = another_case(found, before, asked.written, self.page_text, why)
        if not found.quotes:
            why.append(_not_found(found))
            return Answer(asked.question, NOT_FOUND, (), found=False, why=tuple(why),
                          outcome="not_found")
        on_evidence(found.quotes)
        why.append(_scored(found))
        if verdict is not None and asked.clause is not None and not (
                asked.form != "yes_no" and asked.kind.fact is not None
                and names_the_clause(found.quotes[0].text, asked.clause)):
            # A clause was asked about and the scorer passed none: a figure of the kind asked
            # for is an answer only in a sentence that names the clause ("terminate for
            # convenience on ninety (90) days' notice"), never one that merely holds such a
            # figure ("$5,000,000 per claim" for liquidated damages).
            why.append(f"declined: the best sentence does not name {asked.clause.name}"
                       if asked.kind.fact is not None else "declined: a clause was asked about")
            return self._declined(asked, found, f"no clause on {asked.clause.name}", why)
        if asked.form == "open" and asked.topic and not mentioned(asked.topic, self.retriever,
                                                                 asked.scope):
            why.append(f"declined: no passage of {asked.where} mentions '{asked.topic}'")
            return self._declined(asked, found, f"nothing on \u201c{_shown(asked)}\u201d", why)
        if (asked.form == "fact" or asked.kind.fact is not None) and not (
                asked.clause is None and asks_yes_or_no(asked.posed)):
            # A fact stated, even where the scorer passed no clause; but a bare figure is no
            # answer to "Will the agreement roll over into a new term?".
            return self._fact_answer(asked, found, why)
        return self._open_answer(asked, found, cancel, why)

    # ----- step 4: answer or decline; step 5: check
    def _summary(self, asked: Understood, on_evidence: QuoteSink, why: list[str]) -> Answer:
        """"Summarize X": the contract summary of X, or its main points by section."""
        record = scope_record(self.retriever.workspace.documents(), asked.target.doc_ids)
        if record is None:
            why.append("a summary is of one document, and the question names none of several")
            return Answer(asked.question, f"Which document should be summarized? Name one of "
                          f"{asked.where}.", (), found=False, why=tuple(why), outcome="weak")
        lines, quotes, how = summary_lines(record, self.retriever, self.page_text)
        name = Path(record.paths[0]).name if record.paths else record.title
        if not lines:
            why.append(f"{how}: nothing to summarize")
            return Answer(asked.question, f"Enclave found nothing to summarize in {name}.", (),
                          found=False, why=tuple(why), outcome="weak")
        on_evidence(quotes)
        grounded = all(quote.verified for quote in quotes)
        why.append(f"summary: {how}; each line cites its quote"
                   + ("" if grounded else "; some quotes are NOT verified on their page"))
        return Answer(asked.question, f"Summary of {name}:\n" + "\n".join(lines),
                      tuple(quote.hit for quote in quotes), quote_checks(quotes), True, quotes,
                      grounded, why=tuple(why), direct=True)

    def _fact_answer(self, asked: Understood, found: EvidenceResult, why: list[str]) -> Answer:
        quotes, top = found.quotes, found.quotes[0]
        checks = quote_checks(quotes)
        if not top.evidence.fact or found.kind.fact is None:
            why.append(f"weak: no sentence states the {_kind_name(asked)}")
            return Answer(asked.question, NOT_STATED, found.sources, checks, True, quotes,
                          why=tuple(why), outcome="weak")
        # The parties: the whole sentence that names them, not the first name. Another case
        # ("and for cause?"): the whole sentence, whose condition tells the cases apart.
        whole = found.kind.key == "party" or asked.another_case
        span = "" if whole else direct.fact_span(top.text, found.kind.fact)
        span = span or direct.plain(top.text)
        return self._direct(asked, found.sources, quotes, top, span, why,
                            f"states the {_kind_name(asked)}")

    def _clause_answer(self, asked: Understood, verdict: ClauseVerdict,
                       on_evidence: QuoteSink, why: list[str]) -> Answer:
        clause = asked.clause
        assert clause is not None
        if verdict.deciding:  # a sentence the scorer passes decides: the one that best
            # answers the question ("capped at the fees paid" for "Is there a cap on
            # liability?", not the exclusion of consequential loss beside it)
            best = self.ranker.order(asked.question, verdict.deciding,
                                     kind=asked.kind,
                                     focus=f"{asked.target.focus} {clause.description}")
            quotes = quotes_from(best[:1], self.page_text)
        else:
            ranked = self.ranker.rank(asked.question, list(verdict.passing), kind=asked.kind,
                                      focus=f"{asked.target.focus} {clause.description}")
            quotes = quotes_from(ranked, self.page_text)
        on_evidence(quotes)
        top = quotes[0]
        sources = tuple(dict.fromkeys(quote.hit for quote in quotes))
        words = direct.plain(top.text)
        # "Does the agreement renew?" asks yes or no, though a renewal's answer is a fact.
        yes_no = asked.form == "yes_no" or asks_yes_or_no(asked.posed)
        if asked.kind.fact is not None and asked.kind.fact.search(top.text) and not yes_no:
            words = direct.fact_span(top.text, asked.kind.fact) or words
        elif asked.form == "fact" and asked.kind.fact is not None and not yes_no:
            # A clause of the kind, but it states no such fact (a warranty without a period).
            why.append(f"weak: the clause on {clause.name} found states no {_kind_name(asked)}")
            return Answer(asked.question, NOT_STATED, sources, quote_checks(quotes), True,
                          quotes, why=tuple(why), outcome="weak")
        kind_check = f"is a clause on {clause.name} by the clause scorer's verdict"
        if yes_no:
            lead = direct.yes_no_lead(asked.posed, top.text, clause.name)
            why.append(f"yes/no: '{lead}' decided by the sentence quoted")
            return self._direct(asked, sources, quotes, top, direct.plain(top.text), why,
                                kind_check, lead=lead)
        return self._direct(asked, sources, quotes, top, words, why, kind_check)

    def _direct(self, asked: Understood, sources: Any, quotes: tuple[Quote, ...], top: Quote,
                words: str, why: list[str], kind_check: str, *, lead: str = "") -> Answer:
        """The quote's own words as the answer; checked when its quote is verified on the page,
        in a document asked about, of the kind asked about, and holds every figure and name."""
        text = direct.cited(words, top.number)
        if lead:
            text = f"{lead} [{top.number}]: \u201c{words}\u201d"
        problems = _check_quote(asked, top, words)
        why.append("answered with the quote's own words, no model" + (
            f"; checked: the quote is verified on its page, in {top.hit.source_name}, "
            f"{kind_check}, and holds every figure and name" if not problems
            else f"; NOT checked: {'; '.join(problems)}"))
        return Answer(asked.question, text, tuple(sources), quote_checks(quotes), True, quotes,
                      not problems, words, tuple(problems), tuple(why), "answered", True)

    def _declined(self, asked: Understood, found: EvidenceResult, what: str,
                  why: list[str]) -> Answer:
        text = f"{what[0].upper()}{what[1:]} was found in {asked.where}."
        if asked.form == "yes_no":  # "No. Enclave found no clause on non-compete in ..."
            text = f"No. Enclave found {what} in {asked.where}."
        why.append("the closest passages are shown below the honest no, not as an answer")
        return Answer(asked.question, text, found.sources, quote_checks(found.quotes), False,
                      found.quotes, why=tuple(why), outcome="declined")

    def _open_answer(self, asked: Understood, found: EvidenceResult, cancel: CancelFn,
                     why: list[str]) -> Answer:
        quotes, top = found.quotes, found.quotes[0]
        worded = self._worded(asked, found, cancel, why) if self.phrase and not cancel() \
            else None
        if isinstance(worded, Answer):
            return worded
        note = worded or ""
        if cancel():
            why.append("stopped while the model was wording the answer")
            return Answer(asked.question, STOPPED, found.sources, quote_checks(quotes), True,
                          quotes, why=tuple(why), outcome="stopped")
        if asked.clause is None and asks_yes_or_no(asked.posed):
            # The best sentence is no "yes" or "no": without a clause kind whose scorer
            # decides, or a checked wording by the model, it is evidence, not an answer.
            why.append("weak: a yes/no question about no known clause kind, and no checked "
                       "wording; the sentences are evidence, not a yes or a no")
            return Answer(asked.question, NOT_PHRASED, found.sources, quote_checks(quotes), True,
                          quotes, why=tuple(why), outcome="weak", note=note)
        if top.evidence.score >= STRONG_SENTENCE and top.verified:
            answer = self._direct(asked, found.sources, quotes, top, direct.plain(top.text), why,
                                  f"scored {top.evidence.score:.2f} against the question")
            return replace(answer, note=note)
        why.append(f"weak: the best sentence scores {top.evidence.score:.2f}, under "
                   f"{STRONG_SENTENCE}")
        return Answer(asked.question, NOT_PHRASED, found.sources, quote_checks(quotes), True,
                      quotes, why=tuple(why), outcome="weak", note=note)

    def _worded(self, asked: Understood, found: EvidenceResult, cancel: CancelFn,
                why: list[str]) -> Answer | str | None:
        """The model's one-sentence wording of the best quote, if it passes the check; a note
        (str) when the model cannot be used: the evidence needs none."""
        try:
            self._ensure_model()
        except ModelError as error:  # no room for the model, a missing file: evidence alone
            why.append(f"no model: {error.message}")
            return f"{error.message} The evidence below needs no model."
        many = instructed(self.runtime)
        given = found.quotes[:MANY_QUOTES if many else PHRASED_QUOTES]
        try:
            draft = Phraser(self.runtime, self.options, many=many).phrase(
                asked.question, evidence_context([(q.number, q.hit.source_name, q.hit.page,
                                                   q.text) for q in given]), cancel)
        except TemplateRefused as refused:
            why.append(f"no model wording: {refused.message}")
            return f"{NO_TEMPLATE} ({refused.message.rstrip('.')})."
        if cancel():
            return None
        if many:
            return self._sentences(asked, found, draft, given, why)
        problems = tuple(wording_problems(draft, given, found.kind, asked.question))
        if problems:
            why.append(f"the model's wording failed the check: {'; '.join(problems)}")
            return None
        why.append("the model's wording passed the check: every figure and name is in the "
                   "quote it cites")
        return Answer(asked.question, with_marks(draft, citing(draft, given)), found.sources,
                      quote_checks(found.quotes), True, found.quotes, True, draft,
                      why=tuple(why))

    def _sentences(self, asked: Understood, found: EvidenceResult, draft: str,
                   given: tuple[Quote, ...], why: list[str]) -> Answer | None:
        """An instruction model's sentences, each checked against the quote it cites; those
        that fail are dropped. None when none is kept, or none states the fact asked for."""
        checked = checked_sentences(draft, given, asked.question)
        dropped = "; dropped " + "; ".join(checked.dropped) if checked.dropped else ""
        fact = found.kind.fact
        if not checked.kept or (fact is not None and not fact.search(checked.text)):
            why.append("the model's sentences failed the check: none kept"
                       + (f" states the {found.kind.key.replace('_', ' ')}" if checked.kept
                          else "") + dropped)
            return None
        why.append(f"the model's wording: {len(checked.kept)} of "
                   f"{len(checked.kept) + len(checked.dropped)} sentences kept, each with every "
                   f"figure and name in the quote it cites{dropped}")
        return Answer(asked.question, checked.text, found.sources, quote_checks(found.quotes),
                      True, found.quotes, True, draft, checked.dropped, tuple(why))


def _check_quote(asked: Understood, quote: Quote, words: str) -> list[str]:
    problems = [] if quote.verified else [quote.detail]
    if asked.target.doc_ids and quote.hit.doc_id not in asked.target.doc_ids:
        problems.append(f"{quote.hit.source_name} is not a document the question names")
    return problems + unsupported(words, quote.text)


def _kind_name(asked: Understood) -> str:
    return asked.kind.key.replace("_", " ")


def _shown(asked: Understood) -> str:
    """The topic as the question wrote it ("non-compete", not "compete")."""
    for word in asked.question.replace("?", " ").split():
        if asked.topic in word.lower():
            return word.strip(".,;:!\"'“”")
    return asked.topic


def _understood(asked: Understood) -> str:
    parts = [f"asks for the {_kind_name(asked)}" if asked.kind.fact is not None
             else "asks no fact of a fixed kind"]
    if asked.clause is not None:
        parts.append(f"about the clause kind '{asked.clause.name}'")
    parts.append(f"answer form: {asked.form}")
    if asked.topic:
        parts.append(f"topic: '{asked.topic}'")
    parts.append(f"searched: {asked.where}")
    return "understood: " + "; ".join(parts)


def _scanned(verdict: ClauseVerdict, asked: Understood) -> str:
    assert asked.clause is not None
    if not verdict.found:
        return (f"clause scorer: none of {verdict.scored} passages of {asked.where} (nor their "
                f"best sentences) is a clause on {asked.clause.name} (best probability "
                f"{verdict.best:.2f})")
    where = [f"{hit.source_name} page {hit.page} ({probability:.2f})"
             for hit, probability in zip(verdict.passing, verdict.probabilities, strict=False)]
    where += [f"the sentence on {item.hit.source_name} page {item.page}"
              for item in verdict.deciding[:1]]
    return f"clause scorer: {asked.clause.name} found in {', '.join(where)}"


def _not_found(found: EvidenceResult) -> str:
    if not found.passages:
        return "not found: no passage was retrieved"
    best = max((hit.similarity or 0.0 for hit in found.passages), default=0.0)
    return f"not found: the closest passage's similarity {best:.2f} is below the threshold"


def _scored(found: EvidenceResult) -> str:
    top = found.quotes[0]
    fact = f", stating '{top.evidence.fact}'" if top.evidence.fact else ""
    return (f"scored {len(found.ranked)} sentences of {len(found.passages)} passages; best: "
            f"{top.hit.source_name} page {top.hit.page}{fact} (score {top.evidence.score:.2f})")

