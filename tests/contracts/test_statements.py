"""Statements read from the clause's own words, and the risks read from the contract's passages.

The snippets are written for these tests (not taken from any contract or data set); the last
tests summarize a real CUAD contract from the shared data by path, with the app's embedder.
"""

from __future__ import annotations

import re

import pytest

from app.contracts import facts
from app.contracts.finder import find_all_clauses
from app.contracts.risks import termination_without_notice
from app.contracts.service import summarize_contract, summarize_text
from app.contracts.statements import TEMPLATES, renewal_condition, statement_for, words_from
from rag.embedder import Embedder
from tests.contracts.conftest import CUAD_PDFS, contract_of

OPENING = ('This Hosting Agreement is made on 4th day of March 2024 by and between Tarn Valley '
           'Mills Ltd. ("Tarn") and Oriel Cloud Inc. ("Oriel").')
FILLER = ("Oriel shall host the Tarn order portal on servers located in Canada. Oriel shall "
          "keep daily backups of the portal data.")
# A description of what a clause is about, shown as if the contract said it.
DESCRIPTION = re.compile(r"^The clause (?:defines|sets|names)\b|\bis in the clause\b|"
                         r"\bnamed in the opening clause\b")


def test_an_undated_effective_clause_is_stated_in_its_own_words() -> None:
    quote = "The services under this Agreement shall commence upon Tarn's acceptance of the pilot."
    statement = statement_for("effective_date", quote)
    assert statement == ('The agreement takes effect as the clause says: "shall commence upon '
                         "Tarn's acceptance of the pilot\".")


def test_an_effective_clause_pointing_back_takes_the_contracts_date() -> None:
    clause = ("The Term of this Agreement will commence on the date above and shall continue "
              "for two (2) years.")
    contract = contract_of([OPENING + "\n\n" + FILLER + "\n\n" + clause])
    quotes = find_all_clauses(contract)["effective_date"]
    assert [match.passage.text for match in quotes][:2] == [OPENING, clause]
    statement = statement_for("effective_date", OPENING, [clause])
    assert statement == ("The agreement takes effect on its date, 4th day of March 2024: the "
                         'clause quoted next says it "will commence on the date above".')


def test_a_dated_effective_clause_gives_the_date_it_takes_effect_on() -> None:
    quote = ("This Agreement is signed on May 1, 2024 and shall become effective on June 1, 2024 "
             "(the \"Effective Date\").")
    assert statement_for("effective_date", quote) == "The agreement takes effect on June 1, 2024."


@pytest.mark.parametrize(("key", "quote"), [
    ("effective_date", "The parties' obligations begin when the pilot is accepted."),
    ("term", "This Agreement shall remain in force until terminated by either party."),
    ("governing_law", "This Agreement is governed by the law applicable where Tarn is seated."),
    ("warranty_duration", "Oriel warrants the portal until the pilot ends."),
    ("parties", "Tarn and Oriel sign below."),
    ("agreement_date", "Signed by Tarn and Oriel."),
])
def test_no_statement_describes_a_clause_as_if_it_were_a_fact(key: str, quote: str) -> None:
    statement = statement_for(key, quote)
    assert not DESCRIPTION.search(statement), statement
    said = re.search(r'"([^"]+)"', statement)
    assert said is None or said.group(1).rstrip(" …") in quote


def test_every_template_keeps_to_the_figures_of_its_quote() -> None:
    quote = ("Either party may terminate this Agreement at any time on thirty (30) days notice; "
             "it renews for one (1) year with the consent of Tarn.")
    for key in TEMPLATES:
        statement = statement_for(key, quote)
        assert all(token in quote for token in facts.number_and_date_tokens(statement)), key


@pytest.mark.parametrize(("quote", "condition"), [
    ("Oriel may renew this Agreement for one year with the written consent of Tarn, which "
     "consent shall not be unreasonably withheld.", "with the written consent of Tarn"),
    ("This Agreement may be extended for further periods of one (1) year by mutual written "
     "agreement of the parties.", "by mutual written agreement of the parties"),
    ("The term may be renewed at the option of Tarn for two (2) more years.",
     "at the option of Tarn"),
    ("This Agreement shall automatically renew for successive one (1) year terms.", ""),
    # the consent belongs to another sentence than the renewal
    ("This Agreement renews each year. Oriel may not assign it without the consent of Tarn.", ""),
])
def test_the_condition_of_a_renewal_is_read_from_its_sentence(quote: str, condition: str) -> None:
    assert renewal_condition(quote) == condition


