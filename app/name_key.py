"""The key that seals a strict workspace's file names and titles (:mod:`rag.names`), kept
outside the data folder: ``ENCLAVE_NAME_KEYS``, by default ``name-keys`` in the user's config
folder, readable by its owner only. Made on first need; without it, sealed names show as
sealed (the documents stay searchable by content)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

KEYS_VARIABLE = "ENCLAVE_NAME_KEYS"
KEY_FILE = "names.key"
KEY_BYTES = 32


def keys_folder() -> Path:
    override = os.environ.get(KEYS_VARIABLE)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("Enclave", appauthor=False)) / "name-keys"


def name_key_exists(folder: Path | None = None) -> bool:
    return ((folder or keys_folder()) / KEY_FILE).is_file()


def name_key(folder: Path | None = None) -> bytes:
    """The key in ``folder`` (:func:`keys_folder` by default), made there if there is none."""
    path = (folder or keys_folder()) / KEY_FILE
    try:
        return path.read_bytes()[:KEY_BYTES]
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()[:KEY_BYTES]
    with os.fdopen(handle, "wb") as stream:
        stream.write(secrets.token_bytes(KEY_BYTES))
        stream.flush()
        os.fsync(stream.fileno())
    return path.read_bytes()[:KEY_BYTES]
