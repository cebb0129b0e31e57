"""Prescriber identifiers: NPI (Luhn with the 80840 prefix) and DEA registration numbers."""

from __future__ import annotations

import random

NPI_PREFIX = "80840"
# DEA registrant types a prescriber can hold: A/B/F/G practitioners and hospitals,
# M mid-level practitioners (NP, PA).
DEA_PRACTITIONER_TYPES = "ABFG"
DEA_MIDLEVEL_TYPE = "M"


def luhn_check_digit(digits: str) -> int:
    """Check digit that makes `digits + check` pass the Luhn test."""
    total = 0
    # Double every second digit counting from the right of the final number,
    # i.e. starting with the rightmost digit of `digits`.
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])


def make_npi(rng: random.Random) -> str:
    """A 10-digit NPI: first digit 1 or 2, check digit by Luhn over 80840 + first nine."""
    base = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(8))
    return base + str(luhn_check_digit(NPI_PREFIX + base))


def npi_valid(npi: str) -> bool:
    return len(npi) == 10 and npi[0] in "12" and luhn_valid(NPI_PREFIX + npi)


def dea_check_digit(six: str) -> int:
    d = [int(c) for c in six]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10


def make_dea(rng: random.Random, last_name: str, midlevel: bool) -> str:
    """Registrant-type letter, the first letter of the prescriber's last name,
    six digits and a check digit."""
    kind = DEA_MIDLEVEL_TYPE if midlevel else rng.choice(DEA_PRACTITIONER_TYPES)
    six = "".join(str(rng.randrange(10)) for _ in range(6))
    return kind + last_name[0].upper() + six + str(dea_check_digit(six))


def dea_valid(dea: str, last_name: str | None = None) -> bool:
    if len(dea) != 9 or not dea[:2].isalpha() or not dea[2:].isdigit():
        return False
    if dea[0] not in DEA_PRACTITIONER_TYPES + DEA_MIDLEVEL_TYPE + "CDEHJKLPRSTUX":
        return False
    if last_name is not None and dea[1] != last_name[0].upper():
        return False
    return dea_check_digit(dea[2:8]) == int(dea[8])
