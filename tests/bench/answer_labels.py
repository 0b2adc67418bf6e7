"""Questions and their labelled facts from CUAD's lawyer labels, and whether a text states them.

One question per contract and field that has a normalised answer in ``master_clauses.csv``
(``-Answer`` columns). A question is kept only when its labelled fact can be found in the
contract's own text: an answer built from quotes can only state what is written.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.answers import figures

CUAD = Path(__file__).resolve().parents[3] / "shared" / "data" / "contracts" / "cuad"
LABELS = CUAD / "labels" / "master_clauses_selected61.csv"

# field: (label column, question with {doc} for how the agreement is named)
FIELDS: dict[str, tuple[str, str]] = {
    "governing_law": ("Governing Law-Answer", "Which state's or country's law governs {doc}?"),
    "agreement_date": ("Agreement Date-Answer", "What is the date of {doc}?"),
    "effective_date": ("Effective Date-Answer", "When does {doc} take effect?"),
    "expiration_date": ("Expiration Date-Answer", "When does {doc} expire?"),
    "renewal_term": ("Renewal Term-Answer", "For how long does {doc} renew?"),
    "renewal_notice": ("Notice Period To Terminate Renewal- Answer",
                       "How much notice is needed to stop {doc} from renewing?"),
    "parties": ("Parties-Answer", "Who are the parties to {doc}?"),
}
_SUFFIX = re.compile(r",?\s+(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|LP|L\.P|plc|Co|"
                     r"Company|S\.A|N\.V|B\.V|GmbH|AG)\b\.?.*$", re.IGNORECASE)
_DEFINED = re.compile(r"\(.*?\)|[\"“”]")
_COMMON = frozenset("""
the and of inc corp corporation llc ltd limited company co group
holdings international global
""".split())  # noqa: SIM905


@dataclass(frozen=True)
class Question:
    contract: str  # file name of the PDF
    field: str
    label: str
    question: str  # with "the agreement"
    named: str  # naming the agreement by its title and parties, for a library of many
    split: str  # "dev" or "held-out"


def read_rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def split_of(contract: str) -> str:
    return "dev" if zlib.crc32(contract.encode()) % 2 == 0 else "held-out"


def agreement_name(row: dict[str, str]) -> str:
    title = " ".join(row["Document Name-Answer"].split()).strip(" ,(“\"").lower()
    parties = [name for name in (party_name(part) for part in row["Parties-Answer"].split(";"))
               if name][:2]
    named = f"the {title}" if "agreement" in title else f"the {title} agreement"
    return f"{named} between {parties[0]} and {parties[1]}" if len(parties) == 2 else named


def party_name(raw: str) -> str:
    name = _DEFINED.sub("", raw).strip(" ,;")
    return _SUFFIX.sub("", name).strip(" ,;")


def questions(contract_text: Callable[[str], str]) -> tuple[list[Question], int]:
    """The answerable questions, and how many labelled ones were left out as not stated."""
    kept, left_out = [], 0
    for row in read_rows():
        for field, (column, template) in FIELDS.items():
            label = row[column].strip()
            if not label or "[]" in label or states(field, label, "") is None:
                continue
            if not states(field, label, contract_text(row["Filename"])):
                left_out += 1
                continue
            kept.append(Question(row["Filename"], field, label,
                                 template.format(doc="the agreement"),
                                 template.format(doc=agreement_name(row)),
                                 split_of(row["Filename"])))
    return kept, left_out


def states(field: str, label: str, text: str) -> bool | None:
    """Whether ``text`` states the labelled fact; None when the label cannot be read."""
    check = CHECKS[field]
    return check(label, text)


def _law(label: str, text: str) -> bool | None:
    place = re.sub(r"^People'?s Republic of ", "", label.split(";")[0].split(",")[0]).strip()
    return bool(place) and re.search(rf"\b{re.escape(place)}\b", text, re.IGNORECASE) is not None


def _date(label: str, text: str) -> bool | None:
    if label.lower() == "perpetual":
        return re.search(r"\bperpetu|\bindefinite|\buntil terminated\b", text, re.I) is not None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2})", label)
    if not match:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        wanted = date(year + (2000 if year < 50 else 1900), month, day)
    except ValueError:
        return None
    return wanted in figures.dates(text)


def _duration(label: str, text: str) -> bool | None:
    match = re.search(r"(\d+)\s*(day|week|month|year)", label, re.IGNORECASE)
    if not match:
        return None
    return (float(match.group(1)), match.group(2).lower()) in figures.durations(text)


def _parties(label: str, text: str) -> bool | None:
    names = [party_name(part) for part in label.split(";")][:2]
    keys = [next((word for word in re.findall(r"[A-Za-z][\w&-]+", name)
                  if word.lower() not in _COMMON), "") for name in names]
    if not all(keys):
        return None
    return all(re.search(rf"\b{re.escape(key)}\b", text, re.IGNORECASE) for key in keys)


CHECKS: dict[str, Callable[[str, str], bool | None]] = {
    "governing_law": _law, "agreement_date": _date, "effective_date": _date,
    "expiration_date": _date, "renewal_term": _duration, "renewal_notice": _duration,
    "parties": _parties,
}
