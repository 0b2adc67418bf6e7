"""A full disk, said in one line: which folder, how much is free, how much is needed."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import EnclaveError

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_SQLITE_FULL = 13
_FULL_WORDS = ("No space left on device", "database or disk is full", "Disk quota exceeded")
MB = 1024 * 1024


class DiskFull(EnclaveError):
    """A write failed for want of space; the message names the folder and the space needed."""

    def __init__(self, folder: Path, needed: int, what: str = "") -> None:
        self.folder, self.needed = folder, needed
        super().__init__(disk_full_message(folder, needed, what))


def is_disk_full(error: BaseException | None) -> bool:
    """An OSError ENOSPC/EDQUOT/EFBIG, SQLite's SQLITE_FULL, or an error caused by one (Chroma
    and hnswlib wrap them, some only in their message)."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, OSError) and error.errno in _FULL:
            return True
        if getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        if any(words in str(error) for words in _FULL_WORDS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def full_disk_explains(error: BaseException, folder: Path) -> bool:
    """Whether ``error`` comes from a full disk: said so, or raised while ``folder``'s disk is
    all but full, whatever it says (SQLite says "disk I/O error" when it cannot create its WAL
    files, Chroma "Error in compaction"); the log keeps the error itself."""
    if is_disk_full(error):
        return True
    free = free_bytes(folder)
    return free is not None and free < MB


def free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def disk_full_message(folder: Path, needed: int, what: str = "") -> str:
    free = free_bytes(folder)
    have = f" ({_size(free)} free)" if free is not None else ""
    doing = f"{what}: " if what else ""
    return (f"{doing}the disk holding {folder} is full{have}; free at least "
            f"{_size(max(needed, MB))} there and try again.")


def _size(count: int) -> str:
    if count >= 1024 * MB:
        return f"{count / (1024 * MB):.1f} GB"
    if count >= MB:
        return f"{count / MB:.0f} MB"
    return f"{count / 1024:.0f} KB"


@contextmanager
def written_whole(path: Path, what: str) -> Iterator[Path]:
    """A temporary file beside ``path`` for the block to write; fsync'ed and renamed onto
    ``path`` when the block ends, removed if it fails, so ``path`` holds the old file or the
    whole new one. A full disk raises :class:`DiskFull` naming ``path``'s folder and at least
    twice what had been written (``what`` leads the message: "The settings were not saved")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = writer_temporary(path)
    try:
        yield temporary
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except Exception as error:
        written = temporary.stat().st_size if temporary.exists() else 0
        temporary.unlink(missing_ok=True)
        if isinstance(error, EnclaveError) or not full_disk_explains(error, path.parent):
            raise
        raise DiskFull(path.parent, 2 * written, what) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def writer_temporary(path: Path) -> Path:
    """A temporary name beside ``path`` that no other writer uses: this process's and this
    thread's own. Two writers sharing one name raced: the second truncated what the first was
    writing, or found at its rename that the first had taken the file (FileNotFoundError)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.part")


def replace_whole(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """``data`` (text as UTF-8) to ``path``, whole or not at all: written under
    :func:`writer_temporary`, fsync'ed and renamed onto ``path``, so a reader (or a crash)
    sees the old file or the whole new one, whatever other writers do at the same time.
    ``private``: readable by its owner only. Errors are raised as they come."""
    temporary = writer_temporary(path)
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         0o600 if private else 0o666)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_whole(path: Path, data: bytes | str, what: str) -> None:
    """``data`` (text as UTF-8) to ``path`` as :func:`written_whole` writes."""
    with written_whole(path, what) as temporary:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
