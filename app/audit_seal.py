"""Forward-secure sealing of the audit trail: the anchor that lives outside the data folder.

A hash chain anyone can recompute proves nothing against someone who can write the file. So
each record also carries an HMAC under a key that changes after every record
(``key[n+1] = sha256(tag || key[n])``, the old key overwritten), as in systemd-journald's
forward-secure sealing. The current key and the count and hash it has sealed (the *seal
state*) are kept in a folder outside the data folder (``ENCLAVE_AUDIT_KEYS``, by default the
user's config folder), readable by its owner only. The key of the first sealed record (the
*verification key*) is written beside it once, for the administrator to take away.

What follows: whoever holds the current key can only seal records from now on, never an
earlier one. With the verification key, every sealed record is checked; without it, the seal
state still says how many records were sealed and the hash of the last, so an emptied,
deleted or shortened trail is found as long as the seal state is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from core.disk import replace_whole

KEYS_VARIABLE = "ENCLAVE_AUDIT_KEYS"
_EVOLVE = b"enclave-audit-seal-evolve\0"


def keys_folder() -> Path:
    override = os.environ.get(KEYS_VARIABLE)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("Enclave", appauthor=False)) / "audit-keys"


def evolve(key: bytes) -> bytes:
    return hashlib.sha256(_EVOLVE + key).digest()


def seal_mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SealState:
    records: int  # the trail's records up to the last sealed one
    last: str  # sha256 of the last sealed line
    key: bytes  # the key of record ``records + 1``

    def advanced(self, last: str) -> SealState:
        return SealState(self.records + 1, last, evolve(self.key))


@dataclass(frozen=True)
class VerificationKey:
    first: int  # the first sealed record
    key: bytes  # its key

    def key_at(self, seq: int) -> bytes:
        key = self.key
        for _ in range(seq - self.first):
            key = evolve(key)
        return key


class SealFiles:
    """The seal state and verification key of one trail, in ``folder``."""

    def __init__(self, trail: Path, folder: Path) -> None:
        ident = hashlib.sha256(str(trail.resolve()).encode("utf-8")).hexdigest()[:16]
        self.trail, self.folder = trail, folder
        self.state_path = folder / f"audit-{ident}.seal.json"
        self.verification_path = folder / f"audit-{ident}.verify.json"

    def load(self) -> SealState | None:
        """None when there is none; an unreadable state is treated as absent (verify says so)."""
        try:
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            return SealState(int(raw["records"]), str(raw["last"]), bytes.fromhex(raw["key"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def start(self, first: int, last: str) -> SealState:
        """A new seal from record ``first``: its key is written for the administrator too."""
        key = secrets.token_bytes(32)
        if not self.verification_path.exists():
            _write_private(self.verification_path, {
                "trail": str(self.trail), "first": first, "key": key.hex(),
                "note": "Verification key of an Enclave audit trail: keep it off this machine "
                        "(enclave audit verify --key FILE checks every sealed record)."})
        return SealState(first - 1, last, key)

    def save(self, state: SealState) -> None:
        _write_private(self.state_path, {"trail": str(self.trail), "records": state.records,
                                         "last": state.last, "key": state.key.hex()})

    def verification_key(self, path: Path | None = None) -> VerificationKey | None:
        try:
            raw = json.loads((path or self.verification_path).read_text(encoding="utf-8"))
            return VerificationKey(int(raw["first"]), bytes.fromhex(raw["key"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _write_private(path: Path, content: dict[str, object]) -> None:
    """Whole or not at all, readable by its owner only (:func:`core.disk.replace_whole`)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_whole(path, json.dumps(content), private=True)
