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
_TOC = rx(r"\.{5,}|^[^.]{0,90}\s\d{1,3}$")
_BLANKS = rx(r"_{5,}")  # a form's fill-in line: less likely the answer, but no table of contents
DEFINITION = rx(r"^\W{0,3}(?:\d+(?:\.\d+)*\.?\s+)?[\"“][^\"”]{1,60}[\"”]\s+(?:shall\s+)?means?\b")
# the agreement ends a stated time after an event ("shall terminate two (2) years after ...")
_ENDS_AFTER = (r"\b(?:shall|will) (?:automatically )?(?:terminate|expire|end)\s+(?:\w+\s+){0,2}(?:"
               + DURATION.pattern + r")\s+(?:from|after|following)\b"
               r"(?!\s+(?:\S+\s+){0,3}(?:notice|notif|receipt|breach|default))")  # not for cause
# a term sheet or confirmation states the end as a labelled date
_END_DATE_LINE = (r"\b(?:termination|expiration|expiry|maturity|end) date\s*:?\s*(?:"
                  + DATE.pattern + ")")
# a covenant to deal with nobody else: "shall not enter into the same commitments with any other
# company"
_NO_OTHERS = (r"\b(?:shall|will|agrees?|may) not (?:to )?enter into (?:\w+ ){0,6}(?:agreements?|"
              r"arrangements?|commitments?|relationships?|contracts?) with (?:any|another|other|a "
              r"third) (?:\w+ ){0,3}(?:company|companies|entity|entities|party|parties|person|"
              r"vendor|supplier|distributor|customer|provider)")
