"""Names shown on one line: control characters, direction overrides and undecodable bytes are
escaped wherever a path is shown (core.display.one_line)."""

from __future__ import annotations

import os

import pytest

from core.display import one_line


@pytest.mark.parametrize(("shown", "printed"), [
    ("contract.pdf", "contract.pdf"),
    ("a\nb.txt", "a\\nb.txt"),
    ("a\r\nb\t.txt", "a\\r\\nb\\t.txt"),
    ("\x1b[2Jwiped.pdf", "\\x1b[2Jwiped.pdf"),
    ("bell\x07\x7f.txt", "bell\\x07\\x7f.txt"),
    ("c1\x85next.txt", "c1\\x85next.txt"),
    ("fdp.\u202etxt.exe", "fdp.\\u202etxt.exe"),
    ("line\u2028sep.txt", "line\\u2028sep.txt"),
    ("Résumé – Müller 日本.docx", "Résumé – Müller 日本.docx"),
    ("back\\slash.txt", "back\\slash.txt"),
])
def test_names_are_escaped_on_one_line(shown: str, printed: str) -> None:
    assert one_line(shown) == printed


def test_undecodable_bytes_of_a_file_name_print_as_hex() -> None:
    name = os.fsdecode(b"caf\xe9\n.txt")
    assert one_line(name) == "caf\\xe9\\n.txt"
    one_line(name).encode("utf-8")  # printable: no lone surrogate left


def test_a_path_object_is_accepted() -> None:
    from pathlib import Path

    assert one_line(Path("/tmp/x\ny")) == "/tmp/x\\ny"
