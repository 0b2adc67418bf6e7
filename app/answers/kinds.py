"""The 41 clause kinds of CUAD, in plain words, and example questions that ask about each.

``description`` is one sentence in general drafting terms of what such a clause does;
``asks`` are questions a lawyer might ask about it (written for this table, not taken from any
contract). Both are embedded when the clause scorer is trained
(``tests/bench/train_clause_scorer.py``) and their vectors ship with its weights: a question is
recognised by its closeness to them (:mod:`app.answers.clauses`).

``answer`` says what a direct answer to such a question is: ``fact`` (a span of the clause is
the answer: a date, a term, a notice period, a jurisdiction, the parties), ``yes_no`` (does
the document have such a clause: "Yes"/"No", then the clause that decides it) or ``operative``
(the operative words of the clause: what licence, who owns, what happens if).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClauseKind:
    key: str  # snake_case of the CUAD category
    name: str  # plain words for messages
    description: str
    answer: str  # "fact", "yes_no" or "operative"
    category: str = ""  # the CUAD column
    asks: tuple[str, ...] = ()


def _kind(category: str, name: str, answer: str, description: str,
          *asks: str) -> ClauseKind:
    key = "_".join("".join(c if c.isalnum() else " " for c in category.lower()).split())
    return ClauseKind(key, name, description, answer, category, asks)


CLAUSE_KINDS: tuple[ClauseKind, ...] = (
    _kind("Document Name", "agreement title", "fact",
          "The heading that names the document and the type of contract it is.",
          "What is this agreement called?", "What is the title of the contract?",
          "What kind of contract is this document?"),
    _kind("Parties", "parties", "fact",
          "Identifies the companies or people who enter into the agreement and are bound by it.",
          "Who are the parties to the agreement?", "Which companies signed this contract?",
          "Between whom is this contract made?"),
    _kind("Agreement Date", "agreement date", "fact",
          "States the date the contract is dated or was signed.",
          "What is the date of the agreement?", "When was the contract signed?",
          "On what date was this agreement executed?"),
    _kind("Effective Date", "effective date", "fact",
          "States when the contract's obligations begin to apply.",
          "When does the agreement take effect?", "What is the commencement date?",
          "From which date does the contract apply?"),
    _kind("Expiration Date", "expiry date", "fact",
          "Sets how long the initial term runs or the date on which the contract ends.",
          "When does the agreement expire?", "How long is the initial term of the contract?",
          "On what date does the contract come to an end?"),
    _kind("Renewal Term", "renewal", "fact",
          "Provides for the contract to be extended or renewed after its initial term, and for "
          "how long.",
          "Does the agreement renew automatically?", "How long is each renewal period?",
          "Is the contract extended after the first term?"),
    _kind("Notice Period To Terminate Renewal", "notice to stop renewal", "fact",
          "Sets how far in advance a party must give notice to stop the contract from renewing.",
          "How much notice is needed to stop the agreement from renewing?",
          "By when must a party say it will not renew?",
          "What is the notice period for non-renewal?"),
    _kind("Governing Law", "governing law", "fact",
          "Chooses which jurisdiction's law governs the interpretation of the contract.",
          "Which law governs the agreement?", "What jurisdiction's law applies to the contract?",
          "Under which state's laws is this contract construed?"),
    _kind("Most Favored Nation", "most-favoured-customer terms", "yes_no",
          "Promises a party terms at least as good as those offered to any other customer or "
          "licensee.",
          "Is there a most favoured nation provision?",
          "Do we get the best price the supplier gives anyone else?",
          "Must we be offered terms as good as other customers get?"),
    _kind("Competitive Restriction Exception", "exception to a competition restriction",
          "yes_no",
          "Carves out activities that remain allowed despite a restriction on competing, "
          "soliciting or dealing with others.",
          "Are there exceptions to the restriction on competing?",
          "What is carved out of the exclusivity obligation?",
          "Which competing activities are still permitted?"),
    _kind("Non-Compete", "non-compete", "yes_no",
          "Restricts a party from competing with the other, or from working with its "
          "competitors, in a field, territory or period.",
          "Is there a non-compete clause?", "Is a party barred from competing with the other?",
          "Can the company offer products that compete?"),
    _kind("Exclusivity", "exclusivity", "yes_no",
          "Makes a dealing exclusive: a party must deal only with the other, or is the sole "
          "provider or distributor for a territory or product.",
          "Is the arrangement exclusive?", "Is the distributor the only one in its territory?",
          "Must the buyer purchase all of its requirements from the seller?"),
    _kind("No-Solicit Of Customers", "no-solicitation of customers", "yes_no",
          "Forbids a party from soliciting or taking away the other party's customers.",
          "Is there a customer non-solicitation clause?",
          "Can a party approach the other's clients?",
          "Are we prevented from poaching their customers?"),
    _kind("No-Solicit Of Employees", "no-hire of employees", "yes_no",
          "Forbids a party from recruiting or hiring the other party's staff.",
          "Is there a no-poach clause for staff?", "Can we hire their employees?",
          "Is recruiting the other side's personnel restricted?"),
    _kind("Non-Disparagement", "non-disparagement", "yes_no",
          "Forbids a party from making negative or damaging statements about the other.",
          "Is there a non-disparagement clause?", "Are the parties barred from criticising "
          "each other publicly?", "May a party speak badly about the other?"),
    _kind("Termination For Convenience", "termination for convenience", "operative",
          "Lets a party end the contract without cause, usually by giving notice.",
          "Can a party terminate the agreement without cause?",
          "Can we end the contract at any time for any reason?",
          "How much notice does a party need to give to terminate at will?"),
    _kind("Rofr/Rofo/Rofn", "right of first refusal", "yes_no",
          "Gives a party the first chance to buy, license or match an offer before the other "
          "deals with a third party.",
          "Is there a right of first refusal?", "Do we have a right of first offer?",
          "Must they offer it to us before selling to someone else?"),
    _kind("Change Of Control", "change of control", "operative",
          "Gives a party rights, such as terminating or consenting, when the other is merged, "
          "acquired or its ownership changes.",
          "What happens if a party is acquired?", "Is there a change of control provision?",
          "Can the contract be ended if the other company is sold?"),
    _kind("Anti-Assignment", "assignment", "yes_no",
          "Limits a party's ability to transfer the contract or its rights to someone else, "
          "usually requiring the other's consent.",
          "Can the agreement be assigned?", "Is consent needed to transfer the contract?",
          "May a party hand over its rights under the contract to a third party?"),
    _kind("Revenue/Profit Sharing", "revenue or profit sharing", "operative",
          "Requires a party to share revenue, profits or a percentage of sales with the other, "
          "such as royalties.",
          "Is there revenue sharing?", "What royalty or percentage of sales is paid?",
          "How are profits split between the parties?"),
    _kind("Price Restrictions", "price restriction", "yes_no",
          "Limits a party's ability to raise, lower or set the prices it charges.",
          "Are price increases restricted?", "Can the supplier change its prices?",
          "Is there a limit on setting prices?"),
    _kind("Minimum Commitment", "minimum commitment", "operative",
          "Requires a party to buy, sell or pay at least a minimum amount or quantity.",
          "Is there a minimum purchase commitment?", "What is the minimum order quantity?",
          "Must a party buy a minimum volume?"),
    _kind("Volume Restriction", "volume restriction", "yes_no",
          "Limits the quantity or usage allowed, or changes fees once a volume threshold is "
          "passed.",
          "Is there a cap on volume or usage?", "Are quantities limited?",
          "Do fees change above a usage threshold?"),
    _kind("Ip Ownership Assignment", "intellectual property ownership", "operative",
          "Says who owns intellectual property created under the contract and transfers "
          "ownership of it to a party.",
          "Who owns the intellectual property created under the agreement?",
          "Does ownership of work product pass to the customer?",
          "Who owns the inventions developed?"),
    _kind("Joint Ip Ownership", "joint IP ownership", "yes_no",
          "Makes intellectual property developed together owned jointly by the parties.",
          "Is any intellectual property jointly owned?", "Do the parties co-own inventions?",
          "Who owns jointly developed technology?"),
    _kind("License Grant", "licence grant", "operative",
          "Grants a party a licence to use the other's intellectual property, trademarks or "
          "technology.",
          "What licence is granted?", "Is there a license to use the trademarks?",
          "What rights to the software does the licensee get?"),
    _kind("Non-Transferable License", "non-transferable licence", "yes_no",
          "Forbids the licensee from transferring or sublicensing the licence it receives.",
          "Is the licence transferable?", "Can the licensee sublicense?",
          "May the licence be passed on to others?"),
    _kind("Affiliate License-Licensor", "licence from the licensor's affiliates", "yes_no",
          "Extends the licence to intellectual property owned by the licensor's affiliates.",
          "Does the licence cover the licensor's affiliates' IP?",
          "Are affiliates of the licensor also granting rights?",
          "Is intellectual property of the grantor's group companies included?"),
    _kind("Affiliate License-Licensee", "licence to the licensee's affiliates", "yes_no",
          "Lets the licensee's affiliates also use the licensed rights.",
          "Can the licensee's affiliates use the licence?",
          "Do group companies of the licensee get the rights too?",
          "Are the licensee's subsidiaries covered by the license?"),
    _kind("Unlimited/All-You-Can-Eat-License", "unlimited-use licence", "yes_no",
          "Grants a licence with no limit on the number of users, copies or uses.",
          "Is the licence unlimited in use?", "Is there an enterprise-wide license?",
          "Can the software be used by any number of users?"),
    _kind("Irrevocable Or Perpetual License", "irrevocable or perpetual licence", "yes_no",
          "Grants a licence that cannot be revoked or that lasts forever.",
          "Is the licence perpetual?", "Can the license be revoked?",
          "Is the grant irrevocable?"),
    _kind("Source Code Escrow", "source code escrow", "yes_no",
          "Requires source code to be deposited with a third party and released in events such "
          "as the vendor's insolvency.",
          "Is there a source code escrow?", "Is the source code deposited with an agent?",
          "Do we get the code if the vendor goes bankrupt?"),
    _kind("Post-Termination Services", "post-termination obligations", "operative",
          "Sets what a party must still do after the contract ends, such as transition support, "
          "selling off stock or returning materials.",
          "What obligations continue after termination?",
          "What happens to inventory when the contract ends?",
          "Is there a transition period after the agreement expires?"),
    _kind("Audit Rights", "audit rights", "yes_no",
          "Lets a party inspect or audit the other's books, records or premises.",
          "Are there audit rights?", "Can we inspect their books and records?",
          "May the licensor examine the accounts?"),
    _kind("Uncapped Liability", "uncapped liability", "yes_no",
          "Leaves a party's liability unlimited for some breaches or claims, outside any cap.",
          "Is any liability unlimited?", "Which claims are excluded from the liability cap?",
          "Is there uncapped exposure for some breaches?"),
    _kind("Cap On Liability", "liability cap", "operative",
          "Limits the amount or types of damages a party can be liable for.",
          "Is there a cap on liability?", "What is the maximum amount of damages?",
          "Is liability limited to the fees paid?"),
    _kind("Liquidated Damages", "liquidated damages", "yes_no",
          "Fixes in advance a sum or fee a party must pay if it breaches or ends the contract.",
          "Are there liquidated damages?", "Is a termination fee payable?",
          "Is there a fixed penalty for breach?"),
    _kind("Warranty Duration", "warranty period", "fact",
          "Sets how long a warranty on products or services lasts.",
          "How long is the warranty period?", "For how many months are the goods warranted?",
          "When does the warranty run out?"),
    _kind("Insurance", "insurance", "yes_no",
          "Requires a party to carry insurance of given types or amounts.",
          "Is insurance required?", "What insurance coverage must the supplier maintain?",
          "Must a party name the other as an additional insured?"),
    _kind("Covenant Not To Sue", "covenant not to sue", "yes_no",
          "Bars a party from suing or challenging the other's rights, such as its intellectual "
          "property.",
          "Is there a covenant not to sue?", "Is the licensee barred from contesting the "
          "patents?", "Can a party challenge the validity of the trademarks?"),
    _kind("Third Party Beneficiary", "third-party beneficiary", "yes_no",
          "Lets a person who is not a party enforce the contract or benefit from it.",
          "Are there third-party beneficiaries?",
          "Can someone outside the contract enforce it?",
          "Does anyone other than the parties have rights under the agreement?"),
)

# Questions about no clause kind: recognising one of these as a kind is an error (used to
# calibrate ``recognise``). Definitions of terms no kind covers count here too.
NOT_CLAUSE_QUESTIONS: tuple[str, ...] = (
    "What medications is the patient taking?", "What is the patient's diagnosis?",
    "When was the patient admitted?", "What allergies are recorded?",
    "What is an indemnity?", "Who indemnifies whom?", "What are the payment terms?",
    "When are invoices due?", "What does the confidentiality clause require?",
    "Summarize the document.", "What is this policy about?",
    "What was the company's revenue in 2022?", "What is the net income for the year?",
    "How many employees does the company have?", "What is the dress code?",
    "What is the refund policy?", "Who is the contact person for support?",
    "How do I reset my password?", "What does the intake form ask?",
    "What is the deadline for filing the appeal?", "Where is the office located?",
    "What are the key risks in the annual report?", "How much did the project cost?",
    "What is the definition of Confidential Information?", "What happens at the hearing?",
)
