"""E-mail (.eml): the headers a reader needs, then the text parts (HTML when there is no plain)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from rag.documents import LoadedDocument, Page, normalise_text
from rag.errors import NoTextFound
from rag.loaders.html import html_to_text

_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def load_email(path: Path, data: bytes, password: str | None = None) -> LoadedDocument:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    header = "\n".join(f"{name}: {_header(message, name)}" for name in _SHOWN_HEADERS
                       if _header(message, name))
    body, attachments = _body(message)
    text = normalise_text(f"{header}\n\n{body}")
    if not body.strip():
        raise NoTextFound(f"{path.name}: the e-mail has no readable text part.")
    notes = (f"attachments not indexed: {', '.join(attachments)}",) if attachments else ()
    title = _header(message, "Subject") or path.stem
    return LoadedDocument(path, "email", (Page(1, text),), title=title, notes=notes)


def _header(message: EmailMessage, name: str) -> str:
    """The header's value, or its raw text when the standard library's parser fails on it
    (found by fuzzing: a malformed address group raised AttributeError)."""
    try:
        value = str(message[name] or "")
    except Exception:  # noqa: BLE001 - any parser failure: show the header as written
        value = next((str(value) for key, value in message.raw_items()
                      if key.lower() == name.lower()), "")
    # Bytes that are not UTF-8 come back as lone surrogates, which cannot be stored.
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _body(message: EmailMessage) -> tuple[str, list[str]]:
    plain, html, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            attachments.append(part.get_filename() or "unnamed")
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(_content(part))
        elif kind == "text/html":
            html.append(html_to_text(_content(part))[0])
    return "\n\n".join(plain or html), attachments


def _content(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError, ValueError):  # ValueError: a NUL in the charset
        payload = part.get_payload(decode=True)
        return payload.decode("latin-1") if isinstance(payload, bytes) else ""
