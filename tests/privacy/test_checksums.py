from __future__ import annotations

import pytest

from app.privacy import checksums

VALID = [
    (checksums.luhn_valid, "4111111111111111"),
    (checksums.luhn_valid, "378282246310005"),
    (checksums.aba_routing_valid, "021000021"),
    (checksums.aba_routing_valid, "122000661"),
    (checksums.iban_valid, "GB82 WEST 1234 5698 7654 32"),
    (checksums.iban_valid, "DE89370400440532013000"),
    (checksums.isin_valid, "US0378331005"),
    (checksums.cusip_valid, "037833100"),
    (checksums.cusip_valid, "38259P508"),
    (checksums.iso7064_mod97_valid, "5493001KJTIIGC8Y1R12"),
    (checksums.npi_valid, "1234567893"),
    (checksums.dea_valid, "AB1234563"),
    (checksums.vin_valid, "1HGCM82633A004352"),
    (checksums.mbi_valid, "1EG4-TE5-MK73"),
    (checksums.ssn_plausible, "536904399"),
    (checksums.itin_plausible, "912701234"),
    (checksums.ein_plausible, "123456789"),
]

INVALID = [
    (checksums.luhn_valid, "4111111111111112"),
    (checksums.luhn_valid, "12ab"),
    (checksums.aba_routing_valid, "021000022"),
    (checksums.aba_routing_valid, "991000021"),
    (checksums.iban_valid, "GB82 WEST 1234 5698 7654 33"),
    (checksums.iban_valid, "NOTANIBAN"),
    (checksums.isin_valid, "US0378331006"),
    (checksums.cusip_valid, "037833101"),
    (checksums.iso7064_mod97_valid, "5493001KJTIIGC8Y1R13"),
    (checksums.npi_valid, "1234567890"),
    (checksums.npi_valid, "3234567893"),
    (checksums.dea_valid, "AB1234564"),
    (checksums.vin_valid, "1HGCM82633A004353"),
    (checksums.vin_valid, "1HGCM8263IA004352"),
    (checksums.mbi_valid, "1SG4-TE5-MK73"),
    (checksums.ssn_plausible, "000123456"),
    (checksums.ssn_plausible, "666123456"),
    (checksums.ssn_plausible, "123006789"),
    (checksums.ssn_plausible, "123450000"),
    (checksums.ssn_plausible, "912701234"),
    (checksums.ssn_plausible, "111111111"),
    (checksums.itin_plausible, "912401234"),
    (checksums.ein_plausible, "073456789"),
]


@pytest.mark.parametrize(("check", "value"), VALID, ids=lambda v: getattr(v, "__name__", v))
def test_valid_identifiers_pass_their_check(check, value) -> None:
    assert check(value)


@pytest.mark.parametrize(("check", "value"), INVALID, ids=lambda v: getattr(v, "__name__", v))
def test_invalid_identifiers_fail_their_check(check, value) -> None:
    assert not check(value)


def test_compact_drops_separators_and_uppercases() -> None:
    assert checksums.compact("gb82 west-1234.5698/7654 32") == "GB82WEST12345698765432"
