"""Fast unit tests of the OCR parts that need no engine: TSV parsing, page text and offsets,
the text-layer judgement, the cache, sniffing of images."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.documents import normalise_text
from rag.loaders.sniff import sniff
from rag.ocr.cache import OcrCache, cache_key
from rag.ocr.scan import OcrWord, PageScan, layout_words, unreadable_note
from rag.ocr.tesseract import parse_tsv
from rag.ocr.textlayer import needs_ocr, usable_text

HEADER = "\t".join(["level", "page_num", "block_num", "par_num", "line_num", "word_num", "left",
                    "top", "width", "height", "conf", "text"])


def _row(block: int, par: int, line: int, word: int, text: str, conf: float = 95.0) -> str:
    cells = [5, 1, block, par, line, word, word * 100, line * 40, 80, 30, conf, text]
    return "\t".join(str(cell) for cell in cells)


TSV = "\n".join([HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
                 _row(1, 1, 1, 1, "Patient:"), _row(1, 1, 1, 2, "Jane"), _row(1, 1, 2, 1, "Doe"),
                 _row(1, 1, 2, 2, " ", -1), _row(2, 1, 1, 1, "MRN"), _row(2, 1, 1, 2, "12345")])


def test_tsv_words_become_lines_and_paragraphs_with_offsets() -> None:
    scan = PageScan(2480, 3508, 300, layout_words(parse_tsv(TSV)))
    assert scan.text == "Patient: Jane\nDoe\n\nMRN 12345"
    assert normalise_text(scan.text) == scan.text  # offsets survive the loaders' normalising
    for word in scan.words:
        assert scan.text[word.start:word.end] == word.text
    start = scan.text.index("12345")
    assert scan.boxes_for(start, start + 5) == [(200, 40, 280, 70)]


def test_scan_survives_its_json_form_and_drops_words_on_request() -> None:
    scan = PageScan(100, 200, 300, layout_words(parse_tsv(TSV)), "tesseract 5 eng")
    assert PageScan.from_json(scan.to_json()) == scan
    bare = scan.without_words()
    assert bare.words == () and "Jane" not in bare.to_json()


def test_confidence_decides_low_quality_and_unreadable_pages() -> None:
    def page(confidence: float) -> PageScan:
        return PageScan(1, 1, 300, layout_words([OcrWord("word", (0, 0, 1, 1), confidence)]))

    assert not page(92).low_quality and page(92).readable
    assert page(50).low_quality and page(50).readable
    assert not page(20).readable and page(20).usable_text == ""
    note = unreadable_note({1: page(20), 2: PageScan(1, 1, 300)})
    assert "page(s) 2" in note and "1 (20%)" in note


@pytest.mark.parametrize(("text", "coverage", "expected"), [
    ("", 1.0, True),  # a scan
    ("", 0.0, False),  # a blank page: nothing to read
    ("Page 3 of 7", 0.98, True),  # a scan with a stamped page number
    ("The tenant pays rent monthly. " * 20, 0.98, False),  # searchable scan: keep its layer
    ("The tenant pays rent monthly. " * 20, 0.0, False),
    ("Wkh txlfn eurzq ira mxpsv ryhu wkh odcb grj " * 5, 0.3, True),  # shifted font encoding
    ("Qxf glrp thnk wrds prt bndl cnfl rvw stk dpth mrkt " * 3, 0.3, True),  # no vowels: garbage
    ("Invoice 2291: net amount due within thirty days " * 3, 0.3, False),
    ("\ufffd\ufffd\ufffd abc \ufffd\ufffd\ufffd def " * 10, 0.3, True),
])
def test_a_page_is_ocred_only_without_a_usable_text_layer(text: str, coverage: float,
                                                          expected: bool) -> None:
    assert needs_ocr(text, coverage) is expected


def test_short_text_is_not_usable() -> None:
    assert not usable_text("ab 12")


def test_cache_returns_what_was_put_and_drops_damaged_entries(tmp_path: Path) -> None:
    cache = OcrCache(tmp_path)
    scan = PageScan(10, 20, 300, layout_words(parse_tsv(TSV)), "engine 1")
    key = cache_key("abc", 1, 300, "engine 1")
    assert cache.get(key) is None
    cache.put(key, scan)
    assert cache.get(key) == scan
    assert cache.get(cache_key("abc", 1, 300, "engine 2")) is None
    next(tmp_path.rglob("*.json")).write_text("{broken", encoding="utf-8")
    assert cache.get(key) is None
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize("head", [b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xd8\xff\xe0\x00\x10JFIF",
                                  b"II*\x00\x08\x00", b"MM\x00*\x00\x00"])
def test_images_are_sniffed_as_images(head: bytes) -> None:
    assert sniff(Path("scan.bin"), head + b"\x00" * 100) == "image"


def test_an_address_split_at_its_at_sign_is_one_word() -> None:
    rows = [HEADER, _row(1, 1, 1, 1, "mail:"), _row(1, 1, 1, 2, "jo.doe"), _row(1, 1, 1, 3, "@"),
            _row(1, 1, 1, 4, "example.com"), _row(1, 1, 2, 1, "@home")]
    words = parse_tsv("\n".join(rows))
    assert [word.text for word in words] == ["mail:", "jo.doe@example.com", "@home"]
    assert words[1].box == (200, 40, 480, 70)


def test_only_noisy_pages_are_despeckled() -> None:
    from PIL import ImageFilter

    from rag.ocr.preprocess import noise_level, prepare
    from tests.bench.eval_ocr import degrade
    from tests.ocr.scans import page_images

    clean = page_images(["Patient name: Jane Doe, born 12/04/1958. " * 20], dpi=300)[0]
    noisy = degrade(clean, seed=1)
    assert prepare(clean).tobytes() == clean.tobytes()
    assert noise_level(noisy, prepare(noisy)) > 7
    assert prepare(noisy).tobytes() == noisy.filter(ImageFilter.MedianFilter(3)).tobytes()


def test_a_span_of_the_page_text_maps_to_word_boxes_scaled_to_the_shown_image() -> None:
    from app.scan_page import ScannedPageImage

    scan = PageScan(2480, 3508, 300, layout_words(parse_tsv(TSV)))
    shown = ScannedPageImage("doc", 1, b"", 1240, 1754, scan)  # the page at 150 dpi
    start = scan.text.index("Jane")
    assert scan.boxes_for(start, start + 4) == [(200, 40, 280, 70)]
    assert shown.boxes_for(start, start + 4) == [(100, 20, 140, 35)]
    assert shown.boxes_for(0, len(scan.text)) and shown.text == scan.text


def _word(text: str, left: int, top: int, block: int, line: int = 1) -> OcrWord:
    return OcrWord(text, (left, top, left + 20 * len(text), top + 30), 95.0, 0, (block, 1, line))


def test_a_column_of_list_markers_joins_the_lines_it_stands_beside() -> None:
    from rag.ocr.layout import reading_order

    markers = [_word("10.", 50, 100, 1), _word("11.", 50, 300, 2)]  # Tesseract: own blocks
    text = [_word("Term", 200, 102, 3, 1), _word("of", 300, 102, 3, 1),
            _word("the", 200, 150, 3, 2), _word("lease.", 300, 150, 3, 2),
            _word("Renewal", 200, 298, 3, 3), _word("notice", 380, 298, 3, 3),
            _word("runs", 200, 350, 3, 4), _word("on.", 300, 350, 3, 4)]
    ordered = reading_order(markers + text)
    assert " ".join(w.text for w in ordered) == "10. Term of the lease. 11. Renewal notice runs on."
    assert ordered[0].line == ordered[1].line  # one line in the page text
    assert page_text_of(ordered).splitlines()[0] == "10. Term of"


def test_two_columns_of_text_keep_their_own_order() -> None:
    from rag.ocr.layout import reading_order

    left = [_word(word, 50 + 120 * i, 100 + 40 * row, 1, row)
            for row in range(3) for i, word in enumerate(["left", "column", "text", "here"])]
    right = [_word(word, 700 + 120 * i, 100 + 40 * row, 2, row)
             for row in range(3) for i, word in enumerate(["right", "column", "text", "too"])]
    assert reading_order(left + right) == left + right


def page_text_of(words: list[OcrWord]) -> str:
    return PageScan(1000, 1000, 300, layout_words(words)).text


def test_dot_leaders_read_as_flat_unsure_words_are_dropped_and_short_words_kept() -> None:
    from rag.ocr.layout import reading_order

    def word(text: str, left: int, height: int, confidence: float) -> OcrWord:
        return OcrWord(text, (left, 120 - height, left + 40, 120), confidence, 0, (1, 1, 1))

    line = [word("Definitions", 0, 20, 96.0), word("eee", 300, 4, 19.8),
            word("tee", 360, 4, 30.1), word("-", 420, 3, 91.0), word("a", 460, 13, 45.0),
            word("3", 500, 19, 93.6)]
    assert [w.text for w in reading_order(line)] == ["Definitions", "-", "a", "3"]


def test_the_refusal_says_what_the_engine_could_tell_of_each_unreadable_page() -> None:
    from dataclasses import replace

    unsure = PageScan(1, 1, 300, layout_words([OcrWord("word", (0, 0, 1, 1), 20.0)]))
    cyrillic = replace(unsure, note="text in Cyrillic script, which the English OCR model "
                                    "does not read")
    blank = PageScan(1, 1, 300, note="the page image is blank")
    note = unreadable_note({1: cyrillic, 2: blank})
    assert note == ("no text at all on page(s) 2: the page image is blank; only unreliable "
                    "text on page(s) 1 (20%) (mean confidence): text in Cyrillic script, which "
                    "the English OCR model does not read")
    assert "a picture, a damaged scan" in unreadable_note({1: unsure})  # nothing known
    assert PageScan.from_json(cyrillic.to_json()) == cyrillic
    assert PageScan.from_json(unsure.to_json().replace(',"note":""', "")).note == ""


def test_a_page_with_nothing_drawn_is_blank_and_a_faint_line_is_not() -> None:
    from PIL import Image, ImageDraw

    from rag.ocr.preprocess import is_blank

    page = Image.new("L", (200, 100), 250)
    assert is_blank(page)
    ImageDraw.Draw(page).text((10, 40), "faint", fill=200)
    assert not is_blank(page)


def test_an_answer_citing_a_low_quality_scan_says_so_in_view_not_only_in_a_tooltip() -> None:
    from app.history import CitationRef
    from ui.transcript import sources_html

    def ref(detail: str) -> CitationRef:
        return CitationRef(1, "fax.pdf", "/x/fax.pdf", "d", 1, 0, 5, "Gate code 4471", True,
                           detail)

    poor = sources_html([ref("verified on page 1 of fax.pdf (low-quality scan: check the "
                             "original)")], 0)
    assert "</span> <span style='color:#b26a00'>⚠ low-quality scan: check the original" in poor
    assert "⚠" not in sources_html([ref("verified on page 1 of fax.pdf")], 0)


def test_forgetting_a_document_deletes_its_cached_ocr_and_only_its(tmp_path: Path) -> None:
    cache = OcrCache(tmp_path / "ocr")
    scan = PageScan(1, 1, 300, layout_words([OcrWord("Okonkwo", (0, 0, 1, 1), 90.0)]))
    for source in ("a" * 64, "b" * 64):
        for page in (1, 2):
            cache.put(cache_key(source, page, 300, "tesseract 5 eng"), scan)
    cache.forget("a" * 64)
    assert cache.get(cache_key("a" * 64, 1, 300, "tesseract 5 eng")) is None
    assert cache.get(cache_key("b" * 64, 2, 300, "tesseract 5 eng")) == scan
    held = [path.read_text() for path in (tmp_path / "ocr").rglob("*.json")]
    assert len(held) == 2
