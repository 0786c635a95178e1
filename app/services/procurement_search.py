"""Finding procurements: search and filters that live in the URL, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, exists, func, select

from app.models import Category, Directorate, Procurement, ProcurementCollaborator, User

PER_PAGE = 25


@dataclass(frozen=True)
class ValueBand:
    """A range of whole-life values for the list's filter: from (inclusive) below (exclusive)."""

    code: str
    label: str
    from_pence: int
    below_pence: int | None


VALUE_BANDS = (
    ValueBand("under-100k", "Under £100,000", 0, 10_000_000),
    ValueBand("100k-500k", "£100,000 to £499,999.99", 10_000_000, 50_000_000),
    ValueBand("500k-1m", "£500,000 to £999,999.99", 50_000_000, 100_000_000),
    ValueBand("1m-5m", "£1 million to £4,999,999.99", 100_000_000, 500_000_000),
    ValueBand("5m-plus", "£5 million and above", 500_000_000, None),
)
STATUSES = {"active": "Active", "withdrawn": "Withdrawn", "any": "Active or withdrawn"}


@dataclass(frozen=True)
class ProcurementFilter:
    """What the list is narrowed to ("" or None: not narrowed by that)."""

    q: str = ""  # words in the reference, title or description
    status: str = "active"  # one of STATUSES
    category: str = ""  # a category's code
    directorate: str = ""  # a directorate's code
    lead: int | None = None  # the lead officer's user id
    band: str = ""  # one of VALUE_BANDS' codes
    mine: bool = False  # only those the user leads or works on


@dataclass(frozen=True)
class ProcurementRow:
    """One line of the list."""

    procurement: Procurement
    category: str
    directorate: str
    lead_officer: str


@dataclass(frozen=True)
class ProcurementPage:
    """A page of results and how many match in all."""

    rows: list[ProcurementRow]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _conditions(wanted: ProcurementFilter, me: User) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.q:
        needle = wanted.q.lower()
        conditions.append(
            or_(
                func.lower(Procurement.reference).contains(needle, autoescape=True),
                func.lower(Procurement.title).contains(needle, autoescape=True),
                func.lower(Procurement.description).contains(needle, autoescape=True),
            )
        )
    if wanted.status != "any":
        conditions.append(col(Procurement.status) == wanted.status)
    if wanted.category:
        conditions.append(col(Category.code) == wanted.category)
    if wanted.directorate:
        conditions.append(col(Directorate.code) == wanted.directorate)
    if wanted.lead is not None:
        conditions.append(col(Procurement.lead_officer_id) == wanted.lead)
    band = next((b for b in VALUE_BANDS if b.code == wanted.band), None)
    if band is not None:
        conditions.append(col(Procurement.value_pence) >= band.from_pence)
        if band.below_pence is not None:
            conditions.append(col(Procurement.value_pence) < band.below_pence)
    if wanted.mine:
        collaborating = exists().where(
            and_(
                col(ProcurementCollaborator.procurement_id) == col(Procurement.id),
                col(ProcurementCollaborator.user_id) == me.id,
            )
        )
        conditions.append(or_(col(Procurement.lead_officer_id) == me.id, collaborating))
    return conditions


def search_procurements(
    session: Session, wanted: ProcurementFilter, me: User, *, page: int = 1
) -> ProcurementPage:
    """Procurements matching the filter, newest first."""
    joined = (
        select(Procurement, Category.name, Directorate.name, User.name)
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .join(Directorate, col(Directorate.id) == col(Procurement.directorate_id))
        .join(User, col(User.id) == col(Procurement.lead_officer_id))
        .where(*_conditions(wanted, me))
    )
    total = session.exec(select(func.count()).select_from(joined.subquery())).one()
    page = min(page, max(1, -(-total // PER_PAGE)))  # past the end: the last page
    results = session.exec(
        joined.order_by(col(Procurement.created_at).desc(), col(Procurement.id).desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    rows = [
        ProcurementRow(p, category, directorate, lead) for p, category, directorate, lead in results
    ]
    return ProcurementPage(rows=rows, total=total, page=page)
