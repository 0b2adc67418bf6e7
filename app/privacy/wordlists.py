"""Word lists written as plain text in the source."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The white-space separated words of ``text``."""
    return frozenset(text.split())