# "a change of control", "a change in the management or ownership of X": the nouns coordinated
_CHANGE = (r"\bchange (?:of|in) (?:the )?(?:(?:\w+ ){0,2}(?:or|and) (?:the )?)?"
           r"(?:control|ownership)\b")
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
                                                          (_BLANKS, -1.0), (_FILING_FOOTER, -1.5))

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "parties", "Parties", "Who are the parties?",
        (rx(r"\bbetween\b.{3,}\band\b|\bamong\b|\bentered into by\b|\bmade by\b|"
            r"\bby and between\b|\b(?:hereby )?enter into this\b|\bparties (?:to|of) this\b"),),
        ((rx(r"\bagreement\b|\bcontract\b"), 1.0), (re.compile(r"\(\s*(?:the\s+)?[\"“]"), 1.5),
         (rx(r"\b(?:each|individually) (?:a|as a) [\"“]?Party\b|\bcollectively,? (?:as )?(?:the )?"
             r"[\"“]?Parties\b|\bhereinafter (?:referred to as|called)\b"), 1.5),
         (rx(r"\b(?:agreement|contract|arrangement)\s+(?:is\s+)?(?:made\s+)?(?:by and\s+)?"
             r"between\b|"
             r"\bagreed (?:by and )?between\b"), 1.5),
         (re.compile(r"\b(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|LP|L\.P|plc|GmbH|AG|"
                     r"S\.A|N\.V|B\.V|Company|Co)\b"), 1.5),
         (rx(r"\b(?:made|entered into|dated|effective)\b"), 0.5)),
        min_score=2.5, first_pages=6, cuad_columns=("Parties",)),
    FieldSpec(
        "agreement_date", "Agreement date", "When was the agreement signed or dated?",
        (DATE,),
        ((rx(r"\bdated\b|\bmade and entered\b|\bentered into\b|\bmade (?:as of|on|this)\b|"
             r"\bas of\b|\bday of\b|\bdate\s*:?\s*(?:[A-Z][\w.]*\s+){0,3}\d"), 2.0),
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
         (rx(r"\beffective date (?:of this (?:\w+ )?agreement (?:shall be|is|will be)|shall be|is)"
             r"\b|^.{0,60}\beffective date\s*:"), 2.0),
         (rx(r"\bterm\b.{0,40}\b(?:shall|will) (?:begin|commence|start)\b"), 1.0),
         (rx(r"(?<!earlier )(?<!sooner )\bterminat(?!ed (?:earlier|sooner))|"
             r"\beffective(?:ness)? of (?:any|such) (?:notice|revocation)|"
             r"\bsupersede"), -2.5),
         (rx(r"\bshall have the meaning\b"), -2.0),
         # a clause that only uses the defined term ("commence on the Effective Date") does not
         # say when that is
         (re.compile(r"\b(?:[Oo]n|[Aa]fter|[Bb]efore|[Pp]rior to|[Ff]rom|[Ff]ollowing|[Ss]ince) "
                     r"the Effective Date\b"), -1.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?effective"), min_score=2.5,
        cuad_columns=("Effective Date",)),
    FieldSpec(
        "term", "Term and expiration", "How long does the agreement last?",
        (rx(r"\bterm\b|\bexpir|\bcontinue in (?:full )?(?:force|effect)|\bperpetu|"
            r"\buntil terminated\b|\bindefinite|"
            r"\bremain in (?:full )?(?:force|effect)|\bin effect (?:until|for)\b|"
            r"\bcontinue (?:thereafter )?(?:in operation|until|for)\b|"
            r"\bterminate (?:on|upon the earlier)\b|" + _ENDS_AFTER + "|" + _END_DATE_LINE + "|"
            r"\bperiod\b.{0,40}\b(?:commencing|beginning)\b|"
            r"\b(?:have|has) a duration of\b|\b(?:runs?|lasts?|is valid) (?:for|until|"
            r"through)\b|\bfrom\b.{0,40}\d{4}.{0,30}\b(?:to|until|through)\b.{0,30}\d{4}"),),
        ((rx(r"\b(?:initial )?term of this (?:\w+ )?agreement (?:shall|will|is)\b|"
             r"\bthis (?:\w+ )?agreement (?:shall|will|is) (?:\w+ ){0,3}(?:continue|remain|expire|"
             r"terminate|end|be in effect|commence)|\b(?:shall|will) (?:continue|remain) in "
             r"(?:full )?(?:force|effect)|\bthis (?:\w+ )?agreement (?:continues|remains|expires|"
             r"terminates|ends)\b|\b(?:for|has|with) an initial term of\b"), 2.5),
         # "shall terminate one (1) year from ..."; a term sheet's "Termination Date: 1 May 2030"
         (rx(_ENDS_AFTER), 1.5), (rx(_END_DATE_LINE), 2.0),
         (rx(r"\b(?:shall|will) (?:\w+ )?(?:expire|terminate|end|conclude) (?:on|upon|at|after)\b"),
          1.5),
         (DURATION, 1.5), (DATE, 1.0),
         (rx(r"\bin perpetuity\b|\bperpetual (?:term|basis|agreement)\b|\bindefinite (?:term|"
             r"period)\b|\b(?:continue|remain in (?:full )?(?:force|effect)) until terminated\b"),
          1.5),
         # "shall begin on the Effective Date and shall continue until December 31, 2020"
         (rx(r"\b(?:continue|remain in (?:full )?(?:force|effect)|be in effect|expire|end)\b"
             r"(?: in (?:full )?(?:force|effect))? (?:until|through|to|on) (?:and including )?(?:"
             + DATE.pattern + r")|\b(?:have|has) a duration of\b|\b(?:is|be) for (?:a|an initial) "
             r"(?:period|term) of\b"), 1.5),
         (rx(r"\bunless (?:\w+ or )?(?:sooner|earlier) terminated\b|\bunless terminated (?:earlier|"
             r"sooner)\b|"
             r"\bunless (?:\w+ )?terminated (?:earlier|sooner)|\bif (?:\w+ ){0,3}(?:has |have )?"
             r"not (?:been )?(?:\w+ )?terminated (?:earlier|sooner)"), 1.5),
         (rx(r"\b(?:from|commencing(?: on)?|beginning(?: on)?)\b.{0,40}\d{4}.{0,30}\b(?:to|until|"
             r"through|and ending|concluding)\b"), 1.5),
         (rx(r"\bcommenc"), 0.5), (rx(r"\bbreach\b|\bdefault\b"), -1.5),
         (rx(r"\bduring the term\b|\bthroughout the term\b|\bany term\b|\bterm of (?:the )?"
             r"(?:license|lease|loan|employment)\b"), -1.5),
         (rx(r"\bterms and conditions\b|\binsurance\b|\bconfidential"), -1.0),
         # severability: the rest "remains in full force" when one provision is invalid
         (rx(r"\bseverab|\binvalid|\bunenforceable\b|\billegal\b"), -3.0),
         (rx(r"\brenew|\bextend"), -0.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:article\s+\w+\s*)?(?:term|duration)\b"),
        cuad_columns=("Expiration Date",)),
    FieldSpec(
        "renewal", "Renewal", "Does the agreement renew, and for how long?",
        (rx(r"\brenew|\bautomatically (?:be )?extended\b|\bextended for\b|\bsuccessive\b|"
            r"\bextend (?:the|this) (?:\w+ )?(?:agreement|term)\b|\b(?:year|month)[- ]to[- ]"
            r"(?:year|month)\b|\bfrom (?:year|month) to (?:year|month)\b"),),
        ((rx(r"\bautomatic(?:ally)?\b"), 1.5), (rx(r"\bsuccessive\b|\bsubsequent\b"), 1.5),
         (DURATION, 1.0),
         (rx(r"\brenewable\b|\b(?:may|shall|will) be (?:renewed|extended)\b|\b(?:option|right) "
             r"to (?:\w+ )?(?:renew|extend)\b|\b(?:may|shall|will) (?:\w+ )?extend (?:the|this) "
             r"(?:\w+ )?(?:agreement|term)\b"), 1.0),
         # the agreement carrying on after its first term, for a year at a time
         (rx(r"\b(?:continue|remain in (?:full )?(?:force|effect)|be extended)\b.{0,40}\b(?:on a |"
             r"from )?(?:year[- ]to[- ]year|month[- ]to[- ]month)\b"), 1.5),
         (rx(r"\bcalendar (?:year|quarter)\b|\bquarters?\b|\bduring the term\b"), -2.0),
         (rx(r"\b(?:additional|renewal|extension|further) (?:\S+ )?(?:term|period)s?\b|\bfor "
             r"(?:another|an additional|a further) (?:year|term|period)\b"), 1.0),
         (rx(r"\bunless\b.{0,200}\bnotice\b"), 0.5),
         (rx(r"\brenew(?:al)? of (?:the |any |such )?(?:license|insurance|polic|permit)"), -1.5),
         # it is the agreement or its term that renews, not a cure or review period
         (rx(r"\bthis (?:\w+ )?(?:agreement|contract)\b|\b(?:the|initial|current|then[- ]current|"
             r"original|renewal) term\b|\bterm of this\b"), 1.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:renewal|term)\b"), min_score=3.5,
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
        (rx(r"\bterminat|\bcancel|\bwithdraw|\bend (?:this|the) (?:\w+ )?(?:agreement|contract)\b"),
         rx(r"\bfor (?:any reason|(?:its |their |his |her )?convenience|no reason|any or no "
            r"reason)|\bwithout cause\b|"
            r"\bwith or without cause\b|\bat any time\b|" + _NOTICE + r"|\bwithout (?:any )?"
            r"(?:reason|liability|penalty)")),
        ((rx(r"\bfor (?:its |their |his |her )?convenience\b|\bwithout cause\b|\bfor any reason\b|"
             r"\bno reason\b"), 2.5),
         (rx(r"\bat any time\b"), 1.0),
         (rx(r"\bmay\b[^.;]{0,40}\b(?:terminate|cancel|withdraw|end)\b|"
             r"\bright to (?:\w+ )?(?:terminate|"
             r"withdraw)\b|\b(?:terminated|cancell?ed) by\b"), 1.5),
         (DURATION, 0.5), (rx(r"\bnotice\b"), 0.5),
         (rx(r"\b(?:in|at) (?:its|their|his|her) (?:sole|absolute|own) (?:and absolute )?"
             r"discretion\b|\b(?:upon|on|with|by giving)\s+(?:\S+\s+){0,4}(?:days|months)['’]?\s+"
             r"(?:prior\s+|advance\s+)?(?:written\s+)?notice\b"), 1.0),
         # a party "wishing to terminate" need only give notice: no ground is asked for
         # (not one that terminates "pursuant to Section 6": that section sets the grounds)
         (rx(r"\b(?:wish(?:es|ing)?|desir(?:es|ing)|elect(?:s|ing)?|intend(?:s|ing)?|"
             r"choos(?:es|ing)|decid(?:es|ing)) to (?:\w+ )?terminate\b(?!.{0,60}\b(?:pursuant to|"
             r"under|in accordance with) (?:section|article|clause|paragraph)\b)"), 1.5),
         # a notice period stated as a minimum before the termination (not before the end of
         # the term: that is notice not to renew)
         (rx(r"\b(?:at least|not less than|no less than|a minimum of)\s+(?:\S+\s+){0,2}"
             r"(?:days|months)['’]?\s+(?:\S+\s+){0,3}(?:prior|advance|before|notice)\b"
             r"(?!.{0,40}\b(?:end|expiration|expiry|anniversary) of\b)"), 1.0),
         # an insurer's notice before a policy is cancelled
         (rx(r"\binsur|\bpolic(?:y|ies)\b"), -2.0),
         # for-cause grounds, unless the clause itself says "without cause" or "for any reason"
         (rx(r"^(?!.*\b(?:for convenience|without cause|for any reason|or no reason)\b).*?(?:"
             r"\bbreach|\bdefault|\binsolven|\bbankrupt|\bfails? to\b|\bfailure to\b|"
             r"\bforce majeure\b|\bchange (?:of|in) control\b)"), -2.5),
         # no right to end it: "may not be terminated for any reason", "irrevocable"
         (rx(r"\b(?:may|shall|can|will) not be (?:terminated|cancell?ed|revoked)\b|\birrevocabl|"
             r"\bwithout prejudice to\b"), -3.0),
         (rx(r"\b(?:upon|following|after|on|in the event of) (?:the )?(?:any )?(?:expiration or )?"
             r"(?:early )?terminat|\bif this agreement is terminated\b|\bsurviv|"
             r"\b(?:termination|expiration)(?: or (?:termination|expiration))? of (?:this|the) "
             r"(?:\w+ ){0,3}(?:agreement|contract)\b[^.]{0,30}\bfor any reason\b"), -2.5),
         # a right that needs a listed ground is termination for cause
         (rx(r"\b(?:any|one or more) of the following\b|\bfollowing (?:grounds|events)\b"), -2.5),
         # a right that needs a condition ("if sales fall short") is not one at will
         (rx(r"^(?!.*\b(?:for convenience|without cause|for any reason|or no reason)\b)"
             r"(?:(?:\W{0,3}\(?\w{1,5}\)\s*)?(?:if|in the event|should|unless)\b|"
             r".*?\b(?:terminate|cancel)\b[^.;]{0,80}\b(?:if|in the event)\b)"), -1.5)),
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
        (rx(r"\bliab|\bdamages\b|\bresponsibility\b|\brecourse\b|\bremed(?:y|ies)\b"),),
        ((rx(r"\bno rights? to (?:any )?(?:damages|compensation)\b|\bsole and exclusive remed|"
             r"\bexclusive remed(?:y|ies)\b"), 1.5),
         (rx(r"\b(?:shall|will) not exceed\b|\bshall exceed\b|\bin excess of\b|\blimited to\b|"
             r"\bmaximum\b|\baggregate liability\b|\btotal liability\b|\bcumulative liability\b|"
             r"\bcap\b|\bonly be liable\b|\blimited recourse\b|\bgreater than\b"), 2.5),
         (rx(r"\bin no event\b|\bunder no circumstances?\b|\b(?:neither|no) party (?:\w+ ){0,10}"
             r"liable\b|\bnot (?:\w+ )?(?:be )?(?:held )?liable\b|\bno liability\b|"
             r"\b(?:will|shall) not have (?:any )?liabilit|\bwaives?\b"
             r".{0,80}\b(?:right to recover|damages|claims? for)|\bhave any liabilit|"
             r"\b(?:may|shall|"
             r"will) not (?:assert|claim|recover|seek)\b|\bnot to seek\b"), 1.5),
         (rx(r"\b(?:indirect|incidental|consequential|special|punitive|exemplary)\b|\b(?:other "
             r"than|except(?: for)?|only(?: for)?|limited to) direct damages\b"), 1.5),
         (rx(r"\blost profits\b|\bloss of profits?\b"), 0.5), (MONEY, 0.5),
         (rx(r"\b(?:fees|amounts?) paid\b"), 1.0), (rx(r"\binsurance\b|\bindemnify\b"), -1.0),
         (rx(r"\bforce majeure\b|\bacts? of god\b"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?limitations? (?:of|on) liabilit"),
        min_score=3.5, cuad_columns=("Cap On Liability",)),
    FieldSpec(
        "uncapped_liability", "Uncapped liability", "Is any liability left unlimited?",
        (rx(r"\bliab|\bdamages\b|\blimitations?\b"),
         rx(r"\bexcept\b|\bexcluding\b|\bother than\b|\bnot (?:\w+ )?(?:limit|apply|restrict|"
            r"exclude)|\bunlimited\b|\bwithout limit\b|\bprovided,? (?:however,? )?that\b|"
            r"\bnothing in\b|\bsave (?:for|in)\b"),
         rx(r"\bin no event\b|\blimit|\bnot exceed\b|\bconsequential\b|\bexclu|"
            r"\bnot be liable\b|\bunlimited\b")),
        ((rx(r"\bin no event\b|\blimited to\b|\bnot exceed\b|\btotal liability\b|"
             r"\baggregate liability\b|\bconsequential\b|\blimit or exclude\b|"
             r"\b(?:foregoing|above|these) limitations?\b|\blimitations? (?:of|on) liabilit"), 2.0),
         (rx(r"^.{0,60}\bexcept\b|\bnotwithstanding\b"), 1.5),
         (rx(r"\bconfidential|\bindemnif|\bgross(?:ly)? negligen|\bwil?lful|\bfraud|\binfring|"
             r"\bintellectual property\b|\b(?:section|article|sections)\s+\d|\bdeath\b|"
             r"\bpersonal injury\b|\bbodily injury\b"), 1.5),
         (rx(r"\bnothing in this (?:\w+ )?(?:agreement|clause|section|article)\b.{0,80}\b(?:limit|"
             r"exclude|restrict)"), 1.5),
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
        "non_compete", "Non-compete", "Is a party barred from competing?",
        (rx(r"\bcompet|\bnon-?compet|\bengage in\b|\bsimilar (?:business|products?|services)|"
            r"\b(?:business|products?|services) (?:\w+ ){0,3}similar to\b"),),
        ((rx(r"\bnon-?compet|\b(?:covenant|duty|obligation|undertaking|agrees?|agreement) not to "
             r"compete\b"), 2.5),
         (rx(r"\b(?:(?:shall|will|agrees? to|must) not|agrees? not to|(?:shall|will) refrain from)"
             r"\b.{0,160}\b(?:compet|engage|own|operate|manage|sell|distribute|market|"
             r"manufacture|develop|promot|commercialize|become|participate|invest|enter into)"),
          2.0),
         (rx(r"\bcompetitive|\bcompeting|\bcompetitor|\bin competition with\b|\bcompete\b"), 1.5),
         # an item of a list of covenants ("You must: (a) not become a Competitor")
         (rx(r"^\W{0,3}(?:\d+(?:\.\d+)*\.?\s+|\(?[a-z0-9]{1,4}\)\s+)?not (?:to )?(?:\w+ )?"
             r"(?:compete|engage|become|own|operate|manage|participate)\b"), 2.0),
         (rx(r"\bdirectly or indirectly\b"), 1.0),
         # holding or giving up a stake in a competing business
         (rx(r"\b(?:interest|investment|stake)s? (?:\w+ ){0,6}in (?:any |a )(?:\w+ ){0,3}(?:entity|"
             r"business|person|company|enterprise)\b.{0,40}\bcompet|\bdivest"), 1.5),
         (rx(r"\b(?:after|following) (?:the )?(?:termination|expiration)|\bthereafter\b"), 0.5),
         (rx(r"\bterritory\b|\bwithin (?:a )?(?:radius|\d+ miles)"), 0.5),
         (rx(r"\bnothing (?:\w+ ){0,6}(?:prevent|restrict|limit|preclude|prohibit)|\bshall not "
             r"(?:be deemed to )?(?:prevent|restrict|limit|preclude)|\bfree to\b"), -2.5),
         (rx(r"\bconfidential|\bcompetent\b"), -1.0), (DEFINITION, -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:non-?compet|competi|restrictive covenant|"
                   r"covenant not to)"),
        min_score=3.5, cuad_columns=("Non-Compete",)),
    FieldSpec(
        "exclusivity", "Exclusivity",
        "Is a party bound to deal only with the other, or given exclusive rights?",
        (rx(r"\bexclusiv|\bsole (?:and exclusive )?(?:distributor|supplier|provider|source|"
            r"reseller|agent|licensee|representative)|\bonly (?:distributor|supplier|provider|"
            r"reseller|licensee|source)|\bother than\b|\bnot (?:appoint|grant|authori[sz]e)\b|"
            r"\b(?:all|100%|one hundred percent) of (?:its|their) (?:requirements|needs)|"
            + _NO_OTHERS),),
        ((rx(r"\b(?:grants?|appoints?|designates?)\b.{0,160}(?<![-\w])exclusive\b|"
             r"(?<![-\w])exclusive,"), 2.0),
         (rx(r"(?<![-\w])exclusive (?:\w+ ){0,2}(?:right|license|licence|distribut|basis|supplier|"
             r"provider|dealer|agent|agency|reseller|territory|marketing|partner|sponsor|"
             r"appointment|option|licensee|manufactur|representative|seller|retailer|vendor|"
             r"source|purchaser|customer|channel|franchise)|\bon an exclusive\b|\bexclusively\b|"
             r"\bexclusivity\b"), 2.0),
         (rx(r"\bonly (?:distributor|supplier|provider|reseller|licensee|source)\b|\bsole (?:and "
             r"exclusive )?(?:distributor|supplier|provider|source|reseller|agent|licensee|"
             r"representative)\b"), 2.0),
         (rx(r"\b(?:(?:shall|will|agrees? to) not|agrees? not to)\b.{0,80}\b(?:appoint|grant|"
             r"authori[sz]e|license)\b.{0,80}\b(?:other|additional|further|any third part|anyone)"),
          2.5),
         (rx(r"\b(?:purchase|buy|obtain|source|order)\b.{0,80}\b(?:from any|from anyone|from a)?"
             r"\s?(?:source|person|entity|party|one|supplier|third party) other than\b|"
             r"\b(?:all|100%|one hundred percent) of (?:its|their) (?:requirements|needs)"), 2.5),
         (rx(_NO_OTHERS), 2.5), (rx(r"\bappoint(?:s|ed|ment)?\b"), 1.0),
         (rx(r"\bterritory\b|\bfield\b"), 0.5),
         (rx(r"\bnon-?\s?exclusive\b|\bnot (?:\w+ ){0,4}exclusive\b"), -3.0),
         (rx(r"\bexclusive of\b|\bexclusive remed|\bexclusive (?:jurisdiction|venue|forum|"
             r"control)|\bexclusive (?:property|owner)|\bexclusively for\b.{0,30}\bbenefit|"
             r"\battorney-in-fact\b|\bexclusive (?:warrant|statement|agreement)|\bexclusivity of "
             r"warrant|\bsole (?:and exclusive )?(?:discretion|remedy|cost|expense|"
             r"option|judgment|responsibility|liability|obligation)"), -3.0),
         (rx(r"\bconfidential|\bowner(?:ship)?\b|\btitle\b"), -0.5)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:exclusiv|appointment|grant of (?:rights|"
                   r"licen[cs]e)|licen[cs]e grant)"),
        min_score=3.5, cuad_columns=("Exclusivity",)),
    FieldSpec(
        "assignment", "Assignment", "Can the agreement be transferred to someone else?",
        (rx(r"\bassign|\btransfer|\bdelegat"),),
        ((rx(r"\b(?:may|shall|will) not (?:\w+ )?(?:be )?(?:assign|transfer|delegate)|"
             r"\bnot (?:be )?assignable\b|\bno transfer\b|"
             r"\b(?:neither|no) (?:party|\w+) (?:\w+ ){0,3}(?:may|shall|will) (?:\w+ ){0,2}assign|"
             r"\bno assignment\b|\bshall (?:\w+ ){0,6}be assigned\b|"
             r"\bwithout (?:the )?(?:\w+['’]s )?(?:prior )?(?:express )?(?:written )?(?:consent|"
             r"approval)\b"), 2.5),
         (rx(r"\bthis agreement\b"), 0.5),
         (rx(r"\brights? (?:or|and) obligations?\b|\bdelegate\b"), 1.0),
         (rx(r"\bassignment of (?:inventions|intellectual|patents?|copyright)|\bhereby assigns?\b|"
             r"\bwork(?:s)? (?:made )?for hire"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:assignment|successors|transfer)"),
        min_score=3.0, cuad_columns=("Anti-Assignment",)),
    FieldSpec(
        "change_of_control", "Change of control",
        "What happens if a party is taken over (merger, sale, new owner)?",
        (rx(_CHANGE + r"|\bmerge[rsd]?\b|"
            r"\bconsolidat|\bacqui(?:red|res?|sition)\b|\breorgani[sz]|\boperation of law\b|"
            r"\b(?:all|substantially all) (?:or substantially all )?(?:of )?(?:its |the |their )?"
            r"(?:\w+ )?(?:assets|stock|shares|equity|business)\b|\bcontrolling interest\b|"
            r"\bvoting (?:stock|securities|power|shares)"),),
        ((rx(_CHANGE), 3.0),
         (rx(r"\bmerge[rsd]?\b|\bconsolidat|\breorgani[sz]|\b(?:is|are|be|been|becomes?) "
             r"acquired\b|\bacquir(?:er|or)\b"), 1.5),
         (rx(r"\b(?:terminat|consent|notify|right to)\w*\b.{0,160}(?:" + _CHANGE + r"|\b(?:"
             r"merge|acquired|acquisition|consolidat))|(?:" + _CHANGE + r"|\b(?:merge|acquired|"
             r"acquisition|consolidat)\w*\b).{0,160}\b(?:terminat|consent)"), 2.0),
         # insolvency events, unless a change of control is named among them
         (rx(r"^(?!.*" + _CHANGE + r").*?(?:\bbankrupt|\binsolven|\breceiver\b|\bbenefit of "
             r"(?:its )?creditors\b|\bliquidat)"), -3.0),
         # a successor by merger allowed without consent: the change needs nobody's leave
         (rx(r"\bmay (?:\w+ ){0,3}(?:assign|transfer)\b.{0,250}\bwithout (?:the )?(?:[\w'’]+ ){0,2}"
             r"(?:prior )?(?:written )?consent\b|\bdoes not require (?:the )?(?:\w+ )?consent\b|"
             r"\bno (?:such )?(?:consent|approval) (?:\w+ ){0,2}(?:be )?required\b|\bmerged "
             r"into (?:any|such|the) judgment"), -2.5),
         # an assignment to a successor or buyer that is simply allowed
         (rx(r"\bmay (?:\w+,? ){0,4}(?:assign|transfer)\b[^.]{0,200}(?:\bto (?:a|any|the|its) "
             r"(?:\w+ )?(?:successor|purchaser|acquir)|\bin (?:the event of|connection with) (?:a |"
             r"any |the )?(?:sale|merger))"), -4.0),
         (rx(r"\b(?:sale|transfer|disposition) of (?:all|substantially all)|\b(?:all|substantially "
             r"all) (?:or substantially all )?(?:of )?(?:its |the |their )?(?:\w+ )?(?:assets|"
             r"stock|shares|equity|business)\b"), 1.5),
         (rx(r"\boperation of law\b|\bdeemed (?:to be )?an? (?:assignment|transfer)\b"), 1.5),
         (rx(r"\bvoting|\bcontrolling interest\b|\bbeneficial(?:ly)? own|\b(?:50|fifty) ?(?:%|"
             r"percent)|\bcontrol of\b"), 1.5),
         (rx(r"\bassign|\btransfer"), 1.0),
         (rx(r"\bterminat|\bconsent\b|\bnotify|\bnotice\b"), 0.5),
         (rx(r"\bentire agreement\b|\bsupersedes?\b|\bmerger clause\b|\bacquired (?:by|"
             r"from) (?:the )?(?:licensee|distributor|customer) (?:from|through)"), -3.0),
         (rx(r"\bhereby assigns?\b|\bacquisition (?:cost|price) of\b|\bacquire (?:the )?"
             r"(?:products?|goods|inventory|equipment)\b"), -2.0)),
        heading=rx(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:change (?:of|in) control|assignment|"
                   r"successors)"),
        min_score=4.0, cuad_columns=("Change Of Control",)),
    FieldSpec(
        "audit_rights", "Audit rights", "Can a party audit the other's books and records?",
        (rx(r"\baudit|\binspect|\bexamin|\bavailable for (?:review|inspection)|\breview\b.{0,60}"
            r"\b(?:books|records)\b"),),
        ((rx(r"\bbooks\b|\brecords\b|\baccounts\b|\bfacilit|\bpremises\b"), 1.5),
         (rx(r"\bmake (?:\w+ ){0,3}(?:available|accessible)\b|\bavailable for (?:review|"
             r"inspection|audit|examination)"), 1.5),
         (rx(r"\bright\b.{0,80}\b(?:audit|inspect|examin|review)|\bmay\b.{0,60}\b(?:audit|inspect|"
             r"examine)\b|\b(?:permit|allow)\b.{0,60}\b(?:audit|inspect|examin)"), 2.0),
         (rx(r"\bbusiness hours\b|\breasonable times\b|\bindependent (?:certified )?(?:public )?"
             r"account|\bauditor\b|" + _NOTICE), 1.0),
         (rx(r"\baudited financial statements\b"), -2.0),
         # a party giving up its right to inspect, or bound to check what it receives itself
         (rx(r"\bwaives? (?:\w+ ){0,3}rights? (?:\w+ ){0,2}(?:to )?(?:audit|inspect|examin|review)|"
             r"\b(?:responsible|liable) for (?:examining|inspecting|checking)\b"), -3.0)),
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
         (rx(r"\binspect|\breject|\bnotice of (?:any )?(?:defect|non-?conform|shortage)"), 1.0),
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
