"""Names sealed at rest: a strict workspace stores its files' paths and titles encrypted under a
key kept outside the data folder, so the folder alone holds no name ("Okonkwo Margaret SSN
123-45-6789.txt" is an identifier too).

The cipher is deterministic, so a sealed path is still looked up by equality (is this file
indexed already?): AES-SIV (RFC 5297, from the ``cryptography`` package), a deterministic
authenticated cipher, keyed by HKDF-SHA256 from the stored key. A wrong key or an altered value
fails authentication. The same name under the same key always seals the same way (that is what
equality lookups need, and all it reveals: that two stored names are equal).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED = "sealed:"  # prefix of a sealed value: anything else is stored as it was given
UNREADABLE = "<name sealed with another key>"


class NameSeal:
    """Seals and opens names with the key ``key()`` gives (called on first use only)."""

    def __init__(self, key: Callable[[], bytes], *,
                 exists: Callable[[], bool] = lambda: True) -> None:
        """``exists()``: whether a key is there already (``key()`` may make one)."""
        self._key_source, self._exists = key, exists
        self._siv: AESSIV | None = None

    @property
    def in_use(self) -> bool:
        """Whether anything can have been sealed: a key exists (none is made to find out)."""
        return self._siv is not None or self._exists()

    def seal(self, name: str) -> str:
        if not name:  # nothing to hide, and AES-SIV takes no empty message
            return name
        sealed = self._cipher().encrypt(name.encode("utf-8"), None)
        return SEALED + base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, stored: str) -> str:
        """The name ``stored`` holds: itself when it was stored as given; :data:`UNREADABLE`
        when sealed under another key or altered."""
        if not stored.startswith(SEALED):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(SEALED):].encode("ascii"))
            return self._cipher().decrypt(raw, None).decode("utf-8", "replace")
        except (ValueError, InvalidTag):
            return UNREADABLE

    def _cipher(self) -> AESSIV:
        if self._siv is None:
            derive = HKDF(algorithm=hashes.SHA256(), length=64, salt=None,
                          info=b"enclave-names-aes-siv")
            self._siv = AESSIV(derive.derive(self._key_source()))
        return self._siv
