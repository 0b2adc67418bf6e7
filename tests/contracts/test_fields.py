"""Each field finds its clause in a hand-written snippet and ignores look-alikes."""

from __future__ import annotations

import pytest

from app.contracts.document import squash
from app.contracts.fields import FIELD_KEYS, FIELDS
from app.contracts.finder import find_all_clauses, find_clauses, headings
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
    ("non_compete", "For two years after the term the Seller shall not, directly or indirectly, "
                    "engage in any business that is competitive with the Buyer's."),
    ("exclusivity", "The Buyer appoints the Seller as its sole and exclusive supplier of "
                    "cartons for the Territory."),
    ("exclusivity", "The Buyer shall purchase all of its requirements of cartons from the "
                    "Seller and from no source other than the Seller."),
    ("assignment", "The Seller may not assign or transfer this Agreement without the Buyer's "
                   "prior written consent."),
    ("change_of_control", "The Buyer may terminate this Agreement on notice if the Seller "
                          "undergoes a change of control."),
    ("change_of_control", "Any merger of the Seller, or a sale of all or substantially all of "
                          "its assets, is deemed an assignment requiring the Buyer's consent."),
    ("termination_for_convenience", "The Seller may end this Agreement for any reason or no "
                                    "reason upon ninety (90) days' notice."),
    ("uncapped_liability", "Nothing in this Agreement limits either party's liability for breach "
                           "of its confidentiality obligations or for its indemnification "
                           "obligations, and the foregoing limitations shall not apply to gross "
                           "negligence."),
    ("term", "This Agreement shall continue until December 31, 2025, when it shall expire."),
    ("term", "This Agreement is entered into in perpetuity and shall remain in force until "
             "terminated by either party."),
    ("term", "Save as set out in clause 4, this Agreement shall terminate three (3) years after "
             "the first delivery date, if it has not been terminated sooner."),
    ("term", "Trade Date: 3 March 2024; Notional Amount: GBP 5,000,000; Termination Date: "
             "30 June 2031; Fixed Rate Payer: the Buyer."),
    ("term", "Unless ended as provided herein, this Agreement continues in effect for an initial "
             "term of four (4) years and then renews year by year."),
    ("non_compete", "The Seller agrees to divest any ownership interest it holds in any business "
                    "that is a competitor of the Buyer."),
    ("uncapped_liability", "Nothing in this Agreement shall limit or exclude either party's "
                           "liability for death or personal injury caused by its negligence."),
    ("termination_for_convenience", "The Buyer may, in its sole discretion, terminate this "
                                    "Agreement upon thirty (30) days' prior written notice."),
    ("audit_rights", "The Buyer has the right to inspect the Seller's production records once "
                     "a year on reasonable notice."),
    ("insurance", "The Seller shall maintain product liability insurance of at least "
                  "$1,000,000 per claim."),
    ("warranty_duration", "The Seller warrants that the goods will be free from defects in "
                          "materials for twelve (12) months after delivery."),
    # a right to end it that asks only for notice, however it is worded
    ("termination_for_convenience", "A party wishing to terminate the Agreement early must give "
                                    "the other party written notice at least sixty (60) days "
                                    "before the date it chooses."),
    # the nouns coordinated: "a change in the management or ownership"
    ("change_of_control", "The supply ends at once if the Seller undergoes a material change in "
                          "the management or ownership of its business."),
    ("renewal", "Unless either party objects, this Agreement shall then continue on a year to "
                "year basis until one of them ends it."),
    ("renewal", "The Buyer will extend the Agreement for additional one-year terms if both "
                "parties are satisfied with the deliveries."),
    ("term", "This Agreement shall begin on the signing date and shall continue until "
             "March 31, 2027, unless extended or earlier terminated."),
    ("term", "It shall be effective on 2 May 2022 and shall have a duration of three years."),
    # a promise to deal with nobody else
    ("exclusivity", "During the term the Buyer shall not enter into similar supply commitments "
                    "with any other packaging company in the Territory."),
    ("non_compete", "The Seller's duty not to compete with the Buyer shall continue for one year "
                    "after the end of this Agreement."),
    ("cap_on_liability", "The Seller will not have liability to the Buyer for damages other than "
                         "direct damages."),
    ("termination_for_convenience", "Either party may end this Agreement before the end of the "
                                    "term for its convenience on sixty (60) days written notice."),
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
    ("audit_rights", "The Buyer waives any right to inspect the Seller's records of the "
                     "artwork before it is printed."),
    ("audit_rights", "On arrival of each load the Buyer shall be responsible for examining "
                     "the delivery records at its premises during business hours."),
    ("warranty_duration", "The Seller warrants that it has full power to enter into this "
                          "Agreement."),
    ("cap_on_liability", "The Seller shall pay the price of the goods in full."),
    ("renewal", "The Seller shall renew its food safety certificate every year."),
    ("exclusivity", "The Seller is appointed as a non-exclusive supplier of the goods."),
    ("exclusivity", "The warranties in this section are the exclusive warranties of the Seller."),
    ("change_of_control", "This Agreement is the entire agreement of the parties and supersedes "
                          "all prior agreements; it is not a merger of any other terms."),
    ("change_of_control", "Either party may terminate this Agreement if the other becomes "
                          "bankrupt or makes an assignment for the benefit of its creditors."),
    ("change_of_control", "The Seller may assign this Agreement to any successor to all or "
                          "substantially all of its business, whether by merger or by sale."),
    ("change_of_control", "Either party may transfer its rights hereunder in the event of a sale "
                          "of all or substantially all of its shares or a merger."),
    ("non_compete", "Nothing in this Agreement shall prevent the Buyer from developing or "
                    "selling competing products."),
    ("term", "If any provision of this Agreement is held invalid, the remaining provisions shall "
             "continue in full force and effect."),
    ("term", "If the Seller fails to deliver, this Agreement shall terminate thirty (30) days "
             "after the Buyer's written notice of the failure."),
    ("renewal", "The review period may be extended for an additional sixty (60) days at the "
                "request of the reviewing committee."),
    ("termination_for_convenience", "If annual sales fall below 10,000 units, the Buyer may "
                                    "terminate this Agreement upon ninety (90) days notice."),
    ("termination_for_convenience", "Each policy shall provide that the insurer gives the Buyer "
                                    "written notice of any cancellation or termination at least "
                                    "thirty (30) days in advance."),
    ("termination_for_convenience", "A party desiring to terminate this Agreement pursuant to "
                                    "Section 9 shall give written notice of its grounds."),
    ("change_of_control", "The Seller shall notify the Buyer of any change in its address or "
                          "its bank account."),
    ("termination_for_convenience", "The licences granted are irrevocable and may not be "
                                    "terminated for any reason, even on notice."),
]


