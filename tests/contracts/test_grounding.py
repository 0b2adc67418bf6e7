"""A statement is verified only when its quote is on the cited page and its figures in the quote."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.contracts.document import ContractText
from app.contracts.fields import spec_of
from app.contracts.finder import find_clauses
from app.contracts.grounding import check, figure_problems
from app.contracts.service import field_result, verified_result
from app.contracts.summary import Citation

PAGE = ("5. Payment. The Client shall pay each invoice within thirty (30) days.\n"
        "The fee is $12,500 per month, first due on\nJanuary 15, 2024.")
QUOTE = "The fee is $12,500 per month, first due on January 15, 2024."


def test_quote_on_its_page_with_its_figures_is_verified() -> None:
    statement = "The fee of $12,500 is first due on January 15, 2024."
    assert check(statement, Citation(1, QUOTE), PAGE) == ()


def test_tampered_quote_is_unverified() -> None:
    tampered = QUOTE.replace("12,500", "2,500")
    problems = check("The fee is due monthly.", Citation(1, tampered), PAGE)
    assert problems == ("the quote is not found verbatim on page 1",)


def test_quote_cited_on_a_missing_page_is_unverified() -> None:
    assert check("The fee is due monthly.", Citation(7, QUOTE), None)


def test_number_not_in_the_quote_is_unverified() -> None:
    problems = check("The fee of $15,000 is due monthly.", Citation(1, QUOTE), PAGE)
    assert problems == ("'15,000' in the statement is not in the quote",)


@pytest.mark.parametrize(("statement", "quote", "ok"), [
    ("Dated 20th day of May, 2019.", "made on the 20th day of May, 2019", True),
    ("Notice of 20 days.", "notice of 200 days", False),
    ("Notice of ninety days.", "notice of ninety (90) days", True),
    ("Notice of ten days.", "written notice often given", False),
    ("It starts in June 2020.", "It starts in July 2020.", False),
    ("A party may end it.", "May 1, 2020", True),  # "may" the verb is not a month
])
def test_figures_and_dates_in_statements(statement: str, quote: str, ok: bool) -> None:
    assert (figure_problems(statement, quote) == []) is ok


def test_unverified_field_keeps_its_problems(sample_contract: ContractText) -> None:
    spec = spec_of("payment_terms")
    result = field_result(spec, find_clauses(sample_contract)[spec.key], sample_contract)
    assert result.verified
    assert result.citation is not None
    wrong = verified_result(spec.key, spec.label, "Payment is due within 45 days.",
                            result.citation, sample_contract.page_text(result.citation.page))
    assert not wrong.verified and wrong.problems
    moved = replace(result.citation, page=1)
    assert not verified_result(spec.key, spec.label, result.statement, moved,
                               sample_contract.page_text(1)).verified
