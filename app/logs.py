"""Rotating log files under the data directory.

Logs record what happened (file names, counts, timings, errors), never document text, questions
or answers: those can hold the very identifiers the firm must protect.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "enclave-file"


def configure_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path:
    logs_dir.mkdir(parents=True, exist_ok=True)
    log_file = logs_dir / "enclave.log"
    root = logging.getLogger()
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return log_file
    handler = _QuietFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    return log_file


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log line that cannot be written (a full disk) is dropped without a word: the command
    says what failed in its own message, and a "--- Logging error ---" block helps no one."""

    def handleError(self, record: logging.LogRecord) -> None:
        return None
