"""Finding procurements: search and filters that live in the URL, one page at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, column, exists, literal, or_, table, text, union
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlmodel import Session, col, func, select

from app.models import (
    OPEN_STATUSES,
    Assessment,
    Category,
    Directorate,
    Procurement,
    ProcurementCollaborator,
    ReferenceValue,
    User,
)
from app.textsearch import search_words

PER_PAGE = 25
SEARCH_LIMIT = 1_000  # a search shows at most the newest this many matches


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
# Where each procurement's PRIMAS has got to (docs/approval.md), one of these and only one.
PRIMAS_STATUSES = {
    "not-needed": "Not needed: Think Local",
    "not-started": "Not started",
    "draft": "Draft",
    "submitted": "Submitted",
    "returned": "Returned",
    "approved": "Approved",
    "amending": "Amendment in progress",
}


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
    primas: str = ""  # one of PRIMAS_STATUSES' codes

    def __post_init__(self) -> None:
        # Each face reads its own input into these (the pages ignore what they do not know);
        # the status also goes into the SQLite text index's query, so only known words may.
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.band and self.band not in {band.code for band in VALUE_BANDS}:
            raise ValueError(f"unknown value band {self.band!r}")
        if self.primas and self.primas not in PRIMAS_STATUSES:
            raise ValueError(f"unknown PRIMAS status {self.primas!r}")


@dataclass(frozen=True)
class ProcurementRow:
    """One line of the list."""

    procurement: Procurement
    category: str
    directorate: str
    lead_officer: str
    primas: str = ""  # one of PRIMAS_STATUSES' codes


@dataclass(frozen=True)
class ProcurementPage:
    """A page of results and how many match in all."""

    rows: list[ProcurementRow]
    total: int  # how many match, or for a search with more than SEARCH_LIMIT, SEARCH_LIMIT
    page: int
    per_page: int = PER_PAGE
    more: bool = False  # a search that matches more than it shows (the newest SEARCH_LIMIT)

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


# The databases' own text search indexes (migrations 0017 and 0018): SQLite's FTS5 table, and
# PostgreSQL's narrow table with a GIN index, each holding every procurement's words and facets.
FTS = table("procurement_fts", column("rowid"))
SEARCH = table("procurement_search", column("id"), column("status"),
               column("search_vector", TSVECTOR()), column("facets", TSVECTOR()))  # fmt: skip


def _facets(session: Session, wanted: ProcurementFilter, me: User) -> list[str] | None:
    """The facets (migration 0018's tokens) a procurement must have for every filter but the
    status; None when a filter names a category or directorate there is not (nothing matches)."""
    facets = []
    for prefix, model, code in (("c", Category, wanted.category),
                                ("d", Directorate, wanted.directorate)):  # fmt: skip
        if code:
            found = session.exec(select(model.id).where(col(model.code) == code)).first()
            if found is None:
                return None
            facets.append(f"{prefix}{found}")
    if wanted.lead is not None:
        facets.append(f"l{wanted.lead}")
    codes = [band.code for band in VALUE_BANDS]
    if wanted.band:
        facets.append(f"b{codes.index(wanted.band) + 1}")
    if wanted.mine:
        facets.append(f"p{me.id}")
    return facets


def _narrowing(wanted: ProcurementFilter, me: User) -> list[ColumnElement[bool]]:
    """Conditions on the procurement for its status and every filter (a list without search
    words, on PostgreSQL, where each filter has its own index)."""
    conditions: list[ColumnElement[bool]] = []
    if wanted.status != "any":
        conditions.append(col(Procurement.status) == wanted.status)
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


def _revisions(*statuses: str) -> ColumnElement[bool]:
    return exists(
        select(Assessment.id).where(
            col(Assessment.procurement_id) == col(Procurement.id),
            col(Assessment.status).in_(statuses),
        )
    )


def primas_condition(code: str) -> ColumnElement[bool]:
    """The procurements whose PRIMAS has got to `code` (PRIMAS_STATUSES), worked out as
    `primas_statuses` works it out, in SQL: needed when the whole-life value reaches the PRIMAS
    threshold in force on the planned tender date."""
    threshold = (
        select(ReferenceValue.amount)
        .where(
            col(ReferenceValue.key) == "primas_threshold",
            col(ReferenceValue.effective_from) <= col(Procurement.planned_tender_date),
        )
        .order_by(col(ReferenceValue.effective_from).desc())
        .limit(1)
        .scalar_subquery()
    )
    opened, approved = _revisions(*OPEN_STATUSES), _revisions("approved")
    # No threshold in force on the tender date: nothing says it needs one (as the procurement's
    # page, which cannot start one then, says).
    below = or_(threshold.is_(None), col(Procurement.value_pence) < threshold)
    conditions = {
        "not-needed": and_(~opened, ~approved, below),
        "not-started": and_(~opened, ~approved, col(Procurement.value_pence) >= threshold),
        "approved": and_(approved, ~opened),
        "amending": and_(approved, opened),
    }
    if code in conditions:
        return conditions[code]
    return and_(_revisions(code), ~approved)


def primas_statuses(session: Session, found: list[Procurement]) -> dict[int, str]:
    """Where each procurement's PRIMAS has got to (PRIMAS_STATUSES), for a page of them."""
    ids = [procurement.id for procurement in found]
    rows = session.exec(
        select(Assessment.procurement_id, Assessment.status).where(
            col(Assessment.procurement_id).in_(ids),
            col(Assessment.status).in_((*OPEN_STATUSES, "approved")),
        )
    ).all()
    held: dict[int, set[str]] = {}
    for procurement_id, status in rows:
        held.setdefault(procurement_id, set()).add(status)
    thresholds = session.exec(
        select(col(ReferenceValue.effective_from), col(ReferenceValue.amount))
        .where(col(ReferenceValue.key) == "primas_threshold")
        .order_by(col(ReferenceValue.effective_from))
    ).all()
    statuses = {}
    for procurement in found:
        assert procurement.id is not None
        states = held.get(procurement.id, set())
        opened = next((s for s in OPEN_STATUSES if s in states), None)
        if "approved" in states:
            statuses[procurement.id] = "amending" if opened else "approved"
        elif opened:
            statuses[procurement.id] = opened
        else:
            in_force = [amount for day, amount in thresholds
                        if day <= procurement.planned_tender_date]  # fmt: skip
            needed = bool(in_force) and procurement.value_pence >= in_force[-1]
            statuses[procurement.id] = "not-started" if needed else "not-needed"
    return statuses


@dataclass(frozen=True)
class _Found:
    """A query of the ids a list shows (one column `id`) and the column that orders them."""

    ids: Any
    order: Any

    def count(self, most: int | None) -> Any:
        """How many ids there are, counting at most `most` (None: all)."""
        return select(func.count()).select_from(self.ids.limit(most).subquery())

    def page(self, offset: int, length: int, total: int | None) -> Any:
        """The ids of a page (newest first) that starts `offset` ids in. Given how many there
        are in all, a page past the middle is read from the oldest end, so that the last page
        skips no more than the first."""
        if total is None or offset + length // 2 <= total // 2:
            return self.ids.order_by(self.order.desc()).offset(offset).limit(length)
        from_oldest = self.ids.order_by(self.order.asc())
        return from_oldest.offset(max(0, total - offset - length)).limit(
            min(length, total - offset)
        )


def _in_sqlite_index(wanted: ProcurementFilter, words: list[str], facets: list[str]) -> _Found:
    """Words, status and facets, all found in SQLite's FTS5 index: it intersects its lists of
    entries, counts them and pages them newest first (rowid order) without reading a row."""
    terms = [f'search_text : "{word}"*' for word in words]  # letters and digits only
    if wanted.status != "any":
        facets = [f"s{wanted.status}", *facets]  # one of STATUSES
    terms += [f'facets : "{facet}"' for facet in facets]  # letters and digits only
    match = text("procurement_fts MATCH :match").bindparams(match=" AND ".join(terms))
    return _Found(select(FTS.c.rowid.label("id")).where(match), FTS.c.rowid)


WORDS = table("procurement_word", column("word"))
TALLY = table("procurement_tally", column("status"), column("procurements"))
MOST_WHOLE_WORDS = 32  # a word's start that begins more is asked of the index as a start


def _whole_words(session: Session, start: str) -> str | None:
    """A tsquery for the words the index holds that begin with `start` (letters and digits):
    each whole word, when there are few (the GIN index finds whole words by skipping through
    their entries, but a word's start by gathering every entry of every word it begins), else
    the start itself; None when no word begins with it."""
    last = ord(start[-1]) + 1
    if 0xD800 <= last <= 0xDFFF or last > 0x10FFFF:
        return f"'{start}':*"
    beyond = start[:-1] + chr(last)  # the first string, byte by byte, not beginning with it
    found = session.exec(
        select(WORDS.c.word).where(WORDS.c.word >= start, WORDS.c.word < beyond)
        .order_by(WORDS.c.word).limit(MOST_WHOLE_WORDS + 1)
    ).all()  # fmt: skip
    if not found:
        return None
    if len(found) > MOST_WHOLE_WORDS:
        return f"'{start}':*"
    return "(" + " | ".join(f"'{word}'" for word in found) + ")"


def _in_postgres_index(wanted: ProcurementFilter, terms: list[str], facets: list[str]) -> _Found:
    """Words (each a tsquery of `_whole_words`) and facets found in PostgreSQL's GIN index
    (one scan of its two columns); each match's row is then read for its status (as a GIN
    index holds no visibility, every match's row is read anyway)."""
    conditions: list[ColumnElement[bool]] = [
        SEARCH.c.search_vector.op("@@")(cast(literal(" & ".join(terms)), TSQUERY()))
    ]
    if facets:
        query = " & ".join(f"'{facet}'" for facet in facets)
        conditions.append(SEARCH.c.facets.op("@@")(cast(literal(query), TSQUERY())))
    if wanted.status != "any":
        conditions.append(SEARCH.c.status == wanted.status)
    return _Found(select(SEARCH.c.id.label("id")).where(*conditions), SEARCH.c.id)


@contextmanager
def _bitmap_scans_only(session: Session) -> Iterator[None]:
    """For the queries inside, PostgreSQL finds rows through a bitmap of index entries only:
    neither reads the table in order nor walks an index testing each row, either of which it
    may choose to find a few rows soonest and which, for a search matching fewer records than
    it guessed, read the whole table."""
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_indexscan = off"))
    try:
        yield
    finally:
        session.execute(text("RESET enable_seqscan"))
        session.execute(text("RESET enable_indexscan"))


def _postgres_search(
    session: Session, wanted: ProcurementFilter, words: list[str], facets: list[str], page: int
) -> tuple[Sequence[int], int, bool, int]:
    """A search on PostgreSQL: the page's ids, how many to say match, whether there are more,
    and the page number (past the end: the last). Up to SEARCH_LIMIT + 1 matches are found
    through the GIN index (its entries, then only those rows); when that is all of them, they
    are ordered here and the page taken from them, in one pass over the index. When there are
    more, the page is found by walking the newest-first index, which for a common word soon
    finds it (after at most SEARCH_LIMIT matches)."""
    terms = [_whole_words(session, word) for word in words]
    if None in terms:  # a word nothing begins with
        return [], 0, False, 1
    found = _in_postgres_index(wanted, [term for term in terms if term], facets)
    with _bitmap_scans_only(session):
        matches = sorted(session.exec(found.ids.limit(SEARCH_LIMIT + 1)).all(), reverse=True)
    total = min(len(matches), SEARCH_LIMIT)
    page = max(1, min(page, -(-total // PER_PAGE)))
    offset = (page - 1) * PER_PAGE
    if len(matches) <= SEARCH_LIMIT:
        return matches[offset : offset + PER_PAGE], total, False, page
    return session.exec(found.page(offset, PER_PAGE, None)).all(), total, True, page


def _in_table(wanted: ProcurementFilter, me: User) -> _Found:
    """A list without search words on the procurement table's own indexes (migration 0017)."""
    ids: Any = select(col(Procurement.id).label("id")).where(*_narrowing(wanted, me))
    return _Found(ids, col(Procurement.id))


def search_procurements(
    session: Session, wanted: ProcurementFilter, me: User, *, page: int = 1
) -> ProcurementPage:
    """Procurements matching the filter, newest first (the order they were recorded: ids only
    grow, so this is `created_at`'s order too, and the order every index of the list ends in),
    a page at a time. The matching ids are counted and paged on indexes alone (the text search
    index for a search or, on SQLite, any filter; otherwise an index of the procurement table
    for each filter); only the page's rows are then read and joined to their names.

    A search (with words) shows at most the newest SEARCH_LIMIT matches, and says whether there
    were more: counting every match of a common word costs in proportion to the records kept
    (on PostgreSQL each match's row is read), so the count stops there and adding words or
    filters finds older ones. Lists without words are counted in full."""
    words = search_words(wanted.q)
    facets = _facets(session, wanted, me)
    if (wanted.q and not words) or facets is None:  # only punctuation, or an unknown code
        return ProcurementPage(rows=[], total=0, page=1)
    dialect = session.get_bind().dialect.name
    if wanted.primas:  # read from the assessments, not an index: the table's own path
        return _with_primas(session, wanted, me, words, facets, page, dialect)
    if words and dialect == "postgresql":
        on_page, total, more, page = _postgres_search(session, wanted, words, facets, page)
    else:
        if dialect == "sqlite" and (words or facets):
            found = _in_sqlite_index(wanted, words, facets)
        else:
            found = _in_table(wanted, me)
        if words or facets:
            counted = session.exec(found.count(SEARCH_LIMIT + 1 if words else None)).one()
        else:  # every procurement of a status, or of any: as the tally keeps them
            statuses = [] if wanted.status == "any" else [TALLY.c.status == wanted.status]
            tallied = select(func.coalesce(func.sum(TALLY.c.procurements), 0)).where(*statuses)
            counted = int(session.exec(tallied).one())
        total = min(counted, SEARCH_LIMIT) if words else counted
        more = counted > total
        page = max(1, min(page, -(-total // PER_PAGE)))  # past the end: the last page
        on_page = session.exec(
            found.page((page - 1) * PER_PAGE, PER_PAGE, None if more else total)
        ).all()
    return _page_of(session, on_page, total, page, more)


def _page_of(
    session: Session, on_page: Sequence[int], total: int, page: int, more: bool
) -> ProcurementPage:
    """The page's procurements, newest first, with their names and PRIMAS status."""
    results = session.exec(
        select(Procurement, Category.name, Directorate.name, User.name)
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .join(Directorate, col(Directorate.id) == col(Procurement.directorate_id))
        .join(User, col(User.id) == col(Procurement.lead_officer_id))
        .where(col(Procurement.id).in_(on_page))
        .order_by(col(Procurement.id).desc())
    ).all()
    statuses = primas_statuses(session, [row[0] for row in results])
    rows = [
        ProcurementRow(p, category, directorate, lead, statuses[p.id])  # type: ignore[index]
        for p, category, directorate, lead in results
    ]
    return ProcurementPage(rows=rows, total=total, page=page, more=more)


def _with_primas(
    session: Session,
    wanted: ProcurementFilter,
    me: User,
    words: list[str],
    facets: list[str],
    page: int,
    dialect: str,
) -> ProcurementPage:
    """A list narrowed by where its PRIMAS has got to: the other filters on the table's own
    indexes, any words through the text index, then the PRIMAS condition on what is left."""
    ids: Any = select(col(Procurement.id).label("id")).where(
        *_narrowing(wanted, me), primas_condition(wanted.primas)
    )
    if words:
        if dialect == "postgresql":
            terms = [_whole_words(session, word) for word in words]
            if None in terms:
                return ProcurementPage(rows=[], total=0, page=1)
            matching = _in_postgres_index(wanted, [t for t in terms if t], facets).ids
        else:
            matching = _in_sqlite_index(wanted, words, facets).ids
        ids = ids.where(col(Procurement.id).in_(matching))
    found = _Found(ids, col(Procurement.id))
    counted = session.exec(found.count(SEARCH_LIMIT + 1 if words else None)).one()
    total = min(counted, SEARCH_LIMIT) if words else counted
    more = counted > total
    page = max(1, min(page, -(-total // PER_PAGE)))
    on_page = session.exec(
        found.page((page - 1) * PER_PAGE, PER_PAGE, None if more else total)
    ).all()
    return _page_of(session, on_page, total, page, more)


@dataclass(frozen=True)
class FeedFilter:
    """What the API's list is narrowed to (None: not narrowed by that)."""

    status: str | None = None  # "active" or "withdrawn"
    primas: str | None = None  # one of PRIMAS_STATUSES' codes
    category: str | None = None  # a category's code
    directorate: str | None = None  # a directorate's code
    updated_after: datetime | None = None


@dataclass(frozen=True)
class FeedPage:
    """Procurements after a cursor, oldest recorded first, and the id to go on after (None at
    the end)."""

    rows: list[ProcurementRow]
    next_after: int | None


def feed(session: Session, wanted: FeedFilter, *, after: int, limit: int) -> FeedPage:
    """Up to `limit` procurements recorded after the one with id `after`, in the order they
    were recorded, with their category, directorate, lead officer's email and PRIMAS status: a
    client reads the list through by following `next_after`, and new records come at the end."""
    conditions: list[ColumnElement[bool]] = [col(Procurement.id) > after]
    if wanted.status:
        conditions.append(col(Procurement.status) == wanted.status)
    if wanted.category:
        conditions.append(col(Category.code) == wanted.category)
    if wanted.directorate:
        conditions.append(col(Directorate.code) == wanted.directorate)
    if wanted.updated_after:
        conditions.append(col(Procurement.updated_at) > wanted.updated_after)
    if wanted.primas:
        conditions.append(primas_condition(wanted.primas))
    rows = session.exec(
        select(Procurement, Category.code, Directorate.code, User.email)
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .join(Directorate, col(Directorate.id) == col(Procurement.directorate_id))
        .join(User, col(User.id) == col(Procurement.lead_officer_id))
        .where(*conditions)
        .order_by(col(Procurement.id))
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    statuses = primas_statuses(session, [row[0] for row in rows])
    found = [ProcurementRow(procurement, category, directorate, email,
                            statuses[procurement.id or 0])
             for procurement, category, directorate, email in rows]  # fmt: skip
    return FeedPage(found, found[-1].procurement.id if more and found else None)
