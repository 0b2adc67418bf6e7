"""How a lawyer asks about each of CUAD's 41 clause categories: two or more wordings each.

Written for the evaluation, apart from the scorer's descriptions and example questions
(:mod:`app.answers.kinds`), which are all the scorer's recognition is calibrated on; these
wordings are never used to tune anything. ``{doc}`` is how the agreement is named: "the
agreement" with one contract in the workspace, its title and parties in a library.
"""

from __future__ import annotations

import zlib

WORDINGS: dict[str, tuple[str, ...]] = {
    "document_name": ("What is the name of {doc}?", "How is {doc} titled?"),
    "parties": ("Who signed {doc}?", "Which entities are bound by {doc}?"),
    "agreement_date": ("What date does {doc} bear?", "When was {doc} entered into?"),
    "effective_date": ("As of when is {doc} effective?",
                       "On what date do the obligations of {doc} start?"),
    "expiration_date": ("When does the term of {doc} end?", "What is the duration of {doc}?"),
    "renewal_term": ("Does {doc} renew after its term?", "Will {doc} roll over into a new term?"),
    "notice_period_to_terminate_renewal": (
        "How far in advance must a party give notice to prevent {doc} from renewing?",
        "What notice is required to opt out of the renewal of {doc}?"),
    "governing_law": ("What law governs {doc}?", "Which state's law applies to {doc}?"),
    "most_favored_nation": (
        "Does {doc} include a most-favored-nation clause?",
        "Is a party entitled to pricing no worse than other customers receive under {doc}?"),
    "competitive_restriction_exception": (
        "Does {doc} contain exceptions to its non-compete or exclusivity restrictions?",
        "Are any activities excluded from the competition restrictions in {doc}?"),
    "non_compete": ("Does {doc} have a non-compete clause?",
                    "Does {doc} prohibit a party from competing?"),
    "exclusivity": ("Does {doc} grant exclusive rights?",
                    "Is there an exclusivity provision in {doc}?"),
    "no_solicit_of_customers": (
        "Does {doc} restrict soliciting the other party's customers?",
        "Is there a non-solicitation of clients covenant in {doc}?"),
    "no_solicit_of_employees": (
        "Does {doc} prohibit hiring the other party's employees?",
        "Is there an employee non-solicitation clause in {doc}?"),
    "non_disparagement": ("Does {doc} contain a non-disparagement clause?",
                          "Does {doc} forbid negative statements about the other party?"),
    "termination_for_convenience": (
        "Can {doc} be terminated for convenience?",
        "May a party end {doc} without cause, and on how much notice?"),
    "rofr_rofo_rofn": ("Does {doc} grant a right of first refusal or first negotiation?",
                       "Does a party get first refusal rights under {doc}?"),
    "change_of_control": ("What does {doc} say about a change of control?",
                          "What happens under {doc} if a party undergoes a merger or sale?"),
    "anti_assignment": ("Can {doc} be assigned without consent?",
                        "Does {doc} restrict assignment?"),
    "revenue_profit_sharing": ("Does {doc} require sharing revenue or profits?",
                               "What royalties or revenue share does {doc} provide for?"),
    "price_restrictions": ("Does {doc} restrict price changes?",
                           "Are there limits on pricing in {doc}?"),
    "minimum_commitment": ("Does {doc} impose a minimum purchase or volume commitment?",
                           "What minimum quantities must be ordered under {doc}?"),
    "volume_restriction": ("Does {doc} limit volumes or usage?",
                           "Are there usage thresholds in {doc}?"),
    "ip_ownership_assignment": (
        "Under {doc}, who owns the intellectual property that is developed?",
        "Does {doc} assign intellectual property rights to a party?"),
    "joint_ip_ownership": ("Does {doc} provide for joint ownership of intellectual property?",
                           "Is intellectual property shared jointly under {doc}?"),
    "license_grant": ("What license does {doc} grant?", "Does {doc} grant a license?"),
    "non_transferable_license": ("Is the license under {doc} non-transferable?",
                                 "Can the license granted by {doc} be transferred?"),
    "affiliate_license_licensor": (
        "Does {doc} license intellectual property of the licensor's affiliates?",
        "Are the licensor's affiliates' rights included in the license under {doc}?"),
    "affiliate_license_licensee": (
        "Does the license in {doc} extend to the licensee's affiliates?",
        "Can affiliates of the licensee use the rights granted by {doc}?"),
    "unlimited_all_you_can_eat_license": (
        "Does {doc} grant an unlimited or all-you-can-eat license?",
        "Is usage under the license in {doc} without limit?"),
    "irrevocable_or_perpetual_license": ("Is the license under {doc} irrevocable or perpetual?",
                                         "Does {doc} grant a perpetual license?"),
    "source_code_escrow": ("Does {doc} provide for source code escrow?",
                           "Is source code placed in escrow under {doc}?"),
    "post_termination_services": (
        "What must the parties do after {doc} terminates?",
        "Are there post-termination services or wind-down obligations in {doc}?"),
    "audit_rights": ("Does {doc} give a party the right to audit?",
                     "Can a party inspect the other's records under {doc}?"),
    "uncapped_liability": ("Is any liability uncapped under {doc}?",
                           "Does {doc} leave some liability unlimited?"),
    "cap_on_liability": ("Does {doc} limit liability?",
                         "What is the limitation of liability in {doc}?"),
    "liquidated_damages": ("Does {doc} provide for liquidated damages?",
                           "Is there a termination fee or liquidated damages in {doc}?"),
    "warranty_duration": ("How long does the warranty under {doc} last?",
                          "What is the warranty period in {doc}?"),
    "insurance": ("Does {doc} require insurance?",
                  "What insurance must be maintained under {doc}?"),
    "covenant_not_to_sue": ("Does {doc} contain a covenant not to sue?",
                            "Is a party prohibited from challenging IP rights under {doc}?"),
    "third_party_beneficiary": ("Does {doc} have third-party beneficiaries?",
                                "Can a non-party enforce {doc}?"),
}

# The issue's ten clause questions (a sub-table of the evaluation).
ISSUE_TEN = ("non_compete", "exclusivity", "cap_on_liability", "anti_assignment",
             "termination_for_convenience", "audit_rights", "change_of_control",
             "minimum_commitment", "license_grant", "ip_ownership_assignment")


def wording(kind: str, contract: str) -> str:
    """One of the kind's wordings, chosen by a hash of the contract (fixed, spread evenly)."""
    options = WORDINGS[kind]
    return options[zlib.crc32(f"{kind}|{contract}".encode()) % len(options)]
