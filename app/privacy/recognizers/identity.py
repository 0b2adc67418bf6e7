"""Licence, certificate and passport numbers: they only count next to their label."""

from __future__ import annotations

from app.privacy.recognizers.base import RegexRecognizer


class LicenseNumberRecognizer(RegexRecognizer):
    ENTITY = "LICENSE_NUMBER"
    RULES = (
        ("license-anchored",
         r"\b(?:driver'?s'? licen[cs]e|driving licen[cs]e|licen[cs]e|DL|certificate|passport|"
         r"permit)(?: number| no\.?| #| id)?(?: is)?\s*[:#]?\s*"
         r"(?P<v>(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{4,19})\b", 0.85),
    )
    CONTEXT = ("license", "licence", "certificate", "passport", "permit")

    def check(self, value: str) -> bool:
        return sum(c.isdigit() for c in value) >= 4
