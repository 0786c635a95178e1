"""Reference data with effective dates: which value of a setting is in force on a given day.

Thresholds, rates and policy settings change over time (a new London Living Wage every autumn,
new procurement thresholds every two years). Each value is stored with the date it takes effect,
and a question is always asked for a date: "the PRIMAS threshold in force on the planned tender
date". This module is pure: the service layer loads the values and hands them over.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Unit(StrEnum):
    """How a reference value's integer amount is read."""

    PENCE = "pence"
    BASIS_POINTS = "basis_points"  # hundredths of a percent: 1000 is 10%
    COUNT = "count"


@dataclass(frozen=True)
class ReferenceKey:
    """A named setting that has values over time."""

    code: str
    label: str
    unit: Unit
    description: str


REFERENCE_KEYS: Mapping[str, ReferenceKey] = {
    key.code: key
    for key in (
        ReferenceKey(
            code="primas_threshold",
            label="PRIMAS threshold",
            unit=Unit.PENCE,
            description=(
                "A full PRIMAS is required for procurements whose estimated whole-life value, "
                "including VAT and extensions, is at or above this amount. Below it, buyers "
                "Think Local."
            ),
        ),
    )
}


class UnknownReferenceKey(KeyError):
    """A reference key that is not in the catalogue."""


class NoValueInForce(LookupError):
    """No value of the key takes effect on or before the date asked about."""

    def __init__(self, key: str, on: date) -> None:
        super().__init__(f"no value of {key} is in force on {on.isoformat()}")
        self.key = key
        self.on = on


@dataclass(frozen=True)
class ReferenceEntry:
    """One value of a key, in force from its effective date until the next value's."""

    key: str
    effective_from: date
    amount: int
    source: str = ""
    note: str = ""

    @property
    def unit(self) -> Unit:
        """The unit of the amount, from the key catalogue."""
        return reference_key(self.key).unit


def reference_key(code: str) -> ReferenceKey:
    """The catalogue entry for a key, or UnknownReferenceKey."""
    try:
        return REFERENCE_KEYS[code]
    except KeyError:
        raise UnknownReferenceKey(code) from None


@dataclass(frozen=True)
class ReferenceData:
    """An immutable snapshot of every reference value, for pure code to ask questions of."""

    entries: tuple[ReferenceEntry, ...] = ()
    _by_key: dict[str, list[ReferenceEntry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, list[ReferenceEntry]] = {}
        for entry in sorted(self.entries, key=lambda e: (e.key, e.effective_from)):
            reference_key(entry.key)
            by_key.setdefault(entry.key, []).append(entry)
        object.__setattr__(self, "_by_key", by_key)

    def history(self, key: str) -> list[ReferenceEntry]:
        """Every value of the key, oldest first."""
        reference_key(key)
        return list(self._by_key.get(key, []))

    def in_force(self, key: str, on: date) -> ReferenceEntry:
        """The value of `key` in force on `on`; NoValueInForce before its first value."""
        history = self.history(key)
        position = bisect.bisect_right([entry.effective_from for entry in history], on)
        if position == 0:
            raise NoValueInForce(key, on)
        return history[position - 1]
