"""Reference data in the database: values by date, categories and directorates."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import create_database_engine
from app.errors import InvalidInput
from app.models import Role
from app.scoring.reference_data import NoValueInForce, UnknownReferenceKey
from app.scoring.topics import load_topics
from app.services.reference_data import (
    add_reference_value,
    list_categories,
    list_directorates,
    load_reference_data,
    value_in_force,
)
from tests.support.databases import TestDatabases
from tests.support.factories import (
    make_category,
    make_directorate,
    make_reference_value,
    make_user,
)

REQUIRED_CATEGORIES = {
    "cleaning",
    "catering",
    "security",
    "construction-works",
    "housing-repairs",
    "highways",
    "waste-collection",
    "grounds-maintenance",
    "ict-hardware",
    "ict-services",
    "professional-services",
    "agency-staff",
    "adult-social-care",
    "home-care",
    "childrens-services",
    "fleet-transport",
    "energy",
    "textiles-uniforms",
    "office-supplies",
    "print",
    "legal-services",
    "facilities-management",
}


def test_the_primas_threshold_is_seeded_at_100k(session: Session) -> None:
    entry = value_in_force(session, "primas_threshold", date(2026, 11, 25))
    assert entry.amount == 10_000_000
    assert entry.effective_from == date(2018, 1, 1)
    assert entry.source.startswith("https://")


@pytest.mark.parametrize(
    ("on", "expected_pounds"),
    [
        (date(2027, 3, 31), 100_000),
        (date(2027, 4, 1), 125_000),
        (date(2027, 4, 2), 125_000),
    ],
)
def test_value_in_force_either_side_of_a_new_effective_date(
    session: Session, on: date, expected_pounds: int
) -> None:
    make_reference_value(session, effective_from=date(2027, 4, 1), amount=12_500_000)
    assert value_in_force(session, "primas_threshold", on).amount == expected_pounds * 100
    # The pure snapshot the scoring code gets answers exactly the same.
    snapshot = load_reference_data(session)
    assert snapshot.in_force("primas_threshold", on).amount == expected_pounds * 100


def test_no_value_before_the_first(session: Session) -> None:
    with pytest.raises(NoValueInForce):
        value_in_force(session, "primas_threshold", date(2017, 12, 31))


def test_unknown_key_is_refused(session: Session) -> None:
    with pytest.raises(UnknownReferenceKey):
        value_in_force(session, "no_such_setting", date(2026, 1, 1))


def test_two_values_for_one_key_and_date_are_refused(session: Session) -> None:
    with pytest.raises(IntegrityError):
        make_reference_value(session, effective_from=date(2018, 1, 1), amount=1)


def test_categories_cover_council_spend_with_a_risk_profile(session: Session) -> None:
    categories = list_categories(session)
    codes = {category.code for category in categories}
    assert len(categories) >= 20
    assert REQUIRED_CATEGORIES <= codes
    topic_codes = load_topics().topic_codes
    for category in categories:
        assert category.modern_slavery_risk in {"high", "medium", "low"}, category.code
        assert set(category.topic_relevance) == topic_codes, category.code
        assert all(value in (0, 1, 2, 3) for value in category.topic_relevance.values())
    names = [category.name for category in categories]
    assert names == sorted(names)


def test_category_risk_profiles_follow_the_guidance(session: Session) -> None:
    by_code = {category.code: category for category in list_categories(session)}
    for high_risk in ("cleaning", "catering", "security", "construction-works", "home-care"):
        assert by_code[high_risk].modern_slavery_risk == "high"
    assert by_code["legal-services"].modern_slavery_risk == "low"
    assert by_code["home-care"].topic_relevance["fair-pay-work"] == 3
    assert by_code["home-care"].topic_relevance["materials-food"] < 3


def test_inactive_categories_and_directorates_are_hidden_unless_asked_for(
    session: Session,
) -> None:
    category = make_category(session, active=False)
    directorate = make_directorate(session, active=False)
    assert category not in list_categories(session)
    assert category in list_categories(session, include_inactive=True)
    assert directorate not in list_directorates(session)
    assert directorate in list_directorates(session, include_inactive=True)


def test_directorates_are_a_managed_list(session: Session) -> None:
    names = [directorate.name for directorate in list_directorates(session)]
    assert "Adults, Health and Integration" in names
    assert len(names) >= 4


def test_the_snapshot_is_read_again_only_when_a_value_is_added(
    session: Session, test_databases: TestDatabases, tmp_path: Path
) -> None:
    first = load_reference_data(session)
    assert load_reference_data(session) is first  # nothing added: the same snapshot
    make_reference_value(session, key="primas_threshold", effective_from=date(2031, 4, 1),
                         amount=15_000_000)  # fmt: skip
    again = load_reference_data(session)
    assert again is not first
    assert again.in_force("primas_threshold", date(2031, 4, 1)).amount == 15_000_000
    # Another database with as many values and the same newest id has its own snapshot.
    (tmp_path / "other").mkdir()
    other_url = test_databases.migrated(tmp_path / "other")
    other_engine = create_database_engine(other_url)
    try:
        with Session(other_engine) as other:
            make_reference_value(other, key="primas_threshold", effective_from=date(2031, 4, 1),
                                 amount=20_000_000)  # fmt: skip
            theirs = load_reference_data(other)
            assert theirs.in_force("primas_threshold", date(2031, 4, 1)).amount == 20_000_000
        assert load_reference_data(session) is again
    finally:
        other_engine.dispose()
        test_databases.drop(other_url)


def test_rating_bands_may_not_cross(session: Session) -> None:
    """The approaching-target band is the narrower of the two (app/scoring/performance.py), on
    the new value's date and on every later value's of the other band."""
    admin = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput) as crossed:
        add_reference_value(session, admin, key="rating_approaching_within",
                            effective_from=date(2027, 1, 1), amount=3000,
                            source="docs/api.md")  # fmt: skip
    assert crossed.value.errors["amount"] == (
        "The approaching-target band must be no wider than the requires-improvement band "
        "(25% from 1 January 2027)"
    )
    add_reference_value(
        session,
        admin,
        key="rating_improvement_within",
        effective_from=date(2027, 6, 1),
        amount=2000,
        source="docs/api.md",
    )
    with pytest.raises(InvalidInput) as later:
        add_reference_value(session, admin, key="rating_approaching_within",
                            effective_from=date(2027, 1, 1), amount=2200,
                            source="docs/api.md")  # fmt: skip
    assert "(20% from 1 June 2027)" in later.value.errors["amount"]
    add_reference_value(
        session,
        admin,
        key="rating_approaching_within",
        effective_from=date(2027, 1, 1),
        amount=1500,
        source="docs/api.md",
    )
