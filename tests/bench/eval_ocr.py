"""OCR quality and speed on scans whose true text is known.

Digital PDFs are rendered to page images and read back by our OCR path (rag.ocr: Tesseract, one
thread per process), then compared with the text the PDF itself holds:
- CUAD contract pages (../shared/data) at 200 and 300 dpi clean, and 300 dpi with noise and a
  slight rotation: character error rate and pages per second. CER = Levenshtein distance between
  the OCR text and the PDF's own text (pypdf), summed over pages / total true length; reading
  order counts (a marker read out of place is an error). Two columns: "strict" collapses
  whitespace only; "CER" also drops, from both texts alike, rules and leaders typed as
  characters (runs of 2+ underscores, 4+ dashes, equals signs or stars, 4+ leader dots), which
  the page shows as lines and OCR rightly reads as lines or as a different count of dots.
  Text the PDF holds but does not show (white or clipped text) and text drawn as an image (a
  letterhead) count against OCR in both. "Tesseract's order" scores the same OCR words in the
  order Tesseract gives them, before rag.ocr.layout (reading order, dot leaders): the fix's
  before/after on identical recognition.
  The ratio line times the raw `tesseract` program (its default threads) on the same images.
- Synthetic intake forms generated here (fictional values, fpdf2): PII recall after OCR against
  the digital original, same analyzer. Target: within 0.05.

Run: ``python -m tests.bench.eval_ocr [--contracts 6] [--forms 6]``.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.ocr.preprocess import prepare
from rag.ocr.render import open_pdf, render_page
from rag.ocr.scan import layout_words, page_text
from rag.ocr.tesseract import TesseractEngine, png_bytes
from tests.conftest import SHARED_DATA
from tests.ocr.scans import page_images

if TYPE_CHECKING:
    from PIL.Image import Image

CONTRACTS = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"
VARIANTS: dict[str, tuple[int, bool]] = {"200 dpi": (200, False), "300 dpi": (300, False),
                                         "300 dpi noisy+rotated": (300, True)}


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions by a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    target = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1)
    previous = index.copy()
    for row, char in enumerate(a, 1):
        current = np.empty_like(previous)
        current[0] = row
        current[1:] = np.minimum(previous[:-1] + (target != ord(char)), previous[1:] + 1)
        previous = index + np.minimum.accumulate(current - index)
    return int(previous[-1])


RULES_AND_LEADERS = re.compile(r"_{2,}|-{4,}|={4,}|\*{4,}|(?:\.[ \t]?){4,}")


def flat(text: str, strict: bool = False) -> str:
    """Whitespace collapsed; unless ``strict``, rules and leaders typed as characters
    ("______", "-----", ". . . .") dropped too: the page shows lines, not characters."""
    kept = text if strict else RULES_AND_LEADERS.sub(" ", text)
    return re.sub(r"\s+", " ", kept).strip()


def degrade(image: Image, seed: int) -> Image:
    """A photocopy: 0.8 degree skew, grey noise (sigma 25), as a scanner would deliver."""
    from PIL import Image as PilImage

    generator = np.random.default_rng(seed)
    rotated = image.rotate(0.8, resample=PilImage.Resampling.BILINEAR, expand=False,
                           fillcolor=255)
    noisy = np.asarray(rotated, dtype=np.float32) + generator.normal(0, 25, rotated.size[::-1])
    return PilImage.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def contract_pages(count: int) -> list[tuple[bytes, int, str]]:
    """(pdf bytes, page index, true text) for the first and a middle page of ``count``
    contracts, skipping near-empty pages."""
    from pypdf import PdfReader

    files = sorted(p for p in CONTRACTS.iterdir() if p.suffix.lower() == ".pdf")
    chosen = files[:: max(1, len(files) // count)][:count]
    pages = []
    for path in chosen:
        data = path.read_bytes()
        reader = PdfReader(path)
        for index in sorted({0, len(reader.pages) // 2}):
            truth = reader.pages[index].extract_text() or ""
            if len(flat(truth)) >= 300:
                pages.append((data, index, truth))
    return pages


def measure_cer(engine: TesseractEngine, pages: Sequence[tuple[bytes, int, str]]) -> None:
    print(f"CER on {len(pages)} CUAD contract pages ({engine.identity}); "
          "columns: CER, strict CER, CER in Tesseract's order")
    for name, (dpi, noisy) in VARIANTS.items():
        errors, length, seconds, per_page = [0, 0, 0], [0, 0, 0], 0.0, []
        for number, (data, index, truth) in enumerate(pages):
            image, used = render_page(open_pdf(data, "contract.pdf"), index, dpi)
            image = degrade(image, number) if noisy else image
            started = time.perf_counter()
            scan = engine.recognise(image, used)
            seconds += time.perf_counter() - started
            unordered = page_text(layout_words(engine.tesseract_words(
                png_bytes(prepare(image)), used)))
            for column, (text, strict) in enumerate(((scan.text, False), (scan.text, True),
                                                     (unordered, False))):
                distance = edit_distance(flat(text, strict), flat(truth, strict))
                errors[column] += distance
                length[column] += len(flat(truth, strict))
                if column == 0:
                    per_page.append(distance / len(flat(truth)))
        rates = "  ".join(f"{errors[c] / length[c]:6.2%}" for c in range(3))
        print(f"  {name:24s} {rates} (median page {statistics.median(per_page):6.2%})  "
              f"{len(pages) / seconds:.2f} pages/s")


def measure_raw_ratio(engine: TesseractEngine, pages: Sequence[tuple[bytes, int, str]]) -> None:
    """Our path against the raw program on the same 300 dpi images (its default threads)."""
    ours = raw = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for data, index, _ in pages[:3]:
            image, dpi = render_page(open_pdf(data, "contract.pdf"), index, 300)
            started = time.perf_counter()
            engine.recognise(image, dpi)
            ours += time.perf_counter() - started
            image.save(Path(folder) / "page.png")
            started = time.perf_counter()
            subprocess.run([engine.binary, str(Path(folder) / "page.png"), "stdout"],
                           capture_output=True, check=True)
            raw += time.perf_counter() - started
    print(f"  speed vs raw tesseract (default threads, text only): {raw / ours:.2f}x")


FIRST = ("Eleanor", "Marcus", "Priya", "Tomasz", "Grace", "Daniel", "Amara", "Henrik")
LAST = ("Whitfield", "Okafor", "Lindqvist", "Moreau", "Castillo", "Brennan", "Yamada", "Novak")
STREETS = ("Willow Lane", "Harbor Road", "Maple Avenue", "Cedar Court", "Mill Street")
CITIES = (("Springfield", "IL", "62704"), ("Dayton", "OH", "45402"), ("Fresno", "CA", "93721"))


def synthetic_form(rng: random.Random) -> tuple[list[str], list[str]]:
    """Lines of a fictional intake form, and the identifying values planted in it."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    city, state, zip_code = rng.choice(CITIES)
    values = {
        "name": name, "dob": f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/"
        f"{rng.randint(1940, 2005)}",
        "street": f"{rng.randint(10, 990)} {rng.choice(STREETS)}",
        "phone": f"({rng.randint(201, 989)}) 555-{rng.randint(100, 9999):04d}",
        "email": f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com",
        "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "contact": contact,
    }
    lines = [
        "Patient Intake Form", "",
        f"Patient name: {values['name']}", f"Date of birth: {values['dob']}",
        f"Address: {values['street']}, {city}, {state} {zip_code}",
        f"Phone: {values['phone']}", f"E-mail: {values['email']}",
        f"Social Security number: {values['ssn']}",
        f"Emergency contact: {values['contact']}, {values['phone'][:-4]}0148", "",
        "Reason for visit: follow-up for high blood pressure and mild dizziness.",
        f"Signed: {values['name']}, patient. Intake nurse on duty.",
    ]
    return lines, list(values.values())


