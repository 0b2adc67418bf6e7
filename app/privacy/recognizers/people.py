"""Names introduced the way people introduce themselves or others in letters, forms and chats.

spaCy's small model misses many foreign names; these cues do not depend on any name list.
"""

from __future__ import annotations

from app.privacy.recognizers.base import RegexRecognizer
from app.privacy.wordlists import words

# A word followed by a colon is the next form label ("Name: Ann Lee Title: CEO"), not a name.
_WORD = r"\p{Lu}[\p{Ll}'’-]+(?![\p{Ll}'’-]|[ \t]*:)"
_NAME = rf"{_WORD}(?:[ -]{_WORD}|[ ]\p{{Lu}}\.?(?=[ ]\p{{Lu}})){{0,3}}"
_FULL = rf"{_NAME}(?:[ ]\p{{Lu}}\.)?(?:[ ]{_WORD})?"
# A numbered street line: a second number, a street word or a unit after the first number.
_STREET_LINE = (r"\d{1,6}[ ][^\n]*?(?:[ ]\d{1,5}\b|\b(?:Street|St|Avenue|Ave|Road|Rd|"
                r"Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Apt|Suite|Unit)\b)")
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mister|Doctor|Rev|Hon)\.?"
# Form labels whose value is a person: intake, claim, loan and HR forms name people this way.
_PERSON_ROLE_LABEL = (
    r"(?:emergency contact|contact person|next of kin|guardian|parent|spouse|partner|caregiver|"
    r"(?:referring|attending|primary care|treating) (?:physician|provider|doctor|clinician)|"
    r"physician|nurse|witness|beneficiary|insured|policy ?holder|subscriber|account holder|"
    r"card ?holder|guarantor|co-?signer|co-?borrower|borrower|applicant|employee|tenant|"
    r"prepared by|reviewed by|approved by|attention|attn\.?|c/o)"
)


class IntroducedNameRecognizer(RegexRecognizer):
    ENTITY = "PERSON"
    FLAGS = 0
    CASE_RESTORE = True
    RULES = (
        ("title-name", rf"\b{_TITLE}[ ](?P<v>{_FULL})", 0.75),
        ("my-name-is", rf"(?i:\bmy name is|\bname is|\bcall me|"
                       rf"\bsigned|\bdear|\bsincerely,?|\bregards,?|\bdirected by:?|\bwritten by:?|"
                       rf"\bpatient:?|\bname:|\bnamed(?: him| her)?|\bcalled)\s+"
                       rf"(?P<v>{_FULL})", 0.6),
        ("lives-at", rf"(?<![\p{{L}}.] )(?<!\p{{L}})(?P<v>{_FULL}) (?i:lives|lived|resides|resided|"
                     rf"was born|is from|is originally from)\b", 0.6),
        ("envelope", rf"(?m:^[>\t ]*(?P<v>{_NAME}(?:[ ]\p{{Lu}}\.?)?(?:[ ]\p{{Lu}}[\p{{Ll}}'’-]+)+)"
                     rf"[ \t]*\n(?:[>\t ]*[^\n]{{0,60}}\n){{0,3}}[>\t ]*{_STREET_LINE})", 0.6),
        ("relation", rf"(?i:\b(?:my|our|his|her|their|your) (?:kid|son|daughter|wife|husband|"
                     rf"brother|sister|mother|father|mom|dad|friend|colleague|partner|boss|"
                     rf"manager|doctor|patient|spouse|child|grandson|granddaughter|nephew|niece|"
                     rf"cousin|uncle|aunt|fiancée?|neighbou?r))[ ](?P<v>{_FULL})", 0.7),
        ("beneficiary", rf"(?i:\badd|\bremove|\bname)[ ](?P<v>{_FULL})[ ](?i:as (?:a |the |my )?"
                        rf"(?:beneficiary|co-?signer|joint|authori[sz]ed|dependent))", 0.7),
        ("named-on", rf"(?i:\b(?:account|card|policy|name) (?:is |was )?(?:in|under|on) the name"
                     rf"(?: of)?|\bunder the name(?: of)?|\bUser:|\bCustomer:|\bPatient:)"
                     rf"[ ]+(?P<v>{_FULL})", 0.65),
        ("last-name-is", rf"(?i:\b(?:last|first|full|middle|maiden) name(?: is)?[?:]?)\s*"
                         rf"(?P<v>{_NAME})", 0.7),
        ("role-label", rf"(?i:\b{_PERSON_ROLE_LABEL})(?:[ ](?i:name))?[ ]?:[ \t]*"
                       rf"(?P<v>(?={_WORD}[ ]\p{{Lu}}){_FULL})", 0.7),
    )
    CONTEXT = ("name", "mr", "mrs", "ms", "dr", "patient")

    def check(self, value: str) -> bool:
        return value.split()[0].casefold() not in NOT_NAMES


# Capitalised words that follow the same cues but are not names.
NOT_NAMES = words(
    "the a an it this that i he she we they you who not here there sorry going happy glad just "
    "so very also now still "
    "available interested looking writing calling trying unable able sure new please thank "
    "thanks hello hi monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december "
)
