"""Tax, bank and securities identifiers. Weak all-digit rules need a context word to pass."""

from __future__ import annotations

import regex

from app.privacy import checksums
from app.privacy.recognizers.base import RegexRecognizer

_SEP3 = r"(?P<s>[- .])"


class SsnRecognizer(RegexRecognizer):
    """US SSN with dashes, spaces, dots or none (Presidio drops the bare and dotted forms)."""

    ENTITY = "US_SSN"
    RULES = (
        ("ssn-separated", rf"(?<![\d-])(?P<v>\d{{3}}{_SEP3}\d{{2}}(?P=s)\d{{4}})(?![\d-])", 0.5),
        ("ssn-anchored", r"\b(?:SSN|SS#|social security(?: number| no\.?| #)?)\s*[:#]?\s*"
                         r"(?P<v>\d{3}[- .]?\d{2}[- .]?\d{4})\b", 0.95),
        ("ssn-bare", r"(?<![\d-])(?P<v>\d{9})(?![\d-])", 0.05),
    )
    CONTEXT = ("ssn", "social", "security", "ss#", "ssns")

    def check(self, value: str) -> bool:
        return checksums.ssn_plausible(checksums.compact(value))


class ItinRecognizer(RegexRecognizer):
    ENTITY = "US_ITIN"
    RULES = (
        ("itin-separated", rf"(?<![\d-])(?P<v>9\d{{2}}{_SEP3}[5-9]\d(?P=s)\d{{4}})(?![\d-])", 0.5),
        ("itin-bare", r"(?<![\d-])(?P<v>9\d{2}[5-9]\d{5})(?![\d-])", 0.1),
    )
    CONTEXT = ("itin", "taxpayer", "individual taxpayer", "tax id", "tin")

    def check(self, value: str) -> bool:
        return checksums.itin_plausible(checksums.compact(value))


class EinRecognizer(RegexRecognizer):
    ENTITY = "US_EIN"
    RULES = (
        ("ein-dashed", r"(?<![\d-])(?P<v>\d{2}-\d{7})(?![\d-])", 0.3),
        ("ein-anchored", r"\b(?:EIN|FEIN|employer identification(?: number| no\.?)?|"
                         r"tax id(?:entification)?(?: number| no\.?)?)\s*[:#]?\s*"
                         r"(?P<v>\d{2}-?\d{7})\b", 0.9),
    )
    CONTEXT = ("ein", "fein", "employer", "identification", "tax")

    def check(self, value: str) -> bool:
        return checksums.ein_plausible(checksums.compact(value))


class RoutingNumberRecognizer(RegexRecognizer):
    ENTITY = "ABA_ROUTING_NUMBER"
    RULES = (
        ("aba-plain", r"(?<![\d-])(?P<v>\d{9})(?![\d-])", 0.2),
        ("aba-dashed", r"(?<![\d-])(?P<v>\d{4}-\d{4}-\d)(?![\d-])", 0.3),
        ("aba-anchored", r"\b(?:ABA|RTN|routing(?: and transit)?(?: number| no\.?| #)?)\s*[:#]?"
                         r"\s*(?P<v>\d{9}|\d{4}-\d{4}-\d)\b", 0.95),
    )
    CONTEXT = ("aba", "routing", "rtn", "transit", "bank")

    def check(self, value: str) -> bool:
        return checksums.aba_routing_valid(checksums.compact(value))


class BankAccountRecognizer(RegexRecognizer):
    """US bank account numbers have no checksum: only an account word makes them count."""

    ENTITY = "US_BANK_NUMBER"
    RULES = (
        ("account-anchored", r"\b(?:account|acct\.?|a/c)(?: number| no\.?| #)?\s*[:#]?\s*"
                             r"(?P<v>\d{6,17})\b", 0.8),
        ("account-digits", r"(?<![\d-])(?P<v>\d{8,17})(?![\d-])", 0.05),
    )
    CONTEXT = ("account", "acct", "bank", "checking", "savings", "deposit")


class SwiftBicRecognizer(RegexRecognizer):
    """SWIFT/BIC: bank, country, location (and branch) codes, upper case only."""

    ENTITY = "SWIFT_CODE"
    FLAGS = regex.MULTILINE
    RULES = (
        ("bic", r"\b(?P<v>[A-Z]{4}(?P<c>[A-Z]{2})[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?)\b", 0.1),
        ("bic-anchored", r"\b(?:SWIFT|BIC)(?:[ /-]?(?:BIC|code))?\s*[:#]?\s*"
                         r"(?P<v>[A-Z]{6}[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?)\b", 0.9),
    )
    CONTEXT = ("swift", "bic", "bank", "wire", "transfer")

    def check(self, value: str) -> bool:
        return value[4:6] in checksums.ISO_COUNTRIES


class IbanCheckedRecognizer(RegexRecognizer):
    ENTITY = "IBAN_CODE"
    RULES = (
        ("iban", r"\b(?P<v>[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?)\b", 0.9),
    )
    CONTEXT = ("iban", "bank", "account", "transfer")

    def check(self, value: str) -> bool:
        return checksums.iban_valid(value)


class IsinRecognizer(RegexRecognizer):
    ENTITY = "ISIN"
    FLAGS = regex.MULTILINE
    RULES = (("isin", r"\b(?P<v>[A-Z]{2}[A-Z0-9]{9}\d)\b", 0.85),)
    CONTEXT = ("isin", "security", "securities", "bond", "share")

    def check(self, value: str) -> bool:
        return value[:2] in checksums.ISO_COUNTRIES | {"XS", "EU"} and checksums.isin_valid(value)


class CusipRecognizer(RegexRecognizer):
    """CUSIPs are nine characters with a weak check digit: context words carry them."""

    ENTITY = "CUSIP"
    FLAGS = regex.MULTILINE
    RULES = (
        ("cusip", r"(?<![\w-])(?P<v>\d{3}[0-9A-Z]{5}\d)(?![\w-])", 0.2),
        ("cusip-anchored", r"\bCUSIP(?: number| no\.?| #)?\s*[:#]?\s*(?P<v>[0-9A-Z]{9})\b", 0.9),
    )
    CONTEXT = ("cusip", "security", "securities", "bond", "note", "share")

    def check(self, value: str) -> bool:
        return checksums.cusip_valid(value)


class LeiRecognizer(RegexRecognizer):
    ENTITY = "LEI"
    FLAGS = regex.MULTILINE
    RULES = (("lei", r"\b(?P<v>[0-9A-Z]{18}\d{2})\b", 0.85),)
    CONTEXT = ("lei", "legal entity", "identifier")

    def check(self, value: str) -> bool:
        return any(c.isalpha() for c in value) and checksums.iso7064_mod97_valid(value)


class CardNumberRecognizer(RegexRecognizer):
    """Card numbers of the major networks, 13 to 19 digits, Luhn-checked."""

    ENTITY = "CREDIT_CARD"
    RULES = (
        ("card", r"(?<![\d-])(?P<v>(?:4|5[0-9]|2[2-7]|3[0-9]|6\d|1800|2131)"
                 r"\d{0,3}(?:[ -]?\d{1,4}){2,5})(?![\d-])", 0.9),
    )
    CONTEXT = ("card", "credit", "visa", "mastercard", "amex", "cc", "debit")

    def check(self, value: str) -> bool:
        digits = checksums.compact(value)
        return 12 <= len(digits) <= 19 and checksums.luhn_valid(digits) and len(set(digits)) > 1
