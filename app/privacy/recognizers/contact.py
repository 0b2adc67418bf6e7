"""E-mail, web and network addresses, and telephone or fax numbers."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import regex

from app.privacy.recognizers.base import RegexRecognizer


@lru_cache(maxsize=1)
def _offline_suffixes() -> object:
    """tldextract with its bundled public-suffix snapshot only: never a download."""
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def has_public_suffix(host: str) -> bool:
    extractor = _offline_suffixes()
    parts = extractor(host)  # type: ignore[operator]
    return bool(parts.suffix) and bool(parts.domain)


class EmailAddressRecognizer(RegexRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    RULES = (
        ("email", r"\b(?P<v>[\w.%+'-]+@(?P<h>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}))\b",
         0.9),
    )
    CONTEXT = ("email", "e-mail", "mail", "contact")

    def check(self, value: str) -> bool:
        return has_public_suffix(value.rsplit("@", 1)[1])


class WebAddressRecognizer(RegexRecognizer):
    ENTITY = "URL"
    RULES = (
        ("url-scheme", r"\b(?P<v>(?:https?|ftp)://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?])", 0.85),
        ("url-www", r"(?<![\w@./])(?P<v>www\.[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?])", 0.8),
        ("domain", r"(?<![\w@./-])(?P<v>(?:[a-z0-9-]+\.)+(?-i:com|org|net|edu|gov|io|info|biz|"
                   r"co\.uk|de|fr|nl|es|it|ch|se|cz|be|ee|cy)(?:/[^\s<>\"']*[\w/])?)(?![\w@-])",
         0.5),
    )
    CONTEXT = ("url", "website", "site", "web", "link", "http")


class IpAddressRecognizer(RegexRecognizer):
    ENTITY = "IP_ADDRESS"
    RULES = (
        ("ipv4", r"(?<![\d.])(?P<v>(?:\d{1,3}\.){3}\d{1,3})(?![\d.]|\.\d)", 0.7),
        ("ipv6", r"(?<![\w:])(?P<v>[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])", 0.7),
    )
    CONTEXT = ("ip", "address", "host", "server", "ipv4", "ipv6")

    def check(self, value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return not (address.version == 6 and value.count(":") < 3)


_DATE_LIKE = regex.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}|^\d{4}\s*-\s*\d{4}$")


class PhoneFaxRecognizer(RegexRecognizer):
    """Telephone and fax numbers in the many national layouts, by shape (7 to 15 digits)."""

    ENTITY = "PHONE_NUMBER"
    RULES = (
        ("phone-grouped",
         r"(?<![\w+-])(?P<v>(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ .-]\d{1,5}){1,5}"
         r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?)(?![\w-]|\.\d)", 0.4),
        ("phone-plus", r"(?<![\w+])(?P<v>\+\d{7,14})\b", 0.6),
        ("phone-anchored", r"\b(?:tel(?:ephone)?|phone|fax|mobile|cell|ph)\.?(?: number| no\.?)?"
                           r"\s*[:#]?\s*(?P<v>\+?[\d(][\d ().-]{5,20}\d)", 0.9),
    )
    CONTEXT = ("phone", "telephone", "tel", "fax", "call", "mobile", "cell", "number", "contact")

    def check(self, value: str) -> bool:
        digits = sum(c.isdigit() for c in value.split("x")[0].split("ext")[0])
        if not 7 <= digits <= 15 or _DATE_LIKE.search(value):
            return False
        groups = regex.split(r"[ .()-]+", value.strip("+() "))
        return not (value.count(".") >= 1 and " " not in value and len(groups) > 3)
