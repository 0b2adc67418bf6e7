"""Deciding what a file is from its first bytes, with the extension only as a tie-breaker."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

SNIFF_BYTES = 64 * 1024
_EMAIL_HEADERS = {
    "from", "to", "subject", "date", "received", "return-path", "message-id", "mime-version",
    "cc", "reply-to", "content-type", "delivered-to", "x-mailer",
}
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<body", b"<head", b"<p>", b"<div", b"<table")
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_PDF_OBJECT = re.compile(rb"(^|\s)\d+\s+\d+\s+obj\b")


def sniff(path: Path, head: bytes) -> str:
    """One of "pdf", "docx", "zip", "image", "html", "email", "text", "binary", "empty"."""
    if not head:
        return "empty"
    if head.startswith(_IMAGE_SIGNATURES):
        return "image"
    if b"%PDF-" in head[:1024] or _PDF_OBJECT.search(head[:1024]) and b"endobj" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(path) else "zip"
    if _looks_binary(head):
        return "pdf" if b"%PDF-" in head or path.suffix.lower() == ".pdf" else "binary"
    lowered = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if _looks_like_email(head):
        return "email"
    if any(marker in lowered[:2048] for marker in _HTML_MARKERS):
        return "html" if lowered.startswith(b"<") or path.suffix.lower() in (".html", ".htm") \
            else "text"
    if path.suffix.lower() == ".pdf" and b"%PDF-" in head:
        return "pdf"
    return "text"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except Exception:  # noqa: BLE001 - BadZipFile, OSError, a member name not UTF-8...
        return path.suffix.lower() == ".docx"


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with a byte-order mark
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) * 0.05


def _looks_like_email(head: bytes) -> bool:
    names = []
    for line in head[:8192].splitlines()[:40]:
        if not line.strip():
            break
        match = _HEADER_LINE.match(line)
        if match:
            names.append(match.group(1).decode("ascii").lower())
        elif not line[:1].isspace():
            return False
    known = [name for name in names if name in _EMAIL_HEADERS]
    return len(known) >= 2 and bool({"from", "subject", "received", "message-id"} & set(known))
