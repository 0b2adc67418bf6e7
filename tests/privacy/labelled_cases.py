"""Generated sentences with a labelled identifier in them, for the labelled-identifier table
(``tests.bench.eval_pii``) and its test.

Each label form ("SSN on file:", "Driver's license (OH):", "Passport No.", "DEA #",
"device serial for insulin pump:"...) is planted in varied sentence frames with values whose
checksum passes and values whose checksum fails. Nothing here comes from the shared data set.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.privacy import checksums

_STATE_LIST = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
               "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC")
STATES = tuple(_STATE_LIST.split())
FRAMES = (
    "{item}",
    "Please confirm the {item} before the visit.",
    "Per our records, {item}, as discussed on the phone.",
    "- {item}\n- Next review: March",
    "The form lists {item} and nothing else.",
    "Updated today. {item}. Call back if wrong.",
    "{item} (copy on file)",
)
SEPARATORS = (": ", " ", " - ", " is ", ":\n", " #: ", "= ")


@dataclass(frozen=True)
class Case:
    form: str  # the label form's row in the table
    valid: bool  # the value's checksum passes (True when the type has none)
    text: str
    start: int
    end: int


Value = Callable[[random.Random, bool], str]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _until(rng: random.Random, make: Callable[[], str], ok: Callable[[str], bool]) -> str:
    while True:
        value = make()
        if ok(value):
            return value


def ssn(rng: random.Random, valid: bool) -> str:
    def make() -> str:
        return f"{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 4)}"
    if not valid:
        return rng.choice(("000", "666", "9" + _digits(rng, 2))) + make()[3:]
    return _until(rng, make, lambda v: checksums.ssn_plausible(v.replace("-", "")))


def ein(rng: random.Random, valid: bool) -> str:
    def make() -> str:
        return f"{_digits(rng, 2)}-{_digits(rng, 7)}"
    return _until(rng, make, lambda v: checksums.ein_plausible(v.replace("-", "")) == valid)


def dea(rng: random.Random, valid: bool) -> str:
    def make() -> str:
        return rng.choice("ABCFGM") + rng.choice(string.ascii_uppercase) + _digits(rng, 7)
    return _until(rng, make, lambda v: checksums.dea_valid(v) == valid)


def npi(rng: random.Random, valid: bool) -> str:
    def make() -> str:
        return rng.choice("12") + _digits(rng, 9)
    return _until(rng, make, lambda v: checksums.npi_valid(v) == valid)


def imei(rng: random.Random, valid: bool) -> str:
    def make() -> str:
        return "35" + _digits(rng, 13)
    return _until(rng, make, lambda v: checksums.luhn_valid(v) == valid)


def record_number(rng: random.Random, valid: bool) -> str:
    prefix = rng.choice(("", "MR", "A", "HX-", "W"))
    return prefix + _digits(rng, rng.randint(6, 10))


def licence(rng: random.Random, valid: bool) -> str:
    return rng.choice(string.ascii_uppercase) + rng.choice(("", string.ascii_uppercase[0])) \
        + _digits(rng, rng.randint(6, 8))


def passport(rng: random.Random, valid: bool) -> str:
    return rng.choice((_digits(rng, 9), rng.choice(string.ascii_uppercase) + _digits(rng, 8)))


def serial(rng: random.Random, valid: bool) -> str:
    return rng.choice(("SN-", "", "PX")) + _digits(rng, 4) + "-" \
        + rng.choice(string.ascii_uppercase) + _digits(rng, 3)


LABEL_FORMS: dict[str, tuple[tuple[str, ...], Value]] = {
    "SSN": (("SSN", "SSN on file", "Social Security No.", "SS#", "social security number",
             "Patient SSN (verified)"), ssn),
    "TIN/EIN": (("TIN", "EIN", "Tax ID #", "Federal Tax ID No.",
                 "Employer Identification Number", "TIN/EIN"), ein),
    "DEA": (("DEA", "DEA #", "DEA No.", "DEA registration", "prescriber DEA number"), dea),
    "NPI": (("NPI", "NPI #", "NPI No.", "National Provider Identifier", "billing NPI"), npi),
    "MRN": (("MRN", "Medical Record No.", "Chart #", "Patient ID", "MRN on file"),
            record_number),
    "member/policy/account/claim": (("Member ID", "Member No.", "Policy #", "Policy number",
                                     "Account No.", "Acct #", "Claim #", "Claim number",
                                     "Subscriber ID", "Group No."), record_number),
    "driver's licence (any state)": (tuple(f"Driver's license ({state})" for state in STATES)
                                     + ("Driver's License No.", "DL #", "driving licence",
                                        "Driver license number"), licence),
    "passport": (("Passport No.", "Passport #", "passport number", "Passport"), passport),
    "serial/device/UDI/IMEI": (("Serial No.", "S/N", "device serial for insulin pump",
                                "Device ID #", "serial number on file", "IMEI",
                                "pump serial no."), serial),
    "IMEI (Luhn)": (("IMEI", "IMEI #", "device IMEI"), imei),
}
CHECKED_FORMS = frozenset({"SSN", "TIN/EIN", "DEA", "NPI", "IMEI (Luhn)"})


def labelled_cases(per_form: int = 40, seed: int = 16) -> Iterator[Case]:
    rng = random.Random(seed)
    for form, (labels, value_of) in LABEL_FORMS.items():
        for number in range(per_form):
            valid = form not in CHECKED_FORMS or number % 2 == 0
            label = rng.choice(labels) + rng.choice(SEPARATORS)
            frame = rng.choice(FRAMES)
            value = value_of(rng, valid)
            start = frame.index("{item}") + len(label)
            text = frame.format(item=label + value)
            yield Case(form, valid, text, start, start + len(value))


# Whitespace between a label and its value, as documents give it: a line break (a form's label
# at the end of its line), several spaces or a tab (a column), a blank line (the next paragraph),
# and a colon closing the line. Each has a name for the tables.
WHITESPACE_SEPARATORS = {"line break": "\n", "several spaces": "    ", "tab": "\t",
                         "blank line": "\n\n", "colon, line break": ":\n  "}


def every_label(separator: str, seed: int = 30) -> Iterator[Case]:
    """Every label form of :data:`LABEL_FORMS`, each followed by ``separator`` and a value
    (checksums alternately passing and failing where the type has one), one case a label."""
    rng = random.Random(seed)
    for form, (labels, value_of) in LABEL_FORMS.items():
        for number, label in enumerate(labels):
            valid = form not in CHECKED_FORMS or number % 2 == 0
            value = value_of(rng, valid)
            text = f"{label}{separator}{value}"
            yield Case(form, valid, text, len(text) - len(value), len(text))


def unlabelled_cases(count: int = 40, seed: int = 61) -> Iterator[Case]:
    """Values whose checksum fails, with no label (``form`` is the entity type they imitate):
    they must not be reported as that type."""
    rng = random.Random(seed)
    frames = ("Order {value} shipped on time.", "Reference {value} was closed.",
              "Invoice {value} is attached.")
    makers: dict[str, Value] = {"DEA_NUMBER": dea, "NPI": npi, "US_EIN": ein}
    for number in range(count):
        entity = list(makers)[number % len(makers)]
        frame = rng.choice(frames)
        value = makers[entity](rng, False)
        start = frame.index("{value}")
        yield Case(entity, False, frame.format(value=value), start, start + len(value))
