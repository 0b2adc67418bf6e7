"""Names and messages shown to a person: one line each, whatever a file name holds.

A file name may hold any character but ``/`` and NUL: a newline would split a row of a listing
or a report in two, a carriage return or an escape sequence would rewrite what the terminal
shows, a bidirectional override would show the name reversed, and bytes that are not UTF-8
(carried by Python as lone surrogates) cannot be printed at all. :func:`one_line` escapes all
of them, so every place that shows a path (the command line, the window, the log) shows the
same unambiguous line.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, the bidirectional
# marks, embeddings, overrides and isolates, and lone surrogates (undecodable bytes).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: object) -> str:
    """``text`` (a path, a name, a message) on one printable line: ``a\\nb.txt`` for a name
    holding a newline, ``\\xe9`` for an undecodable byte, ``\\u202e`` for a direction
    override. Printable text, backslashes included, is left as it is."""
    return _UNSAFE.sub(_escape, str(text))
