"""Why a document could not be read: each reason is a message a user can act on."""

from __future__ import annotations

from core.errors import EnclaveError, InputError


class DocumentRefused(InputError):
    """A file was looked at and deliberately not indexed; ``reason`` is a short machine tag."""

    reason = "unreadable"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class PasswordRequired(DocumentRefused):
    reason = "password required"


class WrongPassword(DocumentRefused):
    reason = "wrong password"


class NoTextFound(DocumentRefused):
    reason = "no text"


class UnsupportedFormat(DocumentRefused):
    reason = "unsupported format"


class CorruptFile(DocumentRefused):
    reason = "corrupt"


class TooLarge(DocumentRefused):
    reason = "too large"


class EmptyFile(DocumentRefused):
    reason = "empty file"


class IndexStoreError(EnclaveError):
    """The on-disk index cannot be opened or written."""


class EmbedderMismatch(IndexStoreError):
    """A workspace's vectors were made by another embedder than the one offered: mixing them
    would rank by meaningless similarities, so it is refused."""


class OcrUnavailable(DocumentRefused):
    """A page had to be read by OCR and the OCR engine could not do it."""

    reason = "ocr not available"


class BatchStopped(EnclaveError):
    """An ingest batch cannot go on (the disk is full, the audit trail cannot be written): the
    file being stored is not, and the report names every file's fate."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full