def found_share(text: str, values: Sequence[str], spans: Sequence[tuple[int, int]]) -> float:
    """Share of planted values whose every mention in ``text`` is covered by a finding; a
    value OCR misread (not in the text at all) counts as missed."""
    folded, hits = text.lower(), 0
    for value in values:
        starts = [m.start() for m in re.finditer(re.escape(value.lower()), folded)]
        hits += bool(starts) and all(
            any(start < end and begin < start + len(value) for begin, end in spans)
            for start in starts)
    return hits / len(values)


def measure_pii_recall(engine: TesseractEngine, forms: int,
                       analyze: Callable[[str], list[tuple[int, int]]]) -> None:
    rng = random.Random(18)
    digital, scanned = [], []
    for _ in range(forms):
        lines, values = synthetic_form(rng)
        truth = "\n".join(lines)
        digital.append(found_share(truth, values, analyze(truth)))
        image = page_images(["\n".join(lines)], dpi=300)[0]
        ocr_text = engine.recognise(image, 300).text
        scanned.append(found_share(ocr_text, values, analyze(ocr_text)))
    print(f"PII recall on {forms} synthetic intake forms: digital {statistics.mean(digital):.3f}"
          f", scanned at 300 dpi {statistics.mean(scanned):.3f} "
          f"(gap {statistics.mean(digital) - statistics.mean(scanned):+.3f}; target <= 0.05)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=6)
    parser.add_argument("--forms", type=int, default=6)
    args = parser.parse_args(argv)
    engine = TesseractEngine.locate()
    pages = contract_pages(args.contracts)
    measure_cer(engine, pages)
    measure_raw_ratio(engine, pages)
    if not args.forms:
        return 0
    from app.privacy.analyzer import build_analyzer

    analyzer = build_analyzer()
    measure_pii_recall(engine, args.forms,
                       lambda text: [(f.start, f.end) for f in analyzer.analyze(text)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
