"""Names sealed at rest: a strict workspace stores its files' paths and titles encrypted under a
key kept outside the data folder, so the folder alone holds no name ("Okonkwo Margaret SSN
123-45-6789.txt" is an identifier too).

The cipher is deterministic, so a sealed path is still looked up by equality (is this file
indexed already?): a synthetic IV (SIV) construction from HMAC-SHA256 only. The IV is
``HMAC(k_iv, name)``, the name is XORed with ``HMAC(k_stream, iv || counter)`` blocks, and
opening recomputes the IV from the result, so a wrong key or an altered value is detected. The
same name under the same key always seals the same way (that is what equality lookups need, and
all it reveals: that two stored names are equal).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

SEALED = "sealed:"  # prefix of a sealed value: anything else is stored as it was given
IV_BYTES = 16
UNREADABLE = "<name sealed with another key>"


class NameSeal:
    """Seals and opens names with the key ``key()`` gives (called on first use only)."""

    def __init__(self, key: Callable[[], bytes], *,
                 exists: Callable[[], bool] = lambda: True) -> None:
        """``exists()``: whether a key is there already (``key()`` may make one)."""
        self._key_source, self._exists = key, exists
        self._keys: tuple[bytes, bytes] | None = None

    @property
    def in_use(self) -> bool:
        """Whether anything can have been sealed: a key exists (none is made to find out)."""
        return self._keys is not None or self._exists()

    def seal(self, name: str) -> str:
        iv_key, stream_key = self._derived()
        data = name.encode("utf-8")
        iv = hmac.new(iv_key, data, hashlib.sha256).digest()[:IV_BYTES]
        sealed = _xor(data, _stream(stream_key, iv, len(data)))
        return SEALED + base64.urlsafe_b64encode(iv + sealed).decode("ascii")

    def open(self, stored: str) -> str:
        """The name ``stored`` holds: itself when it was stored as given; :data:`UNREADABLE`
        when sealed under another key or altered."""
        if not stored.startswith(SEALED):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(SEALED):].encode("ascii"))
        except ValueError:
            return UNREADABLE
        iv, sealed = raw[:IV_BYTES], raw[IV_BYTES:]
        iv_key, stream_key = self._derived()
        data = _xor(sealed, _stream(stream_key, iv, len(sealed)))
        expected = hmac.new(iv_key, data, hashlib.sha256).digest()[:IV_BYTES]
        if len(iv) != IV_BYTES or not hmac.compare_digest(iv, expected):
            return UNREADABLE
        return data.decode("utf-8", "replace")

    def _derived(self) -> tuple[bytes, bytes]:
        if self._keys is None:
            key = self._key_source()
            self._keys = (hmac.new(key, b"enclave-names-iv", hashlib.sha256).digest(),
                          hmac.new(key, b"enclave-names-stream", hashlib.sha256).digest())
        return self._keys


def _stream(key: bytes, iv: bytes, size: int) -> bytes:
    blocks = [hmac.new(key, iv + counter.to_bytes(4, "big"), hashlib.sha256).digest()
              for counter in range(-(-size // 32))]
    return b"".join(blocks)[:size]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))
