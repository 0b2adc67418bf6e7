"""The error family every layer raises: each carries a message a user can act on."""

from __future__ import annotations


class EnclaveError(Exception):
    """A failure with a message written for the person using the app, not for a developer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Cancelled(EnclaveError):
    """A long job stopped because the user asked it to."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class ModelError(EnclaveError):
    """A model file cannot be imported, loaded or run."""


class InputError(EnclaveError):
    """What the user gave us (a question, a file, a value) cannot be used as it is."""
