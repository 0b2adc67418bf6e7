"""The fields of a contract summary, one row each: what to look for and how much it counts.

Patterns are general legal drafting cues written for this table, not phrases taken from any
labelled contract. A passage is a candidate for a field when every ``required`` pattern
matches; its score is 1 plus the weights of the ``cues`` it matches (negative weights push
away look-alikes), plus ``HEADING_WEIGHT`` when its clause heading names the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.contracts.facts import DATE, DURATION, MONEY

HEADING_WEIGHT = 1.5
ANNEX_PENALTY = 0.75
SHORT_PENALTY = 2.5
PAGE_PENALTY = 0.25  # per page after the first, for fields read from the opening pages


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_NOTICE = (r"\b(?:days|months)['’]?\s+(?:prior\s+|advance\s+)?(?:written\s+)?(?:notice|"
           r"notification)|\b(?:prior|advance) (?:written )?notice\b|\bwritten notice\b")
_REDACTION = rx(r"confidential treatment|\[\s*\*+\s*\]|\*\*\*|omitted and filed separately")
_TOC = rx(r"\.{5,}|_{5,}|^[^.]{0,90}\s\d{1,3}$")
_FILING_FOOTER = rx(r"\bSource:\s+[A-Z].{0,80}\b\d{1,2}/\d{1,2}/\d{4}")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    question: str  # what the field answers, shown when it is not found
    required: tuple[re.Pattern[str], ...]
    cues: tuple[tuple[re.Pattern[str], float], ...]
    heading: re.Pattern[str] | None = None
    min_score: float = 3.0
    first_pages: int = 0  # 0: look at every page
    min_chars: int = 45  # shorter passages (headings) are pushed away by SHORT_PENALTY
    cuad_columns: tuple[str, ...] = field(default_factory=tuple)


COMMON_CUES: tuple[tuple[re.Pattern[str], float], ...] = ((_REDACTION, -0.5), (_TOC, -3.0),
                                                          (_FILING_FOOTER, -1.5))

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "parties", "Parties", "Who are the parties?",
        (rx(r"\bbetween\b.{3,}\band\b|\bamong\b|\bentered into by\b|\bmade by\b"),),
        ((rx(r"\bagreement\b|\bcontract\b"), 1.0), (re.compile(r"\(\s*(?:the\s+)?[\"“]"), 1.5),
         (re.compile(r"\b(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|LP|L\.P|plc|GmbH|AG|"
                     r"S\.A|N\.V|B\.V|Company|Co)\b"), 1.5),
         (rx(r"\b(?:made|entered into|dated|effective)\b"), 0.5)),
        min_score=2.5, first_pages=6, cuad_columns=("Parties",)),
    FieldSpec(
        "agreement_date", "Agreement date", "When was the agreement signed or dated?",
        (DATE,),
        ((rx(r"\bdated\b|\bmade and entered\b|\bentered into\b|\bmade (?:as of|on|this)\b|"
             r"\bas of\b|\bday of\b"), 2.0),
         (rx(r"\bagreement\b"), 1.0), (rx(r"\bbetween\b"), 0.5),
         (rx(r"\bthis (?:\w+ ){0,3}(?:agreement|amendment|contract)\b"), 1.0),
         (rx(r"\bsupersede|\bexisting\b|\bprevious\b|\boriginal\b|\bwhereas\b"), -1.0)),
        min_score=2.0, first_pages=6, min_chars=0, cuad_columns=("Agreement Date",)),
    FieldSpec(
        "effective_date", "Effective date", "When does the agreement take effect?",
        (rx(r"\beffective (?:date|as of|on|from|upon)\b|\b(?:become|be|is|shall be) effective\b|"
            r"\bcommenc|\bbegin|\btake effect\b|\beffective this\b"),),
        ((re.compile(r"[\"“]Effective Date[\"”]"), 2.5),
         (rx(r"\beffective (?:as of|on|upon|from|date)\b"), 1.5), (DATE, 1.0),
         (rx(r"\b(?:shall|will) (?:become effective|commence|be effective|take effect)\b"), 1.5),
         (rx(r"\bthis (?:\w+ ){0,2}agreement\b.{0,60}\b(?:commence|begin|become effective|"
             r"effective|take effect)"), 1.5),
         (rx(r"\beffective date (?:of this (?:\w+ )?agreement|shall be|is)\b|^.{0,60}"
             r"\beffective date\s*:"), 2.0),
         (rx(r"\bterminat|\beffective(?:ness)? of (?:any|such) (?:notice|revocation)|"
             r"\bsupersede"), -2.5),
         (rx(r"\bshall have the meaning\b"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?effective"), min_score=2.5,
        cuad_columns=("Effective Date",)),
    FieldSpec(
        "term", "Term and expiration", "How long does the agreement last?",
        (rx(r"\bterm\b|\bexpir|\bcontinue in (?:full )?(?:force|effect)|"
            r"\bremain in (?:full )?(?:force|effect)|\bin effect (?:until|for)\b|"
            r"\bcontinue (?:in operation|until|for)\b|\bterminate (?:on|upon the earlier)\b|"
            r"\bperiod\b.{0,40}\b(?:commencing|beginning)\b"),),
        ((rx(r"\b(?:initial )?term of this (?:\w+ )?agreement (?:shall|will|is)\b|"
             r"\bthis (?:\w+ )?agreement (?:shall|will|is) (?:\w+ ){0,3}(?:continue|remain|expire|"
             r"terminate|end|be in effect|commence)|\b(?:shall|will) (?:continue|remain) in "
             r"(?:full )?(?:force|effect)"), 2.5),
         (rx(r"\b(?:shall|will) (?:\w+ )?(?:expire|terminate|end|conclude) (?:on|upon|at|after)\b"),
          1.5),
         (DURATION, 1.5), (DATE, 1.0),
         (rx(r"\bunless (?:sooner|earlier) terminated\b|\bunless terminated (?:earlier|sooner)\b|"
             r"\bunless (?:\w+ )?terminated (?:earlier|sooner)"), 1.5),
         (rx(r"\b(?:from|commencing(?: on)?|beginning(?: on)?)\b.{0,40}\d{4}.{0,30}\b(?:to|until|"
             r"through|and ending|concluding)\b"), 1.5),
         (rx(r"\bcommenc"), 0.5), (rx(r"\bbreach\b|\bdefault\b"), -1.5),
         (rx(r"\bduring the term\b|\bthroughout the term\b|\bany term\b|\bterm of (?:the )?"
             r"(?:license|lease|loan|employment)\b"), -1.5),
         (rx(r"\bterms and conditions\b|\binsurance\b|\bconfidential"), -1.0),
         (rx(r"\brenew|\bextend"), -0.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:article\s+\w+\s*)?(?:term|duration)\b"),
        cuad_columns=("Expiration Date",)),
    FieldSpec(
        "renewal", "Renewal", "Does the agreement renew, and for how long?",
        (rx(r"\brenew|\bautomatically (?:be )?extended\b|\bextended for\b|\bsuccessive\b"),),
        ((rx(r"\bautomatic(?:ally)?\b"), 1.5), (rx(r"\bsuccessive\b"), 1.5), (DURATION, 1.0),
         (rx(r"\b(?:additional|renewal|extension) (?:term|period)s?\b"), 1.0),
         (rx(r"\bunless\b.{0,200}\bnotice\b"), 0.5),
         (rx(r"\brenew(?:al)? of (?:the |any |such )?(?:license|insurance|polic|permit)"), -1.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:renewal|term)\b"), min_score=2.5,
        cuad_columns=("Renewal Term",)),
    FieldSpec(
        "renewal_notice", "Notice to stop renewal",
        "How much notice is needed to stop the agreement renewing?",
        (rx(r"\brenew|\bextend|\bextension|\bautomatically continue|\binitial term\b"),
         rx(r"\bnotice|\bnotif|\bterminated by\b"),
         rx(DURATION.pattern + r"|\*{3,}|\b(?:prior to|before) the (?:end|expiration|expiry)")),
        ((rx(r"\b(?:prior to|before|preceding|in advance of) (?:the )?(?:end|expiration|expiry|"
             r"close|conclusion|natural expiry)|\bat the expiration of\b"), 2.0),
         (rx(r"\bnot to (?:renew|extend)|non-?\s?renewal|intention not to|elects? not to|"
             r"desire not to"), 2.0),
         (rx(r"\bat least\b|\bnot less than\b|\bno (?:later|less) than\b"), 1.0),
         (rx(r"\bunless\b.{0,80}\b(?:notice|terminated)"), 1.0),
         (rx(r"\bwritten notice\b"), 0.5), (rx(r"\bautomatic"), 0.5),
         (rx(r"\bbreach|\bdefault"), -2.0)),
        min_score=3.0, cuad_columns=("Notice Period To Terminate Renewal",)),
    FieldSpec(
        "termination_for_convenience", "Termination for convenience",
        "Can a party end the agreement without cause?",
        (rx(r"\bterminat|\bcancel|\bwithdraw"),
         rx(r"\bfor (?:any reason|convenience|no reason|any or no reason)|\bwithout cause\b|"
            r"\bwith or without cause\b|\bat any time\b|" + _NOTICE + r"|\bwithout (?:any )?"
            r"(?:reason|liability|penalty)")),
        ((rx(r"\bfor convenience\b|\bwithout cause\b|\bfor any reason\b|\bno reason\b"), 2.5),
         (rx(r"\bat any time\b"), 1.0),
         (rx(r"\bmay (?:\w+ ){0,3}(?:terminate|cancel|withdraw)\b|\bright to (?:\w+ )?(?:terminate|"
             r"withdraw)\b|\b(?:terminated|cancell?ed) by\b"), 1.5),
         (DURATION, 0.5), (rx(r"\bnotice\b"), 0.5),
         (rx(r"\bbreach|\bdefault|\binsolven|\bbankrupt|\bfails? to\b|\bfailure to\b|"
             r"\bforce majeure\b"), -2.5),
         (rx(r"\b(?:upon|following|after|on|in the event of) (?:the )?(?:any )?(?:expiration or )?"
             r"(?:early )?terminat|\bif this agreement is terminated\b|\bsurviv|"
             r"\btermination of this agreement for any reason\b"), -2.5)),
        min_score=3.5, cuad_columns=("Termination For Convenience",)),
    FieldSpec(
        "governing_law", "Governing law", "Which law governs the agreement?",
        (rx(r"\bgoverned by\b|\bgoverning law\b|\bconstrued (?:and enforced )?(?:in accordance "
            r"with|under)\b|\blaws? of the (?:State|Commonwealth|Province)\b"),),
        ((rx(r"\blaws? of\b"), 1.5), (rx(r"\bgoverned by\b|\bconstrued\b"), 1.5),
         (rx(r"\bconflicts? of laws?\b|\bchoice of law"), 0.5),
         (rx(r"\bcomply with\b|\bcompliance\b"), -1.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:governing law|applicable law|choice of law)"),
        min_score=2.5, cuad_columns=("Governing Law",)),
    FieldSpec(
        "payment_terms", "Payment terms", "When and how must payments be made?",
        (rx(r"\bpa(?:y|id)|\bpayment|\binvoic|\bfees?\b|\bcompensat|\bprice\b"),),
        ((rx(r"\bwithin\s+" + r"(?:\S+\s+)?(?:\(\d+\)\s+)?days\b|\bnet\s+\d+\b"), 2.0),
         (rx(r"\binvoic"), 1.5), (rx(r"\bpayable\b|\bshall pay\b|\bdue\b"), 1.0), (MONEY, 1.0),
         (rx(r"\blate (?:payment|charge|fee)|\binterest\b"), 0.5),
         (rx(r"\binsurance\b|\bindemnif|\bliabilit"), -1.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:payment|fees|compensation|invoic)"),
        min_score=3.5),
    FieldSpec(
        "cap_on_liability", "Cap on liability", "Is a party's liability limited?",
        (rx(r"\bliab|\bdamages\b|\bresponsibility\b"),),
        ((rx(r"\b(?:shall|will) not exceed\b|\bshall exceed\b|\bin excess of\b|\blimited to\b|"
             r"\bmaximum\b|\baggregate liability\b|\btotal liability\b|\bcumulative liability\b|"
             r"\bcap\b|\bonly be liable\b|\blimited recourse\b|\bgreater than\b"), 2.5),
         (rx(r"\bin no event\b|\bunder no circumstances?\b|\bneither party (?:\w+ ){0,3}liable\b|"
             r"\bnot be liable\b|\bno liability\b|\bwaives? any right to recover\b|"
             r"\bhave any liabilit"), 1.5),
         (rx(r"\b(?:indirect|incidental|consequential|special|punitive|exemplary)\b"), 1.5),
         (rx(r"\blost profits\b|\bloss of profits?\b"), 0.5), (MONEY, 0.5),
         (rx(r"\b(?:fees|amounts?) paid\b"), 1.0), (rx(r"\binsurance\b|\bindemnify\b"), -1.0),
         (rx(r"\bforce majeure\b|\bacts? of god\b"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?limitations? (?:of|on) liabilit"),
        min_score=3.5, cuad_columns=("Cap On Liability",)),
    FieldSpec(
        "uncapped_liability", "Uncapped liability", "Is any liability left unlimited?",
        (rx(r"\bliab|\bdamages\b|\blimitations?\b"),
         rx(r"\bexcept\b|\bexcluding\b|\bother than\b|\bnot (?:\w+ )?(?:limit|apply|restrict|"
            r"exclude)|\bunlimited\b|\bwithout limit\b|\bprovided,? (?:however,? )?that\b"),
         rx(r"\bin no event\b|\blimit|\bnot exceed\b|\bconsequential\b|\bexclu|"
            r"\bnot be liable\b|\bunlimited\b")),
        ((rx(r"\bin no event\b|\blimited to\b|\bnot exceed\b|\btotal liability\b|"
             r"\baggregate liability\b|\bconsequential\b|\blimit or exclude\b|"
             r"\b(?:foregoing|above|these) limitations?\b|\blimitations? (?:of|on) liabilit"), 2.0),
         (rx(r"^.{0,60}\bexcept\b|\bnotwithstanding\b"), 1.5),
         (rx(r"\bconfidential|\bindemnif|\bgross(?:ly)? negligen|\bwil?lful|\bfraud|\binfring|"
             r"\bintellectual property\b|\b(?:section|article|sections)\s+\d"), 1.5),
         (rx(r"\b(?:shall|will|does|do) not (?:\w+ )?(?:limit|apply)|\bunlimited liability\b"),
          1.5)),
        min_score=5.0, cuad_columns=("Uncapped Liability",)),
    FieldSpec(
        "indemnification", "Indemnification", "Who must compensate whom for third-party claims?",
        (rx(r"\bindemnif|\bhold (?:\w+ )?harmless\b"),),
        ((rx(r"\b(?:shall|will|agrees? to) (?:\w+,? )?(?:defend,? )?(?:and )?indemnify\b"), 2.5),
         (rx(r"\bhold (?:\w+ )?harmless\b"), 1.0), (rx(r"\bclaims?\b|\blosses\b"), 0.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?indemnif"), min_score=3.0),
    FieldSpec(
        "confidentiality", "Confidentiality", "What must be kept confidential?",
        (rx(r"\bconfidential"),),
        ((rx(r"\b(?:shall|will|must|agrees? to) (?:\w+ )?(?:keep|hold|maintain|treat|protect)\b"),
          2.0),
         (rx(r"\bnot (?:to )?(?:\w+ )?disclose\b|\bnon-?disclosure\b"), 1.0),
         (rx(r"\bconfidential information\b"), 1.0),
         (rx(r"\b(?:strict(?:est)? )?confidence\b|\bconfidential and proprietary\b"), 1.5),
         (rx(r"\bthird part"), 0.5), (_REDACTION, -2.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?confidential"), min_score=3.5),
    FieldSpec(
        "non_compete", "Non-compete and exclusivity",
        "Is a party barred from competing or bound to exclusivity?",
        (rx(r"\bcompet|\bexclusiv|\bsolely\b|\bother than\b"),),
        ((rx(r"\bnon-?compet"), 2.5),
         (rx(r"\b(?:grants?|appoints?)\b.{0,120}\bexclusive\b|\bonly (?:distributor|supplier|"
             r"provider|reseller|licensee)\b|\bsole (?:and exclusive )?(?:distributor|supplier|"
             r"provider|source|reseller)\b"), 1.5),
         (rx(r"\b(?:(?:shall|will|agrees? to|must) not|agrees? not to)\b.{0,120}\b(?:compet|engage|"
             r"sell|distribute|"
             r"market|manufacture|develop|promote|commercialize|purchase|order|grant|place|"
             r"become)"), 2.0),
         (rx(r"\bexclusive (?:\w+ ){0,2}(?:right|license|distribut|basis|supplier|provider|dealer|"
             r"agent|agency|reseller|territory|marketing|partner|sponsor|appointment|option)|"
             r"\bon an exclusive\b|\bexclusively\b|\bappoints?\b.{0,80}\bexclusive\b"), 2.0),
         (rx(r"\bcompetitive|\bcompeting|\bcompetitor|\bin competition with\b"), 1.5),
         (rx(r"\b(?:source|person|entity|party|one|anyone) other than\b"), 1.0),
         (rx(r"\bdirectly or indirectly\b"), 1.0), (rx(r"\bterritory\b"), 0.5),
         (rx(r"\bnon-?exclusive\b|\bnot (?:\w+ ){0,4}exclusive\b"), -2.5),
         (rx(r"\bexclusive of\b|\bexclusive remed|\bexclusive (?:jurisdiction|venue|forum)|"
             r"\bexclusive (?:property|owner)|\bexclusively for\b.{0,30}\bbenefit"), -3.0),
         (rx(r"\bconfidential"), -0.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:non-?compet|exclusiv|restrictive covenant)"),
        min_score=3.5, cuad_columns=("Non-Compete", "Exclusivity")),
    FieldSpec(
        "assignment", "Assignment and change of control",
        "Can the agreement be transferred, and what happens on a change of control?",
        (rx(r"\bassign|\btransfer|\bchange (?:of|in) control\b|\bmerger\b"),),
        ((rx(r"\b(?:may|shall|will) not (?:\w+ )?(?:be )?assign|\bnot (?:be )?assignable\b|"
             r"\b(?:neither|no) (?:party|\w+) (?:\w+ ){0,3}(?:may|shall|will) (?:\w+ ){0,2}assign|"
             r"\bno assignment\b|\bshall (?:\w+ ){0,6}be assigned\b|"
             r"\bwithout (?:the )?(?:prior )?(?:express )?(?:written )?consent\b"), 2.5),
         (rx(r"\bthis agreement\b"), 0.5),
         (rx(r"\bchange (?:of|in) control\b|\bmerger|\bconsolidat|\bsale of (?:all|substantially)"),
          1.5),
         (rx(r"\brights? (?:or|and) obligations?\b|\bdelegate\b"), 1.0),
         (rx(r"\bassignment of (?:inventions|intellectual|patents?|copyright)|\bhereby assigns?\b|"
             r"\bwork(?:s)? (?:made )?for hire"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:assignment|change of control|successors)"),
        min_score=3.0, cuad_columns=("Anti-Assignment", "Change Of Control")),
    FieldSpec(
        "audit_rights", "Audit rights", "Can a party audit the other's books and records?",
        (rx(r"\baudit|\binspect|\bexamin|\bavailable for (?:review|inspection)|\breview\b.{0,60}"
            r"\b(?:books|records)\b"),),
        ((rx(r"\bbooks\b|\brecords\b|\baccounts\b|\bfacilit|\bpremises\b"), 1.5),
         (rx(r"\bright\b.{0,40}\b(?:audit|inspect|examin|review)|\bmay\b.{0,60}\b(?:audit|inspect|"
             r"examine)\b|\b(?:permit|allow)\b.{0,60}\b(?:audit|inspect|examin)"), 2.0),
         (rx(r"\bbusiness hours\b|\breasonable times\b|\bindependent (?:certified )?(?:public )?"
             r"account|\bauditor\b|" + _NOTICE), 1.0),
         (rx(r"\baudited financial statements\b"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:audit|records|inspection|books)"),
        min_score=3.0, cuad_columns=("Audit Rights",)),
    FieldSpec(
        "insurance", "Insurance", "Which insurance must a party carry?",
        (rx(r"\binsur"),),
        ((rx(r"\b(?:shall|will|must|agrees? to) (?:\w+ ){0,4}(?:obtain|maintain|carry|procure|keep|"
             r"have|provide|acquire)\b|\bmaintain(?:ing)?\b"), 2.0),
         (rx(r"\bcoverage\b|\bpolic(?:y|ies)\b"), 1.0), (MONEY, 1.0),
         (rx(r"\bliability insurance\b|\bgeneral liability\b|\bproducts? liability\b|"
             r"\bworkers['’]? compensation\b|\bper occurrence\b"), 1.5),
         (rx(r"\badditional insured\b|\bnamed insured\b|\bcertificates? of insurance\b"), 1.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?insurance"), min_score=2.5,
        cuad_columns=("Insurance",)),
    FieldSpec(
        "warranty_duration", "Warranty duration", "How long do the warranties last?",
        (rx(r"\bwarrant|\bguarant|\bdefect|\bnon-?conform"),
         rx(r"\bwarranty period\b|\bfor a period of\b|\bfrom (?:the )?date of|\bafter (?:the )?"
            r"(?:date of )?(?:physical )?(?:delivery|receipt|shipment)|\*{3,}|"
            + DURATION.pattern)),
        ((DURATION, 1.5), (rx(r"\bwarranty period\b"), 2.5), (rx(r"\bfor a period of\b"), 1.5),
         (rx(r"\b(?:from|after) (?:the )?(?:date of )?(?:physical )?(?:delivery|shipment|"
             r"installation|acceptance|manufacture|purchase|sale|completion|receipt)\b"), 2.0),
         (rx(r"\bdefects? in (?:material|workmanship|design)|\bfree (?:from|of) (?:any )?defects"),
          1.5),
         (rx(r"\bwarrant(?:s|y|ies)\b"), 1.0),
         (rx(r"\bterm of this agreement\b|\brenew"), -1.0),
         (rx(r"\binvoic|\bpaid\b|\btax(?:es)?\b|\bpayment"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:limited )?warrant"), min_score=4.0,
        cuad_columns=("Warranty Duration",)),
)


FIELD_KEYS = tuple(spec.key for spec in FIELDS)


def spec_of(key: str) -> FieldSpec:
    for spec in FIELDS:
        if spec.key == key:
            return spec
    raise KeyError(key)
