"""The recognizers Enclave runs, chosen in one place. No recognizers for countries out of scope."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerRegistry
from presidio_analyzer.predefined_recognizers import DateRecognizer

from app.privacy.recognizers import (
    contact,
    finance,
    health,
    identity,
    labelled,
    location,
    ner,
    people,
)
from app.privacy.recognizers.base import RegexRecognizer

RECOGNIZER_CLASSES: tuple[type[RegexRecognizer], ...] = (
    finance.SsnRecognizer, finance.ItinRecognizer, finance.EinRecognizer,
    finance.RoutingNumberRecognizer, finance.BankAccountRecognizer, finance.SwiftBicRecognizer,
    finance.IbanCheckedRecognizer, finance.IsinRecognizer, finance.CusipRecognizer,
    finance.LeiRecognizer, finance.CardNumberRecognizer,
    health.MedicalRecordNumberRecognizer, health.NpiRecognizer, health.DeaNumberRecognizer,
    health.MedicareMbiRecognizer, health.HealthPlanIdRecognizer,
    health.DateOfBirthRecognizer, health.TimestampRecognizer, health.AgeRecognizer,
    health.VehicleIdRecognizer, health.DeviceIdRecognizer, identity.LicenseNumberRecognizer,
    contact.EmailAddressRecognizer, contact.WebAddressRecognizer, contact.IpAddressRecognizer,
    contact.PhoneFaxRecognizer, location.StreetAddressRecognizer, location.ZipCodeRecognizer,
    location.PlaceCueRecognizer,
    people.IntroducedNameRecognizer,
)


def build_recognizers() -> list[EntityRecognizer]:
    recognizers: list[EntityRecognizer] = [cls() for cls in RECOGNIZER_CLASSES]
    recognizers.append(labelled.LabelledIdentifierRecognizer())
    recognizers.append(ner.FilteredSpacyRecognizer(
        supported_entities=["PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"]))
    recognizers.append(DateRecognizer())
    return recognizers


def build_registry() -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in build_recognizers():
        registry.add_recognizer(recognizer)
    return registry


def supported_entities() -> list[str]:
    return sorted({entity for r in build_recognizers() for entity in r.supported_entities})
