"""What each field's clause says, in general legal language, for the semantic complement.

Written for this table from the ordinary meaning of each clause type (how a practitioner would
describe it), not copied from any contract: a passage close in meaning to one of its field's
descriptions is a candidate for that field however the contract happens to word it.
"""

from __future__ import annotations

FIELD_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "parties": (
        "This agreement is made between two companies, each referred to as a party.",
        "The parties to this contract are the following corporations and persons.",
    ),
    "agreement_date": (
        "This agreement is dated and entered into as of a stated calendar date.",
        "The contract was signed by the parties on the following date.",
    ),
    "effective_date": (
        "This agreement becomes effective and binding on the stated date.",
        "The contract takes effect and its obligations begin on a specified date.",
    ),
    "term": (
        "The agreement remains in force for a fixed period of years and then expires.",
        "The term of the contract begins on the effective date and ends on a stated date.",
        "The contract lasts for an initial period unless terminated earlier.",
        "This arrangement continues until a specified expiry date.",
    ),
    "renewal": (
        "The agreement automatically renews for successive additional periods.",
        "At the end of the initial term the contract is extended for further renewal terms.",
    ),
    "renewal_notice": (
        "Either party may prevent automatic renewal by giving written notice of non-renewal "
        "before the term ends.",
        "Notice that the contract will not be extended must be given a number of days before "
        "expiry.",
    ),
    "termination_for_convenience": (
        "Either party may end the agreement at any time for any reason by giving prior notice.",
        "The customer may cancel the contract without cause on a number of days' written notice.",
    ),
    "governing_law": (
        "This agreement is governed by and interpreted under the laws of a particular state or "
        "country.",
        "Disputes about the contract are decided under the law of a named jurisdiction.",
    ),
    "payment_terms": (
        "The customer shall pay each invoice within a number of days of receipt.",
        "Fees and charges are payable monthly, and late payments bear interest.",
    ),
    "indemnification": (
        "A party shall defend, indemnify and hold harmless the other against third-party "
        "claims, losses and expenses.",
    ),
    "confidentiality": (
        "Each party shall keep the other's confidential information secret and not disclose "
        "it to third parties.",
    ),
    "cap_on_liability": (
        "A party's total liability under the agreement is limited to a maximum amount.",
        "Neither party is liable for indirect, consequential or punitive damages.",
        "Damages recoverable are capped at the fees paid under the contract.",
    ),
    "uncapped_liability": (
        "The limitations of liability do not apply to certain claims, which remain unlimited.",
        "Liability for gross negligence, wilful misconduct, fraud or breach of confidentiality "
        "is excluded from the cap.",
        "Nothing in this agreement limits a party's liability for death, personal injury or "
        "its indemnification obligations.",
    ),
    "non_compete": (
        "A party must not engage in or operate any business that competes with the other party.",
        "During the term and for a period afterwards, one side shall not offer rival products "
        "or services in the territory.",
        "A party is restricted from working with competitors or soliciting the other's "
        "customers.",
    ),
    "exclusivity": (
        "One party is appointed as the sole and exclusive distributor or supplier in a "
        "territory.",
        "A party must buy all of its requirements only from the other party and no one else.",
        "The licensor grants an exclusive right and will not appoint any other reseller or "
        "licensee.",
    ),
    "assignment": (
        "Neither party may assign or transfer this agreement without the other party's prior "
        "written consent.",
        "Rights and obligations under the contract cannot be delegated or transferred to a "
        "third party without approval.",
    ),
    "change_of_control": (
        "If a party undergoes a change of control, merger, or sale of substantially all of its "
        "assets, the other party may terminate.",
        "A transfer of ownership or control of a party counts as an assignment requiring "
        "consent.",
    ),
    "audit_rights": (
        "A party may inspect and audit the other party's books, records and accounts.",
        "The company shall keep accurate records and make them available for examination by "
        "the other party's auditors.",
    ),
    "insurance": (
        "A party must maintain insurance coverage, such as general liability insurance, with "
        "minimum limits.",
        "The contractor shall carry insurance policies and provide certificates naming the "
        "other party as additional insured.",
    ),
    "warranty_duration": (
        "The warranty on the products or services lasts for a stated period after delivery.",
        "Defects reported within a number of months after acceptance will be repaired or "
        "replaced free of charge.",
    ),
}