def _found_in(key: str, snippet: str) -> bool:
    contract = contract_of([OPENING + "\n\n" + FILLER, FILLER + "\n\n" + snippet])
    match = find_clauses(contract)[key]
    return match is not None and match.passage.text in squash(snippet)


@pytest.mark.parametrize(("key", "snippet"), POSITIVE,
                         ids=[f"{key}-{n}" for n, (key, _) in enumerate(POSITIVE)])
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


def test_a_field_found_in_two_places_gets_two_quotes() -> None:
    grant = ("The Buyer appoints the Seller as its exclusive supplier of cartons in the "
             "Territory.")
    covenant = ("The Buyer shall not appoint any other supplier of cartons and shall purchase "
                "cartons from no source other than the Seller.")
    contract = contract_of([OPENING + "\n\n" + grant, FILLER + "\n\n" + covenant])
    quotes = [match.passage.text for match in find_all_clauses(contract)["exclusivity"]]
    assert len(quotes) == 2 and {squash(grant), squash(covenant)} == set(quotes)


def test_a_definition_counts_as_a_clause_headed_by_its_term() -> None:
    definition = ('"Change of Control" means the acquisition by any person of more than fifty '
                  'percent (50%) of the voting stock of a party.')
    contract = contract_of([OPENING + "\n\n" + FILLER, "1. Definitions\n\n" + definition])
    leads = headings(contract.passages)
    assert leads[-1] == "Change of Control"
    assert _found_in("change_of_control", definition)


def test_a_clause_a_quote_refers_to_is_quoted_too() -> None:
    cap = ("9.1 In no event shall either party's aggregate liability exceed the fees paid, "
           "except as set forth in Section 9.3.")
    carve_out = ("9.3 The limitations of liability in Section 9.1 shall not apply to breach of "
                 "confidentiality or to a party's indemnification obligations.")
    pages = [OPENING + "\n\n" + FILLER, cap + "\n\n" + FILLER + "\n\n" + FILLER + "\n\n" +
             carve_out]
    quotes = [match.passage.text for match in find_all_clauses(contract_of(pages))[
        "cap_on_liability"]]
    assert quotes[0] == squash(cap) and squash(carve_out) in quotes


def test_a_wrapped_cross_reference_does_not_cut_the_clause() -> None:
    text = ("EXCEPT IN THE CASE OF ANY BREACH BY A PARTY OF ITS OBLIGATIONS UNDER\n"
            "SECTION 10 (CONFIDENTIALITY), IN NO EVENT SHALL "
            "EITHER PARTY BE LIABLE FOR CONSEQUENTIAL DAMAGES.")
    contract = contract_of([OPENING + "\n\n" + text])
    assert any(passage.text == squash(text) for passage in contract.passages)


def test_a_cover_page_with_names_on_their_own_lines_gives_the_parties() -> None:
    cover = ("SUPPLY AGREEMENT\n\nby and between\n\nLAKESIDE FOODS CORP.\n\nand\n\n"
             "COPPERFIELD PACKAGING LTD.\n\nDated: June 9, 2022")
    matches = find_clauses(contract_of([cover, FILLER]))
    parties, dated = matches["parties"], matches["agreement_date"]
    assert parties is not None and "COPPERFIELD" in parties.passage.text
    assert dated is not None and "June 9, 2022" in dated.passage.text


def test_parties_named_without_between_are_found() -> None:
    opening = ("Lakeside Foods Corp. and Copperfield Packaging Ltd. (each a \"Party\") hereby "
               "enter into this Supply Agreement.")
    parties = find_clauses(contract_of([opening + "\n\n" + FILLER]))["parties"]
    assert parties is not None and parties.passage.text == squash(opening)


def test_an_undated_contract_is_dated_by_its_signatures() -> None:
    undated = OPENING.replace("on June 9, 2022 ", "")
    signatures = "Lakeside Foods Corp.\n\nBy: Jane Moss, President\n\nDate: July 14, 2022"
    matches = find_clauses(contract_of([undated + "\n\n" + FILLER, FILLER + "\n\n" + signatures]))
    dated = matches["agreement_date"]
    assert dated is not None and dated.passage.page == 2 and "July 14, 2022" in dated.passage.text


def test_a_contract_without_an_effective_date_clause_takes_effect_on_its_date() -> None:
    found = find_all_clauses(contract_of([OPENING + "\n\n" + FILLER]))
    assert [match.passage.text for match in found["effective_date"]] == [squash(OPENING)]


def test_every_field_has_a_label_and_a_question() -> None:
    assert all(spec.label and spec.question.endswith("?") for spec in FIELDS)
