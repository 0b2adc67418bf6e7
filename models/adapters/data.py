"""Grounded question-answer examples from CUAD's lawyer labels, for training an adapter.

An example is the answer pipeline's own completion prompt (numbered evidence, a question) and a
short answer that states the labelled fact in the evidence's terms and cites it [n]. Most
examples give one passage, as the pipeline does; some give two or three, the right one among
distractor clauses of the same contract; some give only distractors and answer that the
documents do not say. Contracts are split by a hash of their file name (the evaluation's split
for the 61 contracts it asks about), so held-out contracts never reach training.

FinanceBench is not used for training: the shared data's licence for it is evaluation only.
"""

from __future__ import annotations

import ast
import csv
import random
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from models.prompts import PromptRequest, render_completion

CUAD_LABELS = Path(__file__).resolve().parents[3] / "shared" / "data" / "contracts" / "cuad" / \
    "labels" / "master_clauses.csv"
# The phrasing prompt of app/answers/phrasing.py (models/ may not import app/; a test keeps
# the two equal).
SYSTEM = ("Answer the question in one short sentence, using only the facts in the numbered "
          "evidence. Keep figures exactly as the evidence writes them. Do not add anything.")
NOT_STATED = "The documents do not say."
MAX_PASSAGE_WORDS = 45  # CPU training cost grows with the prompt
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@dataclass(frozen=True)
class Example:
    contract: str
    field: str
    prompt: str
    answer: str  # what the model should write after "Answer:", ending with a line break
    split: str  # "train" or "held-out"


@dataclass(frozen=True)
class FieldRecipe:
    span_column: str
    label_column: str
    question: str
    answer: Callable[[str, str], str | None]  # (label, span) -> sentence, None to skip


def split_of(contract: str) -> str:
    """The evaluation's split (tests/bench/answer_labels.py): even CRC32 is dev (trainable)."""
    return "train" if zlib.crc32(contract.encode()) % 2 == 0 else "held-out"


def _us_date(label: str, span: str) -> str | None:
    """CUAD's m/d/yy label written out, when the clause itself states that year (a date the
    lawyers computed from a term is not something the evidence says)."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", label.strip())
    if not match:
        return None
    month, day, year = (int(part) for part in match.groups())
    years = [year] if year >= 100 else [1900 + year, 2000 + year]
    stated = [full for full in years if str(full) in span]
    try:
        date(stated[0], month, day)
    except (ValueError, IndexError):
        return None
    return f"{_MONTHS[month - 1]} {day}, {stated[0]}"


def _short_date_span(span: str) -> str | None:
    return span if len(span) <= 40 and re.search(r"\b(?:19|20)\d\d\b", span) else None


RECIPES: dict[str, FieldRecipe] = {
    "governing_law": FieldRecipe(
        "Governing Law", "Governing Law-Answer", "Which state's or country's law governs {doc}?",
        lambda label, span: f"The agreement is governed by the laws of {label}." if label
        and label.lower() in span.lower() else None),
    "agreement_date": FieldRecipe(
        "Agreement Date", "Agreement Date-Answer", "What is the date of {doc}?",
        lambda label, span: f"The agreement is dated {found}." if (found := _short_date_span(
            span)) else None),
    "effective_date": FieldRecipe(
        "Effective Date", "Effective Date-Answer", "When does {doc} take effect?",
        lambda label, span: f"The agreement takes effect on {found}." if (found := (
            _short_date_span(span) or _us_date(label, span)))
        else None),
    "expiration_date": FieldRecipe(
        "Expiration Date", "Expiration Date-Answer", "When does {doc} expire?",
        lambda label, span: f"The agreement expires on {found}." if (found := _us_date(
            label, span)) else None),
    "renewal_term": FieldRecipe(
        "Renewal Term", "Renewal Term-Answer", "For how long does {doc} renew?",
        lambda label, span: f"The agreement renews for {label} terms." if re.search(
            r"\d", label) and "renew" in span.lower() else None),
    "renewal_notice": FieldRecipe(
        "Notice Period To Terminate Renewal", "Notice Period To Terminate Renewal- Answer",
        "How much notice is needed to stop {doc} from renewing?",
        lambda label, span: f"{label} notice is needed to stop the agreement from renewing."
        if re.fullmatch(r"\d+ (?:days|months|weeks|years?)", label) else None),
}
QUESTION_FORMS = ("the agreement", "this agreement", "the contract")


def read_rows(path: Path = CUAD_LABELS) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def spans(row: dict[str, str], column: str) -> list[str]:
    try:
        values = ast.literal_eval(row.get(column) or "[]")
    except (ValueError, SyntaxError):
        return []
    # CUAD joins the pieces of a clause split across the text with "<omitted>".
    return [" ".join(str(value).replace("<omitted>", " … ").split()) for value in values
            if str(value).strip()]


def clipped(text: str, words: int = MAX_PASSAGE_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def examples(rows: list[dict[str, str]], *, seed: int, not_stated_share: float = 0.15
             ) -> Iterator[Example]:
    rng = random.Random(seed)
    span_columns = sorted({key for key in rows[0] if not key.endswith("Answer") and key not in
                           ("Filename", "Document Name")})
    for row in rows:
        contract = row["Filename"]
        for field, recipe in RECIPES.items():
            example = _example(row, contract, field, recipe, span_columns, rng,
                               not_stated=rng.random() < not_stated_share)
            if example is not None:
                yield example


def _example(row: dict[str, str], contract: str, field: str, recipe: FieldRecipe,
             span_columns: list[str], rng: random.Random, *, not_stated: bool) -> Example | None:
    own = spans(row, recipe.span_column)
    label = " ".join((row.get(recipe.label_column) or "").split())
    answer = next((sentence for span in own if len(span.split()) <= MAX_PASSAGE_WORDS
                   and (sentence := recipe.answer(label, span))), None) if own else None
    if answer is None:
        return None
    right = next(span for span in own if recipe.answer(label, span) == answer)
    distractors = [span for column in span_columns if column != recipe.span_column
                   and column != recipe.label_column for span in spans(row, column)[:1]
                   if len(span.split()) >= 8]
    count = rng.choice((0, 0, 0, 1, 2)) if not not_stated else rng.choice((1, 2))
    chosen = rng.sample(distractors, min(count, len(distractors)))
    if not_stated and not chosen:
        return None
    passages = chosen if not_stated else chosen + [right]
    rng.shuffle(passages)
    numbers = rng.sample(range(1, 7), len(passages))
    context = "\n".join(f"[{n}] ({_source_name(contract)}, page {rng.randint(1, 30)}) "
                        f"{clipped(text)}" for n, text in zip(numbers, passages, strict=True))
    doc = rng.choice(QUESTION_FORMS)
    question = recipe.question.format(doc=doc)
    text = NOT_STATED if not_stated else \
        f"{answer[:-1]} [{numbers[passages.index(right)]}]."
    prompt = render_completion(PromptRequest(SYSTEM, question, context)).text
    return Example(contract, field if not not_stated else f"{field}:not_stated", prompt,
                   f" {text}\n", split_of(contract))


def _source_name(contract: str) -> str:
    """A file name as the pipeline shows it: short, as a user's file would be named."""
    return re.sub(r"[^A-Za-z0-9]+", "_", Path(contract).stem)[:40] + ".pdf"
