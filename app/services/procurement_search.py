"""Finding procurements: search and filters that live in the URL, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    column,
    false,
    intersect,
    literal_column,
    table,
    text,
    union,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import Category, Directorate, Procurement, ProcurementCollaborator, User
from app.textsearch import search_words

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

    q: str = ""  # words (or their starts) in the title or description, or the reference's parts
    status: str = "active"  # one of STATUSES
    category: str = ""  # a category's code
    directorate: str = ""  # a directorate's code
    lead: int | None = None  # the lead officer's user id
    band: str = ""  # one of VALUE_BANDS' codes
    mine: bool = False  # only those the user leads or works on

    def __post_init__(self) -> None:
        # Each face reads its own input into these (the pages ignore what they do not know);
        # the status also goes into the SQLite text index's query, so only known words may.
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.band and self.band not in {band.code for band in VALUE_BANDS}:
            raise ValueError(f"unknown value band {self.band!r}")


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


# The databases' own text search indexes (migration 0017): SQLite's FTS5 table, and
# PostgreSQL's narrow table with a GIN index on its tsvector.
FTS = table("procurement_fts", column("rowid"))
SEARCH = table("procurement_search", column("id"), column("status"),
               column("search_vector", TSVECTOR()))  # fmt: skip
Ids = SelectOfScalar[int]  # a query of procurement ids, one column named `id`


def _matching_ids(wanted: ProcurementFilter, words: list[str], dialect: str) -> Ids:
    """The ids of procurements whose search text has every one of `words` (each as a whole word
    or the start of one) and of the status wanted, found through the database's own text search
    index, as one column `id`."""
    if dialect == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)  # words are letters and digits only
        found = SEARCH.c.search_vector.op("@@")(func.to_tsquery(literal_column("'simple'"), query))
        status = [] if wanted.status == "any" else [SEARCH.c.status == wanted.status]
        return select(SEARCH.c.id.label("id")).where(found, *status)
    # SQLite: the status is a column of the index too, so the words and the status are found,
    # counted and paged (rowid order) without reading the procurement table.
    match = " AND ".join(f'search_text : "{word}"*' for word in words)
    if wanted.status != "any":
        match += f' AND status : "{wanted.status}"'  # one of STATUSES
    return select(FTS.c.rowid.label("id")).where(
        text("procurement_fts MATCH :match").bindparams(match=match)
    )


def _status(wanted: ProcurementFilter) -> list[ColumnElement[bool]]:
    return [] if wanted.status == "any" else [col(Procurement.status) == wanted.status]


def _narrowing(wanted: ProcurementFilter, me: User) -> list[ColumnElement[bool]]:
    """Conditions on the procurement for every filter but the search and the status."""
    conditions: list[ColumnElement[bool]] = []
    if wanted.category:
        code = select(Category.id).where(col(Category.code) == wanted.category)
        conditions.append(col(Procurement.category_id) == code.scalar_subquery())
    if wanted.directorate:
        code = select(Directorate.id).where(col(Directorate.code) == wanted.directorate)
        conditions.append(col(Procurement.directorate_id) == code.scalar_subquery())
    if wanted.lead is not None:
        conditions.append(col(Procurement.lead_officer_id) == wanted.lead)
    band = next((b for b in VALUE_BANDS if b.code == wanted.band), None)
    if band is not None:
        conditions.append(col(Procurement.value_pence) >= band.from_pence)
        if band.below_pence is not None:
            conditions.append(col(Procurement.value_pence) < band.below_pence)
    if wanted.mine:  # a few ids from two indexes, not a question asked of every row
        leading = select(Procurement.id).where(col(Procurement.lead_officer_id) == me.id)
        helping = select(ProcurementCollaborator.procurement_id).where(
            col(ProcurementCollaborator.user_id) == me.id
        )
        conditions.append(col(Procurement.id).in_(union(leading, helping)))
    return conditions


@dataclass(frozen=True)
class _Wanted:
    """The ids a filter wants, as one column `id`; the column to order them by; and whether to
    count and page them in one pass (a search that is not answered by SQLite's index alone)."""

    ids: Ids
    order: Any
    one_pass: bool = False


def _wanted_ids(wanted: ProcurementFilter, me: User, dialect: str) -> _Wanted:
    narrowing = _narrowing(wanted, me)
    words = search_words(wanted.q)
    if wanted.q and not words:  # only punctuation: no words, so nothing (never everything)
        return _Wanted(select(col(Procurement.id).label("id")).where(false()), col(Procurement.id))
    if not words:
        listed: Ids = select(col(Procurement.id).label("id")).where(*_status(wanted), *narrowing)
        return _Wanted(listed, col(Procurement.id))
    found = _matching_ids(wanted, words, dialect)
    if dialect == "postgresql":
        # The text search's matches first, all of them, then the other filters among them.
        # Left to itself, PostgreSQL may instead walk the newest-first index testing each row
        # against the search (for a rare word, the whole table), or join the matches to the
        # other filters row by row; each set is found on its own index and then intersected.
        if narrowing:
            narrowed: Ids = select(col(Procurement.id).label("id")).where(*narrowing)
            found = intersect(found, narrowed)  # type: ignore[assignment]
        matches = found.cte("matches").prefix_with("MATERIALIZED")
        return _Wanted(select(matches.c.id), matches.c.id, one_pass=True)
    if not narrowing:  # SQLite counts and pages a search alone in its index
        return _Wanted(found, FTS.c.rowid)
    # The index's matches are read once, and the rows the other filters narrow to (through
    # their own index, in order) are looked up in them. Joined instead, SQLite may run the
    # text search again for each of those rows (seconds at 100,000 procurements).
    among: Ids = select(col(Procurement.id).label("id")).where(col(Procurement.id).in_(found))
    return _Wanted(among.where(*narrowing), col(Procurement.id), one_pass=True)


def _page_and_total(session: Session, ids: Ids, page: int) -> tuple[list[int], int | None]:
    """A page of ids and how many there are in all (None when the page is past the end)."""
    wanted = ids.subquery()
    numbered = select(wanted.c.id, func.count().over().label("total"))
    found = session.exec(
        numbered.order_by(wanted.c.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return [row[0] for row in found], (found[0][1] if found else None)


def search_procurements(
    session: Session, wanted: ProcurementFilter, me: User, *, page: int = 1
) -> ProcurementPage:
    """Procurements matching the filter, newest first (the order they were recorded: ids only
    grow, so this is `created_at`'s order too, and the order every index of the list ends in),
    a page at a time. The matching ids are counted and paged on indexes alone (the text search
    index, or an index of the procurement table for each filter: migration 0017); only the
    page's rows are then read and joined to their names."""
    found = _wanted_ids(wanted, me, session.get_bind().dialect.name)
    ids, order = found.ids, found.order
    if found.one_pass:  # one pass over the search's matches gives the page and their number
        on_page, total = _page_and_total(session, ids, page)
        if total is None:  # past the end, or nothing matches
            total = session.exec(select(func.count()).select_from(ids.subquery())).one()
            page = max(1, -(-total // PER_PAGE))
            on_page, _ = _page_and_total(session, ids, page) if total else ([], 0)
    else:
        total = session.exec(select(func.count()).select_from(ids.subquery())).one()
        page = min(page, max(1, -(-total // PER_PAGE)))  # past the end: the last page
        on_page = list(session.exec(
            ids.order_by(order.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        ).all())  # fmt: skip
    assert total is not None
    results = session.exec(
        select(Procurement, Category.name, Directorate.name, User.name)
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .join(Directorate, col(Directorate.id) == col(Procurement.directorate_id))
        .join(User, col(User.id) == col(Procurement.lead_officer_id))
        .where(col(Procurement.id).in_(on_page))
        .order_by(col(Procurement.id).desc())
    ).all()
    rows = [
        ProcurementRow(p, category, directorate, lead) for p, category, directorate, lead in results
    ]
    return ProcurementPage(rows=rows, total=total, page=page)
