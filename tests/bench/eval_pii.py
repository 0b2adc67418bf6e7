"""Per-entity recall and precision on presidio-research's synthetic set, ours against vanilla.

Then the labelled-identifier table: for each label form ("SSN on file:", "Driver's license
(OH):", "DEA #"...), generated sentences (``tests.privacy.labelled_cases``, not from the shared
set) with valid and invalid checksums, and the share whose value is redacted (target 100%);
and unlabelled values with a failing checksum, which should stay unflagged as that type; and
every label form with each whitespace separator (line break, spaces, tab, blank line) before
its value.

The set is also scored in two halves by template (a sample's ``template_id`` even: the
development half that rules were studied on; odd: the held-out half, templates never looked at),
so a rule that only fits the sentences it was written from shows as a gap between the halves.

Last, the gazetteer ablation: overall, development and held-out recall and precision with each
name list given to ``--gazetteers`` (default: the shipped lists, then none at all), and the share
of the set's gold PERSON spans whose words (two letters or more) are all in the list. The set was
generated with Faker's name lists, so a list taken from Faker would be tuned to it.

Run: ``python -m tests.bench.eval_pii [--limit N] [--gazetteers shipped,none,FOLDER]``.
Scoring is per word token (as in presidio-research): a token counts for the entity of the gold
span covering it and of the highest-scoring finding covering it. Dataset labels are mapped to our
entity groups below; ORGANIZATION and TITLE (job titles, "Mr.") are not personal identifiers and
are not scored, but finding PII on such tokens counts against precision.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import regex

from tests.bench.pii_common import load_dataset, vanilla_presidio

GOLD_GROUPS = {
    "PERSON": "PERSON", "STREET_ADDRESS": "LOCATION", "GPE": "LOCATION", "ZIP_CODE": "LOCATION",
    "DATE_TIME": "DATE_TIME", "AGE": "AGE", "NRP": "NRP", "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER", "EMAIL_ADDRESS": "EMAIL_ADDRESS", "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN", "IP_ADDRESS": "IP_ADDRESS", "DOMAIN_NAME": "URL",
    "US_DRIVER_LICENSE": "ID_NUMBER", "ORGANIZATION": None, "TITLE": None,
}
PREDICTED_GROUPS = {
    "STREET_ADDRESS": "LOCATION", "LOCATION": "LOCATION", "ZIP_CODE": "LOCATION",
    "DATE_OF_BIRTH": "DATE_TIME",
    "US_DRIVER_LICENSE": "ID_NUMBER", "LICENSE_NUMBER": "ID_NUMBER", "US_PASSPORT": "ID_NUMBER",
    "MEDICAL_LICENSE": "ID_NUMBER", "ORGANIZATION": None,
}
_TOKEN = regex.compile(r"\w+")

Span = tuple[int, int, str, float]  # start, end, group, score


def token_labels(text: str, spans: Sequence[Span]) -> list[str]:
    """The group of the highest-scoring span covering each word token ("O" for none)."""
    labels = []
    for token in _TOKEN.finditer(text):
        covering = [s for s in spans if s[0] < token.end() and token.start() < s[1]]
        labels.append(max(covering, key=lambda s: s[3])[2] if covering else "O")
    return labels


def gold_spans(sample: dict[str, Any]) -> list[Span]:
    return [(s["start_position"], s["end_position"], GOLD_GROUPS[s["entity_type"]] or "O", 1.0)
            for s in sample["spans"]]


def predicted_spans(results: Sequence[Any]) -> list[Span]:
    spans = []
    for r in results:
        group = PREDICTED_GROUPS.get(r.entity_type, r.entity_type)
        if group:
            spans.append((r.start, r.end, group, r.score))
    return spans


class Scores:
    def __init__(self) -> None:
        self.gold: Counter[str] = Counter()
        self.predicted: Counter[str] = Counter()
        self.correct: Counter[str] = Counter()
        self.any_hit = 0

    def add(self, gold: list[str], predicted: list[str]) -> None:
        for g, p in zip(gold, predicted, strict=True):
            self.gold[g] += g != "O"
            self.predicted[p] += p != "O"
            self.correct[g] += g != "O" and g == p
            self.any_hit += g != "O" and p != "O"

    def recall(self, entity: str | None = None) -> float:
        total = self.gold[entity] if entity else sum(self.gold.values())
        hits = self.correct[entity] if entity else sum(self.correct.values())
        return hits / total if total else float("nan")

    def precision(self, entity: str | None = None) -> float:
        total = self.predicted[entity] if entity else sum(self.predicted.values())
        hits = self.correct[entity] if entity else sum(self.correct.values())
        return hits / total if total else float("nan")


def score(samples: list[dict[str, Any]], predictions: list[list[Span]]) -> Scores:
    scores = Scores()
    for sample, predicted in zip(samples, predictions, strict=True):
        text = sample["full_text"]
        scores.add(token_labels(text, gold_spans(sample)), token_labels(text, predicted))
    return scores


def run_vanilla(texts: list[str]) -> list[list[Span]]:
    engine = vanilla_presidio()
    return [predicted_spans(engine.analyze(text, "en")) for text in texts]


def run_ours(texts: list[str], workers: int = 1) -> list[list[Span]]:
    from app.privacy.analyzer import build_analyzer

    analyzer = build_analyzer()
    return [predicted_spans(findings)
            for findings in analyzer.analyze_many(texts, workers=workers)]


def timed(run: Callable[[], list[list[Span]]]) -> tuple[list[list[Span]], float]:
    started = time.perf_counter()
    return run(), time.perf_counter() - started


def print_table(vanilla: Scores, ours: Scores) -> None:
    print("| entity | tokens | vanilla recall | vanilla precision | ours recall | ours precision |")
    print("|---|---:|---:|---:|---:|---:|")
    entities = sorted(e for e in vanilla.gold if e != "O" and vanilla.gold[e])
    for entity in [*entities, None]:
        name = entity or "**overall**"
        tokens = vanilla.gold[entity] if entity else sum(vanilla.gold.values())
        print(f"| {name} | {tokens} | {vanilla.recall(entity):.3f} | "
              f"{vanilla.precision(entity):.3f} | {ours.recall(entity):.3f} | "
              f"{ours.precision(entity):.3f} |")
    total = sum(vanilla.gold.values())
    print(f"\nAny-type recall (a PII token flagged as some PII, what redaction needs): "
          f"vanilla {vanilla.any_hit / total:.3f}, ours {ours.any_hit / total:.3f}")


def covered(case: Any, findings: Sequence[Any]) -> bool:
    """Whether every character of the planted value is inside some finding."""
    spans = sorted((f.start, f.end) for f in findings if f.end > case.start and f.start < case.end)
    position = case.start
    for start, end in spans:
        if start > position:
            return False
        position = max(position, end)
    return position >= case.end


def print_labelled_table(analyzer: Any) -> None:
    from tests.privacy.labelled_cases import labelled_cases, unlabelled_cases

    cases = list(labelled_cases())
    findings = analyzer.analyze_many([case.text for case in cases])
    totals: dict[tuple[str, bool], list[int]] = {}
    for case, found in zip(cases, findings, strict=True):
        cell = totals.setdefault((case.form, case.valid), [0, 0])
        cell[0] += covered(case, found)
        cell[1] += 1
    print("\nLabelled identifiers (generated sentences; share of values redacted):\n")
    print("| label form | checksum valid | checksum invalid |")
    print("|---|---:|---:|")
    for form in dict.fromkeys(case.form for case in cases):
        cells = [totals.get((form, valid)) for valid in (True, False)]
        shown = [f"{c[0] / c[1]:.0%} ({c[0]}/{c[1]})" if c else "n/a" for c in cells]
        print(f"| {form} | {shown[0]} | {shown[1]} |")
    overall = sum(c[0] for c in totals.values()) / sum(c[1] for c in totals.values())
    print(f"\nAll labelled values: {overall:.1%} redacted.")
    controls = list(unlabelled_cases())
    flagged = sum(covered(case, [f for f in found if f.entity_type == case.form])
                  for case, found in zip(controls, analyzer.analyze_many(
                      [case.text for case in controls]), strict=True))
    print(f"Unlabelled DEA/NPI/EIN look-alikes with a failing checksum reported as that type: "
          f"{flagged}/{len(controls)} (target 0: unlabelled values still need their checksum).")


def print_whitespace_table(analyzer: Any) -> None:
    """Every label form with each whitespace separator (a line break, spaces, a tab, a blank
    line, a colon closing the line) between it and its value."""
    from tests.privacy.labelled_cases import WHITESPACE_SEPARATORS, every_label

    print("\nLabelled identifiers across whitespace (every label form; share redacted):\n")
    print(f"| label form | {' | '.join(WHITESPACE_SEPARATORS)} |")
    print(f"|---|{'---:|' * len(WHITESPACE_SEPARATORS)}")
    cells: dict[str, list[str]] = {}
    for separator in WHITESPACE_SEPARATORS.values():
        cases = list(every_label(separator))
        findings = analyzer.analyze_many([case.text for case in cases])
        totals: dict[str, list[int]] = {}
        for case, found in zip(cases, findings, strict=True):
            cell = totals.setdefault(case.form, [0, 0])
            cell[0] += covered(case, found)
            cell[1] += 1
        for form, (hit, total) in totals.items():
            cells.setdefault(form, []).append(f"{hit}/{total}")
    for form, row in cells.items():
        print(f"| {form} | {' | '.join(row)} |")


HALVES = (("development half (even template ids)", 0), ("held-out half (odd template ids)", 1))


def print_halves(samples: list[dict[str, Any]], vanilla: list[list[Span]],
                 ours: list[list[Span]]) -> None:
    """Recall and precision per entity in each half of the templates, ours against vanilla."""
    for title, parity in HALVES:
        chosen = [i for i, sample in enumerate(samples) if sample["template_id"] % 2 == parity]
        if not chosen:
            continue
        print(f"\n{title}: {len(chosen)} samples\n")
        print_table(score([samples[i] for i in chosen], [vanilla[i] for i in chosen]),
                    score([samples[i] for i in chosen], [ours[i] for i in chosen]))


def gazetteer_folder(choice: str) -> Path | None:
    """The folder of the name lists for ``choice``: "shipped", "none" or a folder holding
    files named as in app/privacy/data."""
    from app.privacy import gazetteer

    if choice in ("shipped", "none"):
        return gazetteer.DATA if choice == "shipped" else None
    folder = Path(choice)
    names = [path.name for path in (gazetteer.GIVEN_NAMES_FILE, gazetteer.SURNAMES_FILE,
                                    gazetteer.PLACES_FILE)]
    if not all((folder / name).is_file() for name in names):
        raise SystemExit(f"--gazetteers: {folder} must hold {', '.join(names)}")
    return folder


def gold_names_known(samples: list[dict[str, Any]]) -> tuple[int, int]:
    """How many gold PERSON spans have all their words (2+ letters) in the loaded lists."""
    from app.privacy.gazetteer import is_known_name

    known = total = 0
    for sample in samples:
        for span in sample["spans"]:
            if span["entity_type"] == "PERSON":
                value = sample["full_text"][span["start_position"]:span["end_position"]]
                words = [word for word in _TOKEN.findall(value) if len(word) > 1]
                total += 1
                known += bool(words) and all(is_known_name(word) for word in words)
    return known, total


def ablation_row(choice: str, samples: list[dict[str, Any]], ours: list[list[Span]]) -> str:
    cells = []
    for parity in (None, 0, 1):
        chosen = [i for i, s in enumerate(samples) if parity is None or
                  s["template_id"] % 2 == parity]
        scores = score([samples[i] for i in chosen], [ours[i] for i in chosen])
        cells.append(f"{scores.recall():.3f} / {scores.precision():.3f}")
    whole = score(samples, ours)
    cells.append(f"{whole.recall('PERSON'):.3f} / {whole.precision('PERSON'):.3f}")
    known, total = gold_names_known(samples)
    return f"| {choice} | {' | '.join(cells)} | {known / total:.1%} ({known}/{total}) |"


def print_ablation(choices: list[str], samples: list[dict[str, Any]],
                   first: list[list[Span]]) -> None:
    """Ours with each name list: the first run is ``first``; the lists are restored after."""
    from app.privacy import gazetteer

    print("\nGazetteer ablation (ours; recall / precision; gold names: gold PERSON spans whose "
          "words are all in the list):\n")
    print("| gazetteer | overall | development half | held-out half | PERSON overall | "
          "gold names in list |")
    print("|---|---:|---:|---:|---:|---:|")
    texts = [sample["full_text"] for sample in samples]
    for index, choice in enumerate(choices):
        gazetteer.use_folder(gazetteer_folder(choice))
        ours = first if index == 0 else run_ours(texts)
        print(ablation_row(choice, samples, ours), flush=True)
    gazetteer.use_folder(gazetteer.DATA)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="first N samples only")
    parser.add_argument("--skip-vanilla", action="store_true")
    parser.add_argument("--gazetteers", default="shipped,none",
                        help="name lists to compare, comma-separated: shipped, none or a folder "
                        "(the first one is used for the main tables)")
    args = parser.parse_args(argv)
    choices = args.gazetteers.split(",")
    samples = load_dataset(args.limit)
    texts = [sample["full_text"] for sample in samples]
    from app.privacy import gazetteer

    gazetteer.use_folder(gazetteer_folder(choices[0]))
    ours, ours_seconds = timed(lambda: run_ours(texts))
    vanilla, vanilla_seconds = ([[] for _ in texts], 0.0) if args.skip_vanilla \
        else timed(lambda: run_vanilla(texts))
    print(f"{len(texts)} samples; vanilla {vanilla_seconds:.1f} s, ours {ours_seconds:.1f} s "
          "(ours includes building the analyzer)\n")
    print_table(score(samples, vanilla), score(samples, ours))
    print_halves(samples, vanilla, ours)
    from app.privacy.analyzer import build_analyzer

    analyzer = build_analyzer()
    print_labelled_table(analyzer)
    print_whitespace_table(analyzer)
    print_ablation(choices, samples, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
