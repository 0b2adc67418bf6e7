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
    header = "\n".join(f"{name}: {message[name]}" for name in _SHOWN_HEADERS if message[name])
    body, attachments = _body(message)
    text = normalise_text(f"{header}\n\n{body}")
    if not body.strip():
        raise NoTextFound(f"{path.name}: the e-mail has no readable text part.")
    notes = (f"attachments not indexed: {', '.join(attachments)}",) if attachments else ()
    title = str(message["Subject"] or path.stem)
    return LoadedDocument(path, "email", (Page(1, text),), title=title, notes=notes)


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
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        return payload.decode("latin-1") if isinstance(payload, bytes) else ""
