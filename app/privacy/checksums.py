"""Check digits of the identifiers we recognise. Pure functions on strings; no Presidio here."""

from __future__ import annotations

import re

from app.privacy.wordlists import words

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def compact(value: str) -> str:
    """The identifier without spaces, dashes, dots or slashes, upper-cased."""
    return _NON_ALNUM.sub("", value).upper()


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def aba_routing_valid(digits: str) -> bool:
    """ABA routing number: weights 3, 7, 1 and a valid Federal Reserve prefix."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    prefix = int(digits[:2])
    if not (0 <= prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def _letters_to_digits(value: str) -> str:
    return "".join(str(int(char, 36)) for char in value)


def iso7064_mod97_valid(value: str) -> bool:
    """ISO 7064 MOD 97-10, the check of LEIs (letters count as 10..35)."""
    if not value.isalnum():
        return False
    return int(_letters_to_digits(value)) % 97 == 1


def iban_valid(value: str) -> bool:
    value = compact(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", value):
        return False
    return iso7064_mod97_valid(value[4:] + value[:4])


def isin_valid(value: str) -> bool:
    value = compact(value)
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}\d", value):
        return False
    return luhn_valid(_letters_to_digits(value))


def cusip_valid(value: str) -> bool:
    value = compact(value)
    if not re.fullmatch(r"[0-9A-Z*@#]{8}\d", value):
        return False
    total = 0
    for index, char in enumerate(value[:8]):
        number = int(char, 36) if char.isalnum() else 36 + "*@#".index(char)
        if index % 2 == 1:
            number *= 2
        total += number // 10 + number % 10
    return (10 - total % 10) % 10 == int(value[8])


def npi_valid(digits: str) -> bool:
    """NPI: Luhn over the number prefixed with 80840 (the US health industry prefix)."""
    return len(digits) == 10 and digits[0] in "12" and luhn_valid("80840" + digits)


def dea_valid(value: str) -> bool:
    """DEA registration: two letters, six digits and a check digit."""
    value = compact(value)
    if not re.fullmatch(r"[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}", value):
        return False
    d = [int(c) for c in value[2:]]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return check == d[6]


_VIN_VALUES = {**{str(n): n for n in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
               **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_valid(value: str) -> bool:
    """A 17-character VIN with the North American check digit in position 9."""
    value = compact(value)
    if len(value) != 17 or any(c not in _VIN_VALUES for c in value):
        return False
    total = sum(_VIN_VALUES[c] * w for c, w in zip(value, _VIN_WEIGHTS, strict=True))
    expected = "X" if total % 11 == 10 else str(total % 11)
    return value[8] == expected


def ssn_plausible(digits: str) -> bool:
    """SSA rules: no 000/666/9xx area, no 00 group, no 0000 serial, no single repeated digit."""
    if len(digits) != 9 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("123456789", "078051120", "219099999")


def itin_plausible(digits: str) -> bool:
    """ITIN: starts with 9, group 50-65, 70-88, 90-92 or 94-99."""
    if len(digits) != 9 or not digits.isdigit() or digits[0] != "9":
        return False
    group = int(digits[3:5])
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


_EIN_PREFIXES = words(
    "01 02 03 04 05 06 10 11 12 13 14 15 16 20 21 22 23 24 25 26 27 30 31 32 33 34 35 36 37 38 "
    "39 40 41 42 43 44 45 46 47 48 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 71 "
    "72 73 74 75 76 77 80 81 82 83 84 85 86 87 88 90 91 92 93 94 95 98 99 "
)


def ein_plausible(digits: str) -> bool:
    """EIN: nine digits whose two-digit prefix the IRS assigns."""
    return len(digits) == 9 and digits.isdigit() and digits[:2] in _EIN_PREFIXES


def mbi_valid(value: str) -> bool:
    """Medicare Beneficiary Identifier: 11 characters in CMS's fixed letter/digit layout."""
    letters = "AC-HJKMNP-RT-Y"
    alpha = f"[{letters}]"
    alnum = f"[0-9{letters}]"
    pattern = f"[1-9]{alpha}{alnum}[0-9]{alpha}{alnum}[0-9]{alpha}{alpha}[0-9][0-9]"
    return re.fullmatch(pattern, compact(value)) is not None


ISO_COUNTRIES = words(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW "
)