def test_a_conditional_renewal_is_stated_with_its_condition() -> None:
    quote = ("The Term is one (1) year. Oriel shall have the right to renew this agreement for "
             "a period of one year with the written consent of Tarn.")
    assert statement_for("renewal", quote) == ("The agreement can be renewed for periods of one "
                                               "(1) year, with the written consent of Tarn.")


def test_operative_words_are_cut_at_a_word() -> None:
    quote = "This Agreement shall commence " + "upon the completion of the pilot " * 8 + "."
    words = words_from(quote, re.compile(r"shall commence"))
    assert words.endswith(" …") and len(words) <= 145 and words[:-2] in quote


@pytest.mark.parametrize(("clause", "who"), [
    ("A breach of this section allows Tarn Valley to terminate this Agreement; Tarn Valley may "
     "terminate this Agreement without notice in the event of such a breach.", "Tarn Valley"),
    ("Oriel may immediately terminate the Agreement without prior written notice if Tarn fails "
     "to pay.", "Oriel"),
    ("The Licensor may terminate this Agreement immediately and without prior notice.",
     "The Licensor"),
])
def test_one_party_ending_the_agreement_without_notice_is_a_risk(clause: str, who: str) -> None:
    contract = contract_of([OPENING + "\n\n" + FILLER + "\n\n" + clause])
    risk = termination_without_notice(contract.passages)
    assert risk is not None and risk.explanation.startswith(f"{who} may end the agreement")
    assert risk.citation is not None and risk.citation.quote in " ".join(clause.split())


@pytest.mark.parametrize("clause", [
    "Either party may terminate this Agreement without notice if the other becomes insolvent.",
    "Oriel may terminate this Agreement upon thirty (30) days written notice.",
    "Oriel may change the portal's colours without notice to Tarn.",
    "The Parties may terminate this Agreement without notice by signing a release.",
])
def test_mutual_or_noticed_termination_is_not_that_risk(clause: str) -> None:
    contract = contract_of([OPENING + "\n\n" + FILLER + "\n\n" + clause])
    assert termination_without_notice(contract.passages) is None


def test_the_risk_is_listed_in_the_summary() -> None:
    clause = "Tarn may terminate this Agreement without notice if Oriel moves the servers."
    summary = summarize_text(contract_of([OPENING + "\n\n" + FILLER + "\n\n" + clause]),
                             allow_non_contract=True)
    assert "termination_without_notice" in [risk.key for risk in summary.risks]


MPHASE = CUAD_PDFS / ("MphaseTechnologiesInc_20030911_10-K_EX-10.15_1560667_EX-10.15_"
                      "Co-Branding Agreement.pdf")


@pytest.mark.slow
def test_the_co_branding_agreement_is_summarized_from_its_own_words(
        real_embedder: Embedder) -> None:
    """Issue 25's misses on a real contract (general causes: a termination right that only
    asks for notice, a change "in the management or ownership", a renewal with a consent, an
    effective clause that points back to the date above, one party ending it without notice)."""
    summary = summarize_contract(MPHASE, embedder=real_embedder)
    convenience = summary.field("termination_for_convenience")
    assert convenience.found and convenience.verified and convenience.citation is not None
    assert "at least thirty (30) days prior" in convenience.citation.quote
    control = summary.field("change_of_control")
    assert control.found and control.citation is not None
    assert "change in the management or ownership" in control.citation.quote
    renewal = summary.field("renewal")
    assert renewal.verified and "with the written consent of Lucent" in renewal.statement
    effective = summary.field("effective_date")
    assert effective.verified and not DESCRIPTION.search(effective.statement)
    assert "January 2003" in effective.statement and "the date above" in effective.statement
    risks = {risk.key: risk for risk in summary.risks}
    assert "Lucent may terminate this Agreement without notice" in \
        risks["termination_without_notice"].citation.quote  # type: ignore[union-attr]
