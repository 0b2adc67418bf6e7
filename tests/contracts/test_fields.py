"""Each field finds its clause in a hand-written snippet and ignores look-alikes."""

from __future__ import annotations

import pytest

from app.contracts.document import squash
from app.contracts.fields import FIELD_KEYS, FIELDS
from app.contracts.finder import find_clauses
from tests.contracts.conftest import contract_of

OPENING = ('This Supply Agreement is entered into on June 9, 2022 between Lakeside Foods Corp. '
           '("Buyer") and Copperfield Packaging Ltd. ("Seller").')
FILLER = ("The Seller shall deliver the goods to the warehouse designated by the Buyer. "
          "Each delivery shall be accompanied by a packing list.")

POSITIVE = [
    ("parties", OPENING),
    ("agreement_date", OPENING),
    ("effective_date", "This Agreement shall take effect on July 1, 2022 (the \"Effective "
                       "Date\")."),
    ("term", "This Agreement shall remain in force for a period of five (5) years from the "
             "Effective Date, unless earlier terminated."),
    ("renewal", "Upon expiry this Agreement will be automatically extended for successive "
                "renewal terms of two (2) years each."),
    ("renewal_notice", "A party that does not wish to extend this Agreement must notify the "
                       "other of its intention not to renew no later than six (6) months before "
                       "the expiration of the current term."),
    ("termination_for_convenience", "The Buyer may terminate this Agreement without cause at "
                                    "any time on thirty (30) days written notice."),
    ("governing_law", "This Agreement is governed by the laws of the Province of Ontario."),
    ("payment_terms", "The Buyer shall pay the Seller's invoices within forty-five (45) days of "
                      "the invoice date."),
    ("cap_on_liability", "The total liability of the Seller for all claims shall not exceed "
                         "$500,000."),
    ("uncapped_liability", "The limitations of liability in this Agreement do not apply to "
                           "damages caused by fraud or wilful misconduct."),
    ("indemnification", "The Seller agrees to indemnify the Buyer against all losses from "
                        "third-party claims that the goods infringe a patent."),
    ("confidentiality", "The Buyer shall keep the Seller's pricing confidential and shall not "
                        "disclose it to anyone outside its organisation."),
    ("non_compete", "The Seller shall not sell competing packaging to any other food retailer "
                    "in the Territory during the term."),
    ("assignment", "The Seller may not assign or transfer this Agreement without the Buyer's "
                   "prior written consent."),
    ("audit_rights", "The Buyer has the right to inspect the Seller's production records once "
                     "a year on reasonable notice."),
    ("insurance", "The Seller shall maintain product liability insurance of at least "
                  "$1,000,000 per claim."),
    ("warranty_duration", "The Seller warrants that the goods will be free from defects in "
                          "materials for twelve (12) months after delivery."),
]

NEGATIVE = [
    ("governing_law", "The Seller shall comply with all applicable laws and regulations."),
    ("non_compete", "The remedies in this section are the sole and exclusive remedy of the "
                    "Buyer for late delivery."),
    ("non_compete", "The Buyer is appointed as a non-exclusive distributor of the goods."),
    ("confidentiality", "[***] Confidential treatment has been requested for the omitted "
                        "portions."),
    ("termination_for_convenience", "Either party may terminate this Agreement if the other "
                                    "party commits a material breach and fails to cure it."),
    ("assignment", "The Seller hereby assigns to the Buyer all copyright in the artwork."),
    ("effective_date", "Any termination shall be effective upon receipt of the notice."),
    ("audit_rights", "The Seller shall deliver its audited financial statements each year."),
    ("warranty_duration", "The Seller warrants that it has full power to enter into this "
                          "Agreement."),
    ("cap_on_liability", "The Seller shall pay the price of the goods in full."),
    ("renewal", "The Seller shall renew its food safety certificate every year."),
]


def _found_in(key: str, snippet: str) -> bool:
    contract = contract_of([OPENING + "\n\n" + FILLER, FILLER + "\n\n" + snippet])
    match = find_clauses(contract)[key]
    return match is not None and match.passage.text in squash(snippet)


@pytest.mark.parametrize(("key", "snippet"), POSITIVE, ids=[key for key, _ in POSITIVE])
def test_field_is_found_in_its_clause(key: str, snippet: str) -> None:
    assert _found_in(key, snippet)


@pytest.mark.parametrize(("key", "snippet"), NEGATIVE,
                         ids=[f"{key}-{n}" for n, (key, _) in enumerate(NEGATIVE)])
def test_look_alike_clause_is_not_taken_for_the_field(key: str, snippet: str) -> None:
    assert not _found_in(key, snippet)


def test_every_field_has_a_positive_case() -> None:
    assert {key for key, _ in POSITIVE} == set(FIELD_KEYS)


def test_fields_without_a_clause_are_not_found() -> None:
    matches = find_clauses(contract_of([OPENING + "\n\n" + FILLER]))
    assert matches["insurance"] is None and matches["warranty_duration"] is None


def test_every_field_has_a_label_and_a_question() -> None:
    assert all(spec.label and spec.question.endswith("?") for spec in FIELDS)
