"""Healthcare identifiers: record numbers, provider numbers, plan IDs, birth dates and ages."""

from __future__ import annotations

import regex

from app.privacy import checksums
from app.privacy.recognizers.base import RegexRecognizer

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
        rf"{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|"
        rf"\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}})")


class MedicalRecordNumberRecognizer(RegexRecognizer):
    ENTITY = "MEDICAL_RECORD_NUMBER"
    RULES = (
        ("mrn-anchored", r"\b(?:MRN|med(?:ical)? rec(?:ord)?s?(?: number| no\.?| #)?|"
                         r"chart(?: number| no\.?| #)|patient(?: id| number| no\.?| #))"
                         r"\s*[:#]?\s*(?P<v>[A-Z]{0,3}[- ]?\d{4,12}(?:-\d{1,4})?)\b", 0.9),
    )
    CONTEXT = ("mrn", "medical", "record", "chart", "patient")


class NpiRecognizer(RegexRecognizer):
    """National Provider Identifier: ten digits, Luhn over the 80840 prefix."""

    ENTITY = "NPI"
    RULES = (
        ("npi", r"(?<![\d-])(?P<v>[12]\d{9})(?![\d-])", 0.3),
        ("npi-anchored", r"\bNPI(?: number| no\.?| #)?\s*[:#]?\s*(?P<v>[12]\d{9})\b", 0.95),
    )
    CONTEXT = ("npi", "provider", "national provider", "prescriber", "physician")

    def check(self, value: str) -> bool:
        return checksums.npi_valid(value)


class DeaNumberRecognizer(RegexRecognizer):
    ENTITY = "DEA_NUMBER"
    FLAGS = regex.MULTILINE
    RULES = (("dea", r"\b(?P<v>[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7})\b", 0.7),)
    CONTEXT = ("dea", "registration", "prescriber", "controlled")

    def check(self, value: str) -> bool:
        return checksums.dea_valid(value)


class MedicareMbiRecognizer(RegexRecognizer):
    ENTITY = "MEDICARE_MBI"
    FLAGS = regex.MULTILINE
    RULES = (
        ("mbi", r"\b(?P<v>[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2})\b", 0.75),
    )
    CONTEXT = ("medicare", "mbi", "beneficiary", "hicn")

    def check(self, value: str) -> bool:
        return checksums.mbi_valid(value)


class HealthPlanIdRecognizer(RegexRecognizer):
    """Member, subscriber, policy and group numbers only exist next to their label."""

    ENTITY = "HEALTH_PLAN_ID"
    RULES = (
        ("plan-anchored", r"\b(?:member|subscriber|policy|group|plan|insurance|beneficiary)"
                          r"(?: id| number| no\.?| #)\s*[:#]?\s*"
                          r"(?P<v>(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{4,19})\b", 0.85),
    )
    CONTEXT = ("member", "subscriber", "policy", "plan", "insurance")


class DateOfBirthRecognizer(RegexRecognizer):
    ENTITY = "DATE_OF_BIRTH"
    RULES = (
        ("dob-anchored", rf"\b(?:DOB|D\.O\.B\.?|date of birth|birth ?date|birthday|born(?: on)?)"
                         rf"\s*[:\-]?\s*(?P<v>{DATE})", 0.95),
    )
    CONTEXT = ("dob", "birth", "born", "birthday")


class TimestampRecognizer(RegexRecognizer):
    """A date with its clock time ("2018-01-14 03:07:43"): the whole stamp points at a moment
    in someone's life, not only its date part."""

    ENTITY = "DATE_TIME"
    RULES = (
        ("timestamp", r"(?<![\d-])(?P<v>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[ T]\d{1,2}:\d{2}"
                      r"(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)(?![\d:])", 0.9),
    )
    CONTEXT = ("date", "time", "when", "at", "on")

    def check(self, value: str) -> bool:
        month, day, hour = int(value[5:7]), int(value[8:10]), int(value[11:13].rstrip(":"))
        return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23


class AgeRecognizer(RegexRecognizer):
    """Ages stated as ages. Safe Harbor requires those over 89; we find all of them."""

    ENTITY = "AGE"
    RULES = (
        ("age-years-old", r"\b(?P<v>\d{1,3})[- ](?:years?|yrs?)[- ]old\b", 0.85),
        ("age-yo", r"\b(?P<v>\d{1,3}) ?(?:yo|y/o|y\.o\.)(?!\w)", 0.8),
        ("age-label", r"\b(?:age|aged)\s*[:=]?\s*(?P<v>\d{1,3})\b(?![.,]\d)", 0.8),
        ("age-at", r"\b(?:at|is|was) (?:the )?age (?:of )?(?P<v>\d{1,3})\b", 0.85),
        ("age-turned", r"\bturn(?:ed|s|ing)? (?P<v>\d{1,3})\b(?!\s*(?:%|percent|times|[-/.:]\d))",
         0.6),
    )
    CONTEXT = ("age", "old", "aged", "years")

    def check(self, value: str) -> bool:
        return 0 < int(value) <= 125


class VehicleIdRecognizer(RegexRecognizer):
    """VINs (check digit in position 9) and labelled licence plates."""

    ENTITY = "VEHICLE_ID"
    RULES = (
        ("vin", r"\b(?P<v>[A-HJ-NPR-Z0-9]{17})\b", 0.8),
        ("vin-anchored", r"\bVIN(?: number| no\.?| #)?\s*[:#]?\s*(?P<v>[A-HJ-NPR-Z0-9]{17})\b",
         0.9),
        ("plate-anchored", r"\b(?:licen[cs]e plate|plate(?: number| no\.?| #)|registration plate)"
                           r"\s*[:#]?\s*(?P<v>[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9])\b", 0.8),
    )
    CONTEXT = ("vin", "vehicle", "plate", "car")

    def check(self, value: str) -> bool:
        compacted = checksums.compact(value)
        if len(compacted) != 17:
            return any(c.isdigit() for c in compacted)
        return sum(c.isdigit() for c in compacted) >= 3 and len(set(compacted)) > 3 \
            and checksums.vin_valid(compacted)


class DeviceIdRecognizer(RegexRecognizer):
    """Serial numbers, UDIs and IMEIs next to their label, and MAC addresses."""

    ENTITY = "DEVICE_ID"
    RULES = (
        ("serial-anchored", r"\b(?:serial(?: number| no\.?| #)?|S/N|SN|device(?: id| number)|UDI|"
                            r"IMEI|MEID|implant(?: id| serial))\s*[:#]?\s*"
                            r"(?P<v>(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9()/.-]{4,39})", 0.85),
        ("mac", r"\b(?P<v>(?:[0-9A-F]{2}[:-]){5}[0-9A-F]{2})\b", 0.7),
    )
    CONTEXT = ("serial", "device", "imei", "udi", "mac", "implant")

    def check(self, value: str) -> bool:
        return not value.endswith((".", "-", "/"))
