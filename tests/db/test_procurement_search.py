"""The procurement list's search and filters, on each database's own text search (SQLite FTS5,
PostgreSQL full-text search): whole words and their starts in the title and description, any
part of the reference, whatever the case and accents; every filter and page giving the records
it always gave."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.models import Procurement, Role, User
from app.services import procurements
from app.services.procurement_search import (
    PER_PAGE,
    SEARCH_LIMIT,
    ProcurementFilter,
    search_procurements,
)
from tests.support.factories import copy_procurement_in_bulk, make_procurement, make_user


def found(session: Session, me: User, **wanted: object) -> list[str]:
    """The titles the list shows for the filter, every page, in order."""
    first = search_procurements(session, ProcurementFilter(**wanted), me)  # type: ignore[arg-type]
    titles = [row.procurement.title for row in first.rows]
    for number in range(2, first.pages + 1):
        page = search_procurements(session, ProcurementFilter(**wanted), me, page=number)  # type: ignore[arg-type]
        titles += [row.procurement.title for row in page.rows]
    return titles


@pytest.fixture
def recorded(session: Session) -> tuple[User, dict[str, Procurement]]:
    lead = make_user(session, Role.LEAD)
    records = {
        "libraries": make_procurement(session, lead, title="Cleaning of libraries",
                                      description="Daily cleaning of the town hall."),
        "cafe": make_procurement(session, lead, title="Café and kitchen supplies",
                                 description="Crème brûlée for the Straße canteen."),
        "meals": make_procurement(session, lead, title="School meals", category="catering",
                                  description="Lunches for primary schools."),
        "roads": make_procurement(session, lead, title="Road resurfacing",
                                  description="Re-surfacing of the A10 and side roads."),
    }  # fmt: skip
    return lead, records


def test_whole_words_and_their_starts_in_the_title_and_description(
    session: Session, recorded: tuple[User, dict[str, Procurement]]
) -> None:
    lead, _ = recorded
    assert found(session, lead, q="cleaning") == ["Cleaning of libraries"]
    assert found(session, lead, q="clean") == ["Cleaning of libraries"]  # the start of a word
    assert found(session, lead, q="Town Hall") == ["Cleaning of libraries"]  # the description
    assert found(session, lead, q="leaning") == []  # the middle of a word is not a word
    assert found(session, lead, q="school lunches") == ["School meals"]  # title and description
    assert found(session, lead, q="school roads") == []  # every word must be found
    assert found(session, lead, q="surfacing") == ["Road resurfacing"]  # "Re-surfacing": 2 words
    assert found(session, lead, q="a10") == ["Road resurfacing"]
    assert found(session, lead, q="%") == []  # no words: nothing, never everything
    assert found(session, lead, q="_") == []
    assert found(session, lead, q="") == [
        "Road resurfacing", "School meals", "Café and kitchen supplies", "Cleaning of libraries",
    ]  # fmt: skip


def test_case_and_accents_do_not_matter(
    session: Session, recorded: tuple[User, dict[str, Procurement]]
) -> None:
    lead, _ = recorded
    for typed in ("cafe", "CAFÉ", "café", "creme brulee", "CRÈME", "strasse", "Straße"):
        assert found(session, lead, q=typed) == ["Café and kitchen supplies"], typed


def test_any_part_of_the_reference(
    session: Session, recorded: tuple[User, dict[str, Procurement]]
) -> None:
    lead, records = recorded
    reference = records["meals"].reference  # such as PRC-2026-0003
    prefix, year, number = reference.split("-")
    assert found(session, lead, q=reference) == ["School meals"]
    assert found(session, lead, q=reference.lower()) == ["School meals"]
    assert found(session, lead, q=number) == ["School meals"]  # "0003"
    assert found(session, lead, q=number.lstrip("0")) == ["School meals"]  # "3"
    assert found(session, lead, q=f"{year}-{number}") == ["School meals"]
    assert len(found(session, lead, q=prefix)) == 4
    assert len(found(session, lead, q=year)) == 4


def test_an_edited_record_is_found_by_its_new_words_only(
    session: Session, recorded: tuple[User, dict[str, Procurement]]
) -> None:
    from tests.support.factories import procurement_facts

    lead, records = recorded
    roads = records["roads"]
    facts = procurement_facts(session, title="Highway repairs", description="Potholes filled.")
    procurements.update(session, lead, roads, facts, version=roads.version, base=None)
    assert found(session, lead, q="resurfacing") == []
    assert found(session, lead, q="potholes") == ["Highway repairs"]
    procurements.withdraw(session, lead, roads, "Recorded twice")
    assert found(session, lead, q="potholes") == []  # the active list
    assert found(session, lead, q="potholes", status="withdrawn") == ["Highway repairs"]


def test_a_start_that_begins_many_words_finds_them_all(session: Session) -> None:
    """On PostgreSQL a word's start is asked of the index as the whole words it begins, up to
    MOST_WHOLE_WORDS, and beyond that as a start: both find every record."""
    from app.services.procurement_search import MOST_WHOLE_WORDS

    lead = make_user(session, Role.LEAD)
    many = MOST_WHOLE_WORDS + 3
    template = make_procurement(session, lead, title="Zone zeta0 works")
    copy_procurement_in_bulk(session, template, [f"Zone zeta{n} works" for n in range(1, many)])
    newest_first = [f"Zone zeta{n} works" for n in reversed(range(many))]
    assert found(session, lead, q="zeta") == newest_first  # more than MOST_WHOLE_WORDS
    assert found(session, lead, q="zeta1") == [t for t in newest_first if "zeta1" in t]  # fewer
    assert found(session, lead, q="zone zeta3 works") == [t for t in newest_first if "zeta3" in t]
    assert found(session, lead, q="zetas") == []


def test_the_filters_follow_every_change_to_what_they_filter_by(session: Session) -> None:
    """The index's facets are kept by triggers: a new category, directorate, value, lead officer
    and a collaborator added or removed each change what the filters find at once."""
    from tests.support.factories import procurement_facts

    me, other, approver = (make_user(session, Role.LEAD), make_user(session, Role.LEAD),
                           make_user(session, Role.APPROVER))  # fmt: skip
    record = make_procurement(session, other, title="Moved about", category="cleaning",
                              directorate="finance-corporate-resources",
                              value="250,000")  # fmt: skip

    def finds(**wanted: object) -> bool:
        return found(session, me, **wanted) == ["Moved about"]

    assert finds(category="cleaning", directorate="finance-corporate-resources", band="100k-500k")
    assert not finds(mine=True) and not finds(q="moved", mine=True)
    procurements.add_collaborator(session, other, record, me.id)
    assert finds(mine=True) and finds(q="moved", mine=True) and not finds(lead=me.id)
    procurements.remove_collaborator(session, other, record, me.id)
    assert not finds(mine=True) and not finds(q="moved", mine=True)
    procurements.reassign_lead_officer(session, approver, record, me.id)
    assert finds(mine=True) and finds(lead=me.id) and finds(q="moved", lead=me.id)
    assert not finds(lead=other.id)
    facts = procurement_facts(session, title="Moved about", category="catering",
                              directorate="children-education", value="2,000,000")  # fmt: skip
    procurements.update(session, me, record, facts, version=record.version, base=None)
    for filters in ({"category": "cleaning"}, {"directorate": "finance-corporate-resources"},
                    {"band": "100k-500k"}):  # fmt: skip
        assert not finds(**filters) and not finds(q="moved", **filters), filters
    assert finds(category="catering", directorate="children-education", band="1m-5m")
    assert finds(q="moved", category="catering", directorate="children-education", band="1m-5m")
    assert not finds(category="no-such-category") and not finds(directorate="no-such")


def test_each_value_is_in_one_band_from_its_lower_edge(session: Session) -> None:
    """VALUE_BANDS' edges, as the index's facets (migration 0018) must put them: each band
    takes its lower edge and stops a penny short of the next."""
    lead = make_user(session, Role.LEAD)
    edges = {"99,999.99": "under-100k", "100,000": "100k-500k", "499,999.99": "100k-500k",
             "500,000": "500k-1m", "999,999.99": "500k-1m", "1,000,000": "1m-5m",
             "4,999,999.99": "1m-5m", "5,000,000": "5m-plus"}  # fmt: skip
    for value in edges:
        make_procurement(session, lead, title=f"Worth {value}", value=value)
    for band in {"under-100k", "100k-500k", "500k-1m", "1m-5m", "5m-plus"}:
        expected = [f"Worth {value}" for value, wanted in reversed(edges.items()) if wanted == band]
        assert found(session, lead, band=band) == expected, band
        assert found(session, lead, band=band, q="worth") == expected, band


def test_a_search_shows_the_newest_thousand_and_says_there_are_more(session: Session) -> None:
    """A search that matches more than SEARCH_LIMIT shows the newest SEARCH_LIMIT, says there
    are more, and pages only through those; a list without words counts every record."""
    lead = make_user(session, Role.LEAD)
    template = make_procurement(session, lead, title="Window cleaning 0")
    made = SEARCH_LIMIT + 30
    copy_procurement_in_bulk(session, template, [f"Window cleaning {n}" for n in range(1, made)])
    searched = search_procurements(session, ProcurementFilter(q="window"), lead)
    assert (searched.total, searched.more, searched.pages) == (SEARCH_LIMIT, True, 40)
    assert searched.rows[0].procurement.title == f"Window cleaning {made - 1}"
    last = search_procurements(session, ProcurementFilter(q="window"), lead, page=99)
    assert (last.page, len(last.rows)) == (40, PER_PAGE)  # the newest 1,000's last page
    assert last.rows[-1].procurement.title == f"Window cleaning {made - SEARCH_LIMIT}"
    narrowed = search_procurements(session, ProcurementFilter(q="window 12"), lead)
    assert (narrowed.total, narrowed.more) == (11, False)  # 12 and 120 to 129
    everything = search_procurements(session, ProcurementFilter(), lead)
    assert (everything.total, everything.more, everything.pages) == (made, False, 42)


@dataclass(frozen=True)
class Shape:
    """What one procurement of the grid is."""

    category: str
    value: str
    led_by_me: bool
    with_me: bool
    withdrawn: bool


BANDS = {"under-100k": (0, 100_000), "100k-500k": (100_000, 500_000), "1m-5m": (1e6, 5e6),
         "5m-plus": (5e6, float("inf"))}  # fmt: skip


def test_every_filter_and_page_gives_the_records_it_always_did(session: Session) -> None:
    """60 procurements of every shape; for each combination of filters, the list over all its
    pages is exactly the records the filter describes, newest first, 25 to a page."""
    me, other = make_user(session, Role.LEAD), make_user(session, Role.LEAD)
    shapes = [
        Shape(category, value, led_by_me, with_me, withdrawn)
        for category, value, (led_by_me, with_me), withdrawn in itertools.product(
            ("cleaning", "catering"), ("50,000", "250,000", "2,000,000"),
            ((True, False), (False, True), (False, False)), (False, False, False, False, True),
        )
    ][:60]  # fmt: skip
    made: list[tuple[str, Shape]] = []
    for number, shape in enumerate(shapes):
        record = make_procurement(session, me if shape.led_by_me else other, title=f"Grid {number}",
                                  category=shape.category, value=shape.value)  # fmt: skip
        if shape.with_me:
            procurements.add_collaborator(session, other, record, me.id)
        if shape.withdrawn:
            procurements.withdraw(session, me if shape.led_by_me else other, record, "Duplicate")
        made.append((record.title, shape))
    newest_first = [title for title, _ in reversed(made)]

    def expected(status: str, category: str, band: str, mine: bool, lead: bool) -> list[str]:
        def wanted(shape: Shape) -> bool:
            pounds = float(shape.value.replace(",", ""))
            low, high = BANDS.get(band, (0, float("inf")))
            return (
                (status == "any" or shape.withdrawn == (status == "withdrawn"))
                and category in ("", shape.category)
                and low <= pounds < high
                and (not mine or shape.led_by_me or shape.with_me)
                and (not lead or shape.led_by_me)
            )

        keep = {title for title, shape in made if wanted(shape)}
        return [title for title in newest_first if title in keep]

    # Each combination alone and with a search every record matches (the search's own path:
    # the text index, then the other filters among its matches).
    for q, status, category, band, mine, lead in itertools.product(
        ("", "GRID"), ("active", "withdrawn", "any"), ("", "cleaning", "catering"),
        ("", "under-100k", "1m-5m", "5m-plus"), (False, True), (False, True),
    ):  # fmt: skip
        wanted = {"q": q, "status": status, "category": category, "band": band, "mine": mine,
                  "lead": me.id if lead else None}  # fmt: skip
        assert found(session, me, **wanted) == expected(status, category, band, mine, lead), wanted
    cleaning = ProcurementFilter(q="grid", category="cleaning", status="any")
    searched = search_procurements(session, cleaning, me, page=99)
    cleaning_titles = [title for title, shape in reversed(made) if shape.category == "cleaning"]
    assert (searched.total, searched.page) == (len(cleaning_titles), 2)  # the last page
    assert [row.procurement.title for row in searched.rows] == cleaning_titles[PER_PAGE:]
    everything = search_procurements(session, ProcurementFilter(status="any"), me, page=3)
    assert (everything.total, everything.pages, len(everything.rows)) == (60, 3, 10)
    assert [row.procurement.title for row in everything.rows] == newest_first[2 * PER_PAGE :]
    past_the_end = search_procurements(session, ProcurementFilter(status="any"), me, page=99)
    assert past_the_end.page == 3  # the last page


def test_a_filter_takes_only_the_statuses_and_bands_there_are() -> None:
    for wanted in ({"status": 'active" OR search_text : "x'}, {"status": ""}, {"band": "huge"}):
        with pytest.raises(ValueError):
            ProcurementFilter(**wanted)  # type: ignore[arg-type]
