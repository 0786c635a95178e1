"""What an obligation is, and the lookups every obligation shares.

Each obligation carries its basis: the law, the council's own policy, or recommended practice.
The pages group obligations under those three headings; the specification states what each
requires of the supplier without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from app import timeutil
from app.inputs import format_pounds
from app.scoring.reference_data import (
    YES,
    NoValueInForce,
    ReferenceData,
    ReferenceEntry,
    reference_key,
)


class Basis(StrEnum):
    """Why an obligation binds: an Act of Parliament, the council's policy, or good practice."""

    LAW = "law"
    POLICY = "council-policy"
    PRACTICE = "practice"

    @property
    def label(self) -> str:
        """The basis for people, as the pages' headings read."""
        return BASIS_LABELS[self]


BASIS_LABELS = {
    Basis.LAW: "Law",
    Basis.POLICY: "Council policy",
    Basis.PRACTICE: "Recommended practice",
}


# Every source an obligation cites, by its address: link text names the document.
SOURCE_NAMES = {
    "https://www.legislation.gov.uk/ukpga/2023/54/section/52":
        "Procurement Act 2023, section 52",
    "https://www.legislation.gov.uk/ukpga/2023/54/section/68":
        "Procurement Act 2023, section 68",
    "https://www.legislation.gov.uk/ukpga/2023/54/section/73":
        "Procurement Act 2023, section 73",
    "https://www.legislation.gov.uk/ukpga/2023/54/section/88":
        "Procurement Act 2023, section 88",
    "https://www.legislation.gov.uk/ukpga/2023/54": "Procurement Act 2023",
    "https://www.legislation.gov.uk/ukpga/2012/3/section/1":
        "Public Services (Social Value) Act 2012, section 1",
    "https://www.legislation.gov.uk/ukpga/2015/30/section/54":
        "Modern Slavery Act 2015, section 54",
    "https://www.livingwage.org.uk/what-real-living-wage":
        "Living Wage Foundation: what is the real Living Wage",
    "https://www.gov.uk/government/publications/ppn-009-tackling-modern-slavery-in-government-"
    "supply-chains": "PPN 009: tackling modern slavery in government supply chains",
    "https://www.gov.uk/government/publications/ppn-006-taking-account-of-carbon-reduction-"
    "plans-in-the-procurement-of-major-government-contracts":
        "PPN 006: taking account of carbon reduction plans",
    "https://www.gov.uk/government/publications/ppn-002-taking-account-of-social-value-in-"
    "the-award-of-contracts": "PPN 002: taking account of social value in the award of "
    "contracts",
    "https://hackney.gov.uk/procurement-strategy":
        "Hackney Council's Sustainable Procurement Strategy",
    "https://supplierregistration.cabinetoffice.gov.uk/msat": "Modern Slavery Assessment Tool",
}  # fmt: skip


def source_name(url: str) -> str:
    """A source's name: from SOURCE_NAMES, or else the site it is on ("gov.uk")."""
    if url in SOURCE_NAMES:
        return SOURCE_NAMES[url]
    host = url.split("//", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Obligation:
    """One duty: whether it applies to this procurement, the reason in words, and its source.

    `confirmed` is False when it rests on answers not given yet (or "Not known yet"): it is
    then treated as applying, the cautious reading, until the answers say otherwise.
    `adopted` is False for council policy the council has recorded it does not follow.
    """

    code: str
    title: str
    applies: bool
    reason: str
    source: str
    threshold: ReferenceEntry | None = None
    action: str = ""  # what the buyer must do when it applies
    supplier: str = ""  # what the contract's specification must require of the supplier
    confirmed: bool = True
    facts: tuple[tuple[str, str], ...] = ()  # figures behind it, such as the rate in force
    adopted: bool = True
    basis: Basis = field(kw_only=True)

    @property
    def source_name(self) -> str:
        """The source named as people know it, for link text (never a cut-off address)."""
        return source_name(self.source)

    @property
    def status(self) -> str:
        """Applies; applies until answers show otherwise; does not apply (because it is not
        council policy); or cannot be decided (a figure it needs is not recorded)."""
        if not self.adopted:
            return "Does not apply: not council policy"
        if not self.applies:
            return "Does not apply" if self.confirmed else "Cannot be decided yet"
        return "Applies" if self.confirmed else "Applies unless your answers show otherwise"


@dataclass(frozen=True)
class Weighting:
    """The recommended minimum social value weighting, in basis points, and how it was built."""

    basis_points: int | None
    steps: tuple[tuple[int, str], ...]

    @property
    def percent(self) -> str:
        """'15%' or '12.5%', or 'None' below the PRIMAS threshold or without the policy."""
        if self.basis_points is None:
            return "None"
        return percent(self.basis_points)


@dataclass(frozen=True)
class Obligations:
    """Every obligation, the weighting, the modern slavery level and what blocks submission."""

    obligations: tuple[Obligation, ...]
    weighting: Weighting
    modern_slavery_level: str
    blockers: tuple[str, ...]
    # Where the lead acts on a blocker: the question, and the error it shows until then.
    blocked_questions: tuple[tuple[str, str], ...] = ()


# Amounts, dates and percentages recur from one assessment to the next: each is written out
# once (these are pure functions of immutable values).
pounds = lru_cache(maxsize=1024, typed=True)(format_pounds)
long_date = lru_cache(maxsize=256, typed=True)(timeutil.long_date)


@lru_cache(maxsize=256, typed=True)
def percent(basis_points: int) -> str:
    """Basis points as a percentage: 1000 -> '10%', 1250 -> '12.5%'."""
    value = Decimal(basis_points) / 100
    return f"{value.normalize():f}%"


def missing(key: str, on: date | None) -> str:
    """Why an obligation cannot be decided: no value of `key` is recorded for the date."""
    when = f"on {long_date(on)}" if on else "without a planned tender date"
    return (
        f'No value of "{reference_key(key).label}" is recorded as in force {when}, so this '
        "cannot be decided. An administrator can add the value under reference data."
    )


def in_force(reference: ReferenceData, on: date | None, *keys: str) -> list[ReferenceEntry] | str:
    """The values of `keys` in force on `on`; or, when there is no date or one of them has no
    value in force, the reason the obligation cannot be decided."""
    if on is None:
        return missing(keys[0], None)
    try:
        return [reference.in_force(key, on) for key in keys]
    except NoValueInForce as lacking:
        return missing(lacking.key, on)


def not_policy(decision: ReferenceEntry, what: str) -> str:
    """The reason an obligation does not apply: the council recorded it is not its policy."""
    recorded = f" ({decision.note})" if decision.note else ""
    return (
        f"{what} is not council policy from {long_date(decision.effective_from)}{recorded}, "
        "so it does not apply."
    )


def adopted(decision: ReferenceEntry) -> bool:
    """Whether a yes/no policy decision says yes."""
    return decision.amount == YES
