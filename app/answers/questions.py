"""What kind of fact a question asks for, and how a sentence that states it looks.

One row per kind: a pattern that recognises the question, the pattern of the fact a good answer
sentence contains (a duration, a date, a jurisdiction...), cue patterns with weights, and extra
keywords for the keyword search. The cues are general drafting conventions, not phrases taken
from any particular document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answers.figures import DATE_FORMS, DURATION, MONTH_YEAR, PERCENT
from app.contracts.facts import MONEY


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ANY_DATE = re.compile("|".join(f"(?:{_unnamed(form.pattern)})"
                                for form in (*DATE_FORMS, MONTH_YEAR)), re.IGNORECASE)
_JURISDICTION = re.compile(
    r"\blaws?\s+(?:of|in)\s+(?:the\s+)?(?:State\s+of\s+|Commonwealth\s+of\s+|Province\s+of\s+|"
    r"Republic\s+of\s+|Kingdom\s+of\s+|People'?s\s+Republic\s+of\s+)?[A-Z][A-Za-z]+"
    r"(?:\s+[A-Z][A-Za-z]+){0,2}|"
    r"\b(?:State|Commonwealth|Province)\s+of\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}|"
    r"\b(?!Governing|Applicable|Choice)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+law\b")
AMOUNT = re.compile(MONEY.pattern + r"|\b(?:USD|EUR|GBP|CHF|CAD|US\$|C\$)\s?\d[\d,]*(?:\.\d+)?"
                    r"(?:\s?(?:million|billion|thousand))?", re.IGNORECASE)
_NAME = r"(?:the\s+)?[A-Z][\w&.,'’-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z0-9][\w&.,'’-]*)*"
_PARTY = re.compile(
    rf"\b(?:between|among)\s+{_NAME}.{{0,250}}?\band\s+{_NAME}|"
    r"\b[A-Z][\w&.,-]*(?:\s+[A-Z][\w&.,-]*)*,?\s+(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|"
    r"LP|L\.P|plc|GmbH|AG|S\.A|N\.V|B\.V|Co)\b", re.DOTALL)
_NOTICE_AFTER_DURATION = rx(
    r"\b(?:days?|months?|weeks?|years?)['’]?\s*(?:\)\s*)?(?:prior\s+|advance\s+|previous\s+)?"
    r"(?:written\s+)?(?:notice|notification)|\bnotice\b.{0,40}\b(?:at least|not less than|"
    r"no (?:less|later) than|of)\s+\S+\s+(?:\(\d+\)\s+)?(?:days|months|weeks)")
_BREACH = rx(r"\bbreach|\bdefault|\bcure[ds]?\b|\binsolven|\bbankrupt")
# Page furniture: running headers and footers ("Page 3 of 12", a filing's "Source: ..." line).
_FURNITURE = rx(r"\bpage \d+ of \d+\b|^source:|\bsource: [A-Z].{0,60}\d{1,2}/\d{1,2}/\d{2,4}")
_EARLIER = rx(r"\bsupersede|\bprior agreement|\bexisting agreement|\boriginal agreement|"
              r"\bwhereas\b")


@dataclass(frozen=True)
class QuestionKind:
    key: str
    detect: re.Pattern[str]
    fact: re.Pattern[str] | None  # what the answering sentence must state
    cues: tuple[tuple[re.Pattern[str], float], ...] = ()
    keywords: str = ""  # added to the keyword search
    preamble: bool = False  # usually stated in a document's opening lines
    unless: re.Pattern[str] | None = field(default=None)  # question words that rule it out

    def matches(self, question: str) -> bool:
        return bool(self.detect.search(question)) and not (
            self.unless is not None and self.unless.search(question))


KINDS: tuple[QuestionKind, ...] = (
    QuestionKind(
        "renewal_notice",
        rx(r"\bnotice\b.*\b(?:renew|extend|extension|non-?renewal)|\b(?:renew|renewal|"
           r"extend|extension)\w*\b.*\bnotice\b|\bnot to renew\b|\bnon-?renewal\b"),
        DURATION,
        ((_NOTICE_AFTER_DURATION, 1.5), (rx(r"\brenew|\bextend|\bextension"), 1.0),
         (rx(r"\b(?:prior to|before|preceding|in advance of) (?:the )?(?:end|expiration|"
             r"expiry|conclusion)|\bnot to (?:renew|extend)|\bnon-?renewal|\bintention not"),
          1.5), (_BREACH, -2.0)),
        "notice renew renewal term expiration prior written"),
    QuestionKind(
        "notice", rx(r"\bnotice\b|\bnotif|\bnotification\b"), DURATION,
        ((_NOTICE_AFTER_DURATION, 2.0), (rx(r"\bterminat|\bcancel"), 0.5),
         (rx(r"\bfor convenience\b|\bwithout cause\b|\bfor any reason\b|\bat any time\b"), 0.5),
         (_BREACH, -1.5)),
        "notice days written prior terminate"),
    QuestionKind(
        "governing_law",
        rx(r"\blaws?\b|\bgovern|\bjurisdiction|\bconstrued\b"), _JURISDICTION,
        ((rx(r"\bgoverned by\b|\bconstrued\b|\binterpreted\b"), 1.5),
         (rx(r"\blaws? of\b"), 1.0), (rx(r"\bconflicts? of laws?|\bchoice of law"), 0.5),
         (rx(r"\bcomply\b|\bcompliance\b|\bapplicable laws?\b(?! of)"), -1.0)),
        "governed laws state construed governing law"),
    QuestionKind(
        "renewal_term",
        rx(r"\brenew|\bextend|\bextension"), DURATION,
        ((rx(r"\bautomatic(?:ally)?\b"), 1.0), (rx(r"\bsuccessive\b|\badditional\b"), 1.0),
         (rx(r"\brenew(?:al|ed)?\b|\bextended\b"), 1.0), (_BREACH, -1.5)),
        "renew renewal automatically successive additional term period"),
    QuestionKind(
        "expiration",
        rx(r"\bexpir|\bend\b|\bhow long\b|\bduration\b|\blast\b|\bterm\b|\buntil when\b"),
        re.compile(f"(?:{_ANY_DATE.pattern})|(?:{_unnamed(DURATION.pattern)})", re.IGNORECASE),
        ((rx(r"\bterm of this\b|\binitial term\b|\bshall (?:\w+ )?(?:continue|remain) in\b|"
             r"\bexpire|\bterminate on\b|\bin (?:full )?force\b|\bin effect\b|\buntil\b"), 1.5),
         (rx(r"\bunless (?:sooner|earlier) terminated\b|\bcommenc"), 0.5), (_BREACH, -1.5),
         (rx(r"\brenew"), -0.3), (_FURNITURE, -2.0)),
        "term expire expiration continue force effect until"),
    QuestionKind(
        "effective_date",
        rx(r"\beffective\b|\bcommence|\bstart|\bbegin|\btake effect"), _ANY_DATE,
        ((rx(r"\beffective\b"), 1.5), (rx(r"\bas of\b|\bcommenc"), 0.5),
         (re.compile(r"[\"“](?:the\s+)?Effective Date[\"”]"), 2.0),
         (rx(r"\bterminat|\bexpir"), -1.0), (_FURNITURE, -2.0), (_EARLIER, -1.0)),
        "effective date commence dated as of", preamble=True),
    QuestionKind(
        "date", rx(r"\bwhen\b|\bdate\b|\bdated\b|\bsigned\b|\bexecuted\b|\bwhat day\b"), _ANY_DATE,
        ((rx(r"\bdated\b|\bas of\b|\bentered into\b|\bmade (?:and entered )?(?:on|as of|this)\b|"
             r"\bday of\b"), 1.5), (rx(r"\bagreement\b"), 0.5),
         (rx(r"\bterminat|\bexpir|\bamend"), -0.5), (_FURNITURE, -2.0), (_EARLIER, -1.0)),
        "dated as of entered into made date agreement", preamble=True),
    QuestionKind(
        "party", rx(r"\bwho\b|\bparties\b|\bparty\b|\bbetween whom\b|\bsigned by\b"), _PARTY,
        ((rx(r"\bbetween\b|\bby and among\b"), 1.5), (re.compile(r"\(\s*(?:the\s+)?[\"“]"), 1.0),
         (rx(r"\bagreement\b"), 0.5)),
        "between parties agreement entered into", preamble=True),
    QuestionKind(
        "percentage", rx(r"\bpercent|%|\brate\b|\binterest\b|\bshare\b|\broyalt"), PERCENT,
        ((rx(r"\bper (?:annum|month|year)\b"), 0.5),), "percent rate"),
    QuestionKind(
        "amount",
        rx(r"\bhow much\b|\bfees?\b|\bprice\b|\bcost\b|\bpay\b|\bpaid\b|\bamount\b|\bcompensat|"
           r"\$|\bcharge"), AMOUNT,
        ((rx(r"\bpay|\bfee|\bprice|\binvoice"), 0.5),), "fee pay amount price"),
    QuestionKind(
        "duration", rx(r"\bhow long\b|\bhow many (?:days|weeks|months|years)\b|\bperiod\b|"
                       r"\bwithin\b|\bdeadline\b"), DURATION, (), "days period within"),
)
GENERAL = QuestionKind("general", rx(r"."), None)


def kind_of(question: str) -> QuestionKind:
    return next((kind for kind in KINDS if kind.matches(question)), GENERAL)
