"""A full disk, said in one line: which folder, how much is free, how much is needed."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from core.errors import EnclaveError

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
MB = 1024 * 1024


class DiskFull(EnclaveError):
    """A write failed for want of space; the message names the folder and the space needed."""

    def __init__(self, folder: Path, needed: int, what: str = "") -> None:
        self.folder, self.needed = folder, needed
        super().__init__(disk_full_message(folder, needed, what))


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in _FULL


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
