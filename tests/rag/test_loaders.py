"""Loaders: every supported format, and every kind of bad input refused with its own reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from rag.errors import (
    CorruptFile,
    EmptyFile,
    NoTextFound,
    PasswordRequired,
    TooLarge,
    UnsupportedFormat,
    WrongPassword,
)
from rag.loaders import load_document
from tests.rag.fakes import write_docx, write_pdf

EMAIL = (b"From: Ann Lee <ann@example.com>\r\nTo: legal@example.com\r\n"
         b"Subject: Renewal terms\r\nMessage-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
         b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe renewal notice period is 60 days."
         b"\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
         b"Content-Disposition: attachment; filename=terms.bin\r\n\r\nAAAA\r\n--XX--\r\n")
HTML = (b"<!DOCTYPE html><html><head><title>Policy</title><style>p{color:red}</style></head>"
        b"<body><h1>Retention policy</h1><p>Records are kept for seven years.</p>"
        b"<script>var x = 'not text';</script></body></html>")


@pytest.mark.parametrize(("name", "data", "kind", "expected"), [
    ("notes.txt", "Plain UTF-8 text: café.".encode(), "text", "café"),
    ("notes.md", b"# Title\n\nSome *markdown* body.", "text", "markdown"),
    ("legacy.txt", "Prix: 10 € – réduit".encode("cp1252"), "text", "réduit"),
    ("wide.txt", "Unicode with BOM: naïve".encode("utf-16"), "text", "naïve"),
    ("page.html", HTML, "html", "seven years"),
    ("page.txt", HTML, "html", "Retention policy"),  # wrong extension: content decides
    ("mail.eml", EMAIL, "email", "60 days"),
    ("mail.dat", EMAIL, "email", "Subject: Renewal terms"),
])
def test_text_formats_are_read_by_content(tmp_path: Path, name: str, data: bytes, kind: str,
                                          expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    document = load_document(path)
    assert document.kind == kind
    assert expected in document.pages[0].text


def test_html_drops_scripts_and_styles(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_bytes(HTML)
    text = load_document(tmp_path / "p.html").pages[0].text
    assert "not text" not in text and "color" not in text


def test_email_attachments_are_noted_not_indexed(tmp_path: Path) -> None:
    (tmp_path / "m.eml").write_bytes(EMAIL)
    document = load_document(tmp_path / "m.eml")
    assert "AAAA" not in document.pages[0].text
    assert any("terms.bin" in note for note in document.notes)


def test_pdf_pages_keep_their_numbers(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "two.pdf", ["First page about fees.", "Second page on terms."])
    document = load_document(path)
    assert [page.number for page in document.pages] == [1, 2]
    assert "Second page" in document.page(2).text


def test_pdf_under_a_wrong_extension_is_still_a_pdf(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "report.txt", ["Disguised PDF content."])
    assert load_document(path).kind == "pdf"


def test_docx_paragraphs_are_read(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "memo.docx", ["Board memo.", "The fee is 2% per annum."])
    document = load_document(path)
    assert document.kind == "docx" and "2% per annum" in document.pages[0].text


def test_password_pdf_is_refused_until_the_password_is_given(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "secret.pdf", ["Confidential settlement."], user_password="s3cret")
    with pytest.raises(PasswordRequired, match="--password"):
        load_document(path)
    with pytest.raises(WrongPassword):
        load_document(path, password="guess")
    assert "settlement" in load_document(path, password="s3cret").pages[0].text


def test_permissions_only_pdf_is_read_without_a_password(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "locked.pdf", ["No printing allowed."], owner_password="owner")
    assert "printing" in load_document(path).pages[0].text


def test_five_hundred_page_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf", [f"Page {n} of the filing." for n in range(1, 501)])
    document = load_document(path)
    assert len(document.pages) == 500 and "Page 500" in document.page(500).text


def _zip_bomb(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * (300 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(("name", "make", "error", "reason"), [
    ("empty.pdf", lambda p: p.write_bytes(b""), EmptyFile, "empty"),
    ("junk.pdf", lambda p: p.write_bytes(bytes(range(256)) * 64), CorruptFile, "damaged"),
    ("junk.bin", lambda p: p.write_bytes(bytes(range(256)) * 64), UnsupportedFormat, "binary"),
    ("archive.zip", lambda p: _plain_zip(p), UnsupportedFormat, "ZIP"),
    ("blank.txt", lambda p: p.write_bytes(b"   \n\n  "), NoTextFound, "no text"),
    ("bomb.docx", _zip_bomb, TooLarge, "zip bomb"),
    ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), CorruptFile,
     "damaged"),
])
def test_bad_input_is_refused_with_a_specific_reason(tmp_path: Path, name: str, make, error,
                                                     reason: str) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(error, match=reason):
        load_document(path)


def _plain_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")


def test_truncated_pdf_is_refused_or_read_partially(tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "full.pdf", ["Alpha clause. " * 50, "Beta clause. " * 50])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    try:
        document = load_document(cut)
    except (CorruptFile, NoTextFound) as refusal:
        assert refusal.message.startswith("cut.pdf:")
    else:
        assert document.pages


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CorruptFile, match="cannot be read"):
        load_document(tmp_path / "gone.pdf")
