"""Redacted copies of scanned documents: the found values are blacked out on the page images
themselves, and the copy is images only, with no text layer that could still hold them.

Every page is rasterised at the resolution OCR read it, so the word boxes OCR stored land on the
same pixels; a page that had a text layer (a digital page in a mixed PDF) is OCR'd here too, so
its words get boxes as well. The values are found as the text export finds them (analyzer,
policy exemptions, and every other mention of a value found anywhere in the document).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.anonymize import found_values
from app.privacy.findings import Finding
from app.privacy.policy import PrivacyPolicy
from app.privacy.report import RedactionReport
from core.jobs import CancelFn, ProgressFn, check_cancelled, never_cancel, no_progress
from rag.documents import LoadedDocument
from rag.loaders import read_bytes
from rag.ocr.reader import ScanReader
from rag.ocr.scan import Box, PageScan

if TYPE_CHECKING:
    from PIL.Image import Image

PAD_PIXELS = 4  # ink of a glyph can reach just outside the box OCR gives


def is_scanned(document: LoadedDocument) -> bool:
    return any(page.scan is not None for page in document.pages)


def export_redacted_scan(document: LoadedDocument, output: Path, analyzer: PiiAnalyzer,
                         policy: PrivacyPolicy, *, password: str | None = None,
                         reader: ScanReader | None = None, progress: ProgressFn = no_progress,
                         cancel: CancelFn = never_cancel) -> RedactionReport:
    """``document`` as the loaders read it (its scanned pages carry word boxes); writes an
    image-only PDF with every finding blacked out."""
    reader = reader or ScanReader()
    data = read_bytes(document.path)
    images, scans = _page_images(document, data, password, reader, cancel)
    findings = analyzer.analyze_many([scan.text for scan in scans], cancel=cancel)
    counts: Counter[str] = Counter()
    known = _known_values(scans, findings, policy)
    for number, (image, scan, page_findings) in enumerate(zip(images, scans, findings,
                                                              strict=True)):
        check_cancelled(cancel)
        boxes, found = _boxes_to_black_out(scan, page_findings, policy, known)
        counts.update(found)
        _black_out(image, boxes)
        progress((number + 1) / len(images), f"page {number + 1}")
    _write_images_pdf(output, images, scans)
    return RedactionReport(document.path, output, len(images), counts)


def _page_images(document: LoadedDocument, data: bytes, password: str | None,
                 reader: ScanReader, cancel: CancelFn) -> tuple[list[Image], list[PageScan]]:
    images, scans = [], []
    for page in document.pages:
        check_cancelled(cancel)
        dpi = page.scan.dpi if page.scan is not None else reader.dpi
        image, dpi = _render(document, data, password, page.number - 1, dpi)
        scan = page.scan if page.scan is not None and page.scan.words else \
            reader.engine.recognise(image, dpi, cancel)
        images.append(image.convert("L"))
        scans.append(scan)
    return images, scans


def _render(document: LoadedDocument, data: bytes, password: str | None, index: int,
            dpi: int) -> tuple[Image, int]:
    if document.kind == "image":
        from rag.loaders.image import frame_image

        return frame_image(document.path, data, index, dpi)
    from rag.ocr.render import open_pdf, render_page

    return render_page(open_pdf(data, document.path.name, (password or "",)), index, dpi)


def _known_values(scans: Sequence[PageScan], findings: Sequence[Sequence[Finding]],
                  policy: PrivacyPolicy) -> dict[str, str]:
    known: dict[str, str] = {}
    for scan, page_findings in zip(scans, findings, strict=True):
        kept = [f for f in page_findings if f.entity_type not in policy.exempt_entities]
        known.update(found_values(scan.text, kept))
    return known


def _boxes_to_black_out(scan: PageScan, findings: Sequence[Finding], policy: PrivacyPolicy,
                        known: dict[str, str]) -> tuple[list[Box], Counter[str]]:
    """Boxes of every finding and of every other mention of a known value, and their counts."""
    spans = [(f.start, f.end, f.entity_type) for f in findings
             if f.entity_type not in policy.exempt_entities]
    for value, entity_type in known.items():
        for match in re.finditer(re.escape(value), scan.text, re.IGNORECASE):
            if not any(start < match.end() and match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), entity_type))
    boxes = [box for start, end, _ in spans for box in scan.boxes_for(start, end)]
    return boxes, Counter(entity_type for _, _, entity_type in spans)


def _black_out(image: Image, boxes: Sequence[Box]) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for left, top, right, bottom in boxes:
        draw.rectangle((left - PAD_PIXELS, top - PAD_PIXELS, right + PAD_PIXELS,
                        bottom + PAD_PIXELS), fill=0)


def _write_images_pdf(output: Path, images: Sequence[Image], scans: Sequence[PageScan]) -> None:
    """Images only: PIL writes no text layer; written beside and renamed, never half a file."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    try:
        images[0].save(partial, format="PDF", save_all=True, append_images=list(images[1:]),
                       resolution=float(scans[0].dpi))
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
