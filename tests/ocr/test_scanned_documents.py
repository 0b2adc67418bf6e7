"""Scanned documents through the real engine (Tesseract), the real loaders and the real
ingest, embedder and Chroma: scans are read, cited by page, cached, cancellable."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL.Image import Image

from core.errors import Cancelled
from core.jobs import CancelFn, never_cancel
from rag.embedder import Embedder
from rag.ingest import ingest
from rag.library import Workspace
from rag.loaders import load_document
from rag.ocr import OcrCache, OcrContext, PageScan, ScanReader
from rag.ocr.tesseract import BLANK_PAGE, NO_TEXT_LINES
from rag.retrieval import HybridRetriever
from tests.conftest import SHARED_DATA
from tests.ocr.scans import write_fax_tiff, write_scanned_pdf
from tests.rag.fakes import write_pdf

COVER = "Referral letter\nCardiology department, general correspondence and scheduling."
FINDING = ("The echocardiogram of 14 March showed an ejection fraction of 38 percent; "
           "the patient was started on sacubitril valsartan twice daily.")


class CountingEngine:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self) -> None:
        self.reader = ScanReader()
        self.calls = 0

    @property
    def identity(self) -> str:
        return self.reader.engine.identity

    def recognise(self, image: Image, dpi: int, cancel: CancelFn = never_cancel) -> PageScan:
        self.calls += 1
        return self.reader.engine.recognise(image, dpi, cancel)


@pytest.mark.slow
def test_a_scanned_pdf_is_read_page_by_page_with_word_boxes(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "referral.pdf", [COVER, FINDING])
    document = load_document(path)
    assert [page.number for page in document.pages] == [1, 2]
    second = document.page(2)
    assert "ejection fraction of 38 percent" in " ".join(second.text.split())
    assert second.scan is not None and not second.scan.low_quality
    start = second.text.index("sacubitril")
    (left, top, right, bottom), = second.scan.boxes_for(start, start + len("sacubitril"))
    assert 0 <= left < right <= second.scan.width and 0 <= top < bottom <= second.scan.height
    assert any("OCR" in note for note in document.notes)


@pytest.mark.slow
def test_a_scanned_page_inside_a_digital_pdf_is_read_and_the_text_layer_kept(
        tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    digital = write_pdf(tmp_path / "digital.pdf", ["Typed cover page of the claims file " * 8])
    scanned = write_scanned_pdf(tmp_path / "scan.pdf", [FINDING])
    writer = PdfWriter()
    for source in (digital, scanned):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    writer.write(tmp_path / "mixed.pdf")
    document = load_document(tmp_path / "mixed.pdf")
    assert document.page(1).scan is None and "claims file" in document.page(1).text
    assert document.page(2).scan is not None and "sacubitril" in document.page(2).text


@pytest.mark.slow
def test_a_multi_page_fax_tiff_is_a_document_of_pages(tmp_path: Path) -> None:
    path = write_fax_tiff(tmp_path / "fax.tif", [COVER, FINDING])
    document = load_document(path)
    assert document.kind == "image" and len(document.pages) == 2
    assert "ejection fraction" in document.page(2).text
    scan = document.page(2).scan
    assert scan is not None and scan.dpi == 300


@pytest.mark.slow
def test_ocr_results_are_cached_by_content_so_a_rerun_reads_nothing(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "referral.pdf", [COVER, FINDING])
    engine = CountingEngine()
    reader = ScanReader(engine, OcrCache(tmp_path / "cache"))
    first = load_document(path, ocr=OcrContext(reader))
    assert engine.calls == 2
    started = time.perf_counter()
    second = load_document(path, ocr=OcrContext(reader))
    assert engine.calls == 2, "the second run must come from the cache"
    assert second.pages == first.pages
    assert time.perf_counter() - started < 5  # generous: no page is rendered or read again


@pytest.mark.slow
def test_ocr_reports_each_page_and_stops_when_cancelled(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "three.pdf", [COVER, FINDING, COVER])
    steps: list[float] = []
    document = load_document(path, ocr=OcrContext(step=steps.append))
    assert len(document.pages) == 3 and steps == pytest.approx([1 / 3, 2 / 3, 1.0])
    with pytest.raises(Cancelled):
        load_document(path, ocr=OcrContext(step=steps.append, cancel=lambda: len(steps) >= 4))
    assert 4 <= len(steps) < 6  # stopped before the last page (two pages may finish together)


@pytest.mark.slow
def test_the_shared_scans_are_indexed_or_refused_with_a_reason_of_their_own(
        workspace: Workspace, fake_embedder: Embedder) -> None:
    folder = SHARED_DATA / "pdfs" / "hard" / "scanned_no_text_layer"
    report = ingest(sorted(folder.glob("*.pdf")), workspace=workspace, embedder=fake_embedder)
    assert len(report.results) == 5
    outcome = {Path(result.path).name: result for result in report.results}
    assert outcome["scan-bad.pdf"].status == "indexed"
    for name in ("ccitt_EndOfBlock_false.pdf", "issue13372.pdf", "issue7229.pdf"):
        assert outcome[name].reason == "no text" and "unreliable text on page(s) 1 (" in \
            outcome[name].message, outcome[name]
    # What the engine tells of each: boxed labels on grey and a photograph hold too few
    # characters for a line; the inspection form is Russian; the JBIG2 image renders blank.
    for name in ("ccitt_EndOfBlock_false.pdf", "issue13372.pdf"):
        assert NO_TEXT_LINES in outcome[name].message
    assert "Cyrillic script" in outcome["issue7229.pdf"].message
    assert "no text at all on page(s) 1: " + BLANK_PAGE in \
        outcome["jbig2_file_header.pdf"].message
    messages = [result.message for result in report.results if result.status == "refused"]
    assert len(set(messages)) == len(messages) and all("OCR not available" not in message
                                                        for message in messages)


@pytest.mark.slow
def test_a_question_answered_only_by_a_scanned_page_is_cited_to_that_page(
        tmp_path: Path, workspace: Workspace, real_embedder: Embedder) -> None:
    scanned = write_scanned_pdf(tmp_path / "referral.pdf", [COVER, FINDING])
    digital = write_pdf(tmp_path / "policy.pdf", ["Visiting hours are from 9 to 5 on weekdays."])
    report = ingest([scanned, digital], workspace=workspace, embedder=real_embedder)
    assert report.count("indexed") == 2, report.results
    hits = HybridRetriever(workspace, real_embedder).search(
        "What was the ejection fraction on the echocardiogram?", top_k=3)
    assert Path(hits[0].path).name == "referral.pdf" and hits[0].page == 2
    assert "ejection fraction" in " ".join(hits[0].text.split())
    scan = workspace.page_scan(hits[0].doc_id, 2)
    assert scan is not None and scan.boxes_for(hits[0].start, hits[0].end)
    record = workspace.document(hits[0].doc_id)
    assert record is not None and record.scanned_pages == (1, 2) and not record.low_quality_scan


class PoorScanEngine(CountingEngine):
    """The real engine, with every word's confidence lowered as a poor fax would have it."""

    def recognise(self, image: Image, dpi: int, cancel: CancelFn = never_cancel) -> PageScan:
        scan = super().recognise(image, dpi, cancel)
        return replace(scan, words=tuple(replace(word, confidence=50.0) for word in scan.words))


@pytest.mark.slow
def test_citations_of_a_low_quality_scan_say_so(
        tmp_path: Path, workspace: Workspace, fake_embedder: Embedder) -> None:
    from app.answers.check import check_citations

    scanned = write_scanned_pdf(tmp_path / "fax.pdf", [FINDING])
    report = ingest([scanned], workspace=workspace, embedder=fake_embedder,
                    scans=ScanReader(PoorScanEngine()))
    assert report.count("indexed") == 1, report.results
    record = workspace.documents()[0]
    assert record.low_quality_pages == (1,) and record.low_quality_scan
    hits = HybridRetriever(workspace, fake_embedder).search("ejection fraction", top_k=1)
    assert hits[0].low_quality_scan
    check, = check_citations("The fraction was 38 percent [1].", hits,
                             lambda hit: workspace.page_text(hit.doc_id, hit.page))
    assert check.verified and "low-quality scan" in check.detail
