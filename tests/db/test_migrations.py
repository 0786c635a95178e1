"""Migrations are the only way the schema changes: they build it and match the models."""

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app.db import create_database_engine
from app.models import User
from app.schema import current_revision, head_revision, migrate, upgrade_to_head
from app.services.procurement_search import ProcurementFilter, search_procurements

EXPECTED_TABLES = [
    "alembic_version",
    "api_client",
    "approved_record",
    "assessment",
    "assessment_answer",
    "assessment_contributor",
    "assessment_decision",
    "audit_event",
    "category",
    "contract_kpi",
    "directorate",
    "idempotency_key",
    "kpi_duty_exception",
    "kpi_selection",
    "outbox_message",
    "outcome_report",
    "outcome_version",
    "performance_rating",
    "procurement",
    "procurement_collaborator",
    "procurement_involvement",
    "reference_value",
    "score_override",
    "sign_in_failure",
    "user_account",
    "user_session",
]


# SQLite's text search index for the procurement list (migrations 0017 and 0018): an FTS5 table
# and the tables FTS5 keeps it in. Not models: kept by triggers, read only by the list's search.
SQLITE_SEARCH_TABLES = {f"procurement_fts{part}" for part in ("", "_config", "_content", "_data",
                                                              "_docsize", "_idx")}  # fmt: skip


# PostgreSQL's (migrations 0017 and 0018): a narrow table with a GIN index, kept by triggers.
POSTGRES_SEARCH_TABLES = {"procurement_search", "procurement_word"}
# Both (migration 0018): how many procurements have each status.
SEARCH_TABLES = SQLITE_SEARCH_TABLES | POSTGRES_SEARCH_TABLES | {"procurement_tally"}


def tables(engine: Engine) -> list[str]:
    """The database's tables, but for its text search index's."""
    return sorted(set(inspect(engine).get_table_names()) - SEARCH_TABLES)


def test_migrations_build_an_empty_database_up_to_head(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade_to_head(engine)
        assert tables(engine) == EXPECTED_TABLES
        if engine.dialect.name == "sqlite":
            assert SQLITE_SEARCH_TABLES <= set(inspect(engine).get_table_names())
        else:
            assert POSTGRES_SEARCH_TABLES <= set(inspect(engine).get_table_names())
        assert "procurement_tally" in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_name": lambda name, kind, _parent: not (
                    kind == "table" and name in SEARCH_TABLES),
            })  # fmt: skip
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
        assert sorted(SQLModel.metadata.tables) == [
            t for t in EXPECTED_TABLES if t != "alembic_version"
        ]
    finally:
        engine.dispose()


def test_migrations_downgrade_to_nothing_and_back(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        migrate(engine, "base", down=True)
        assert inspect(engine).get_table_names() == ["alembic_version"]  # the search index too
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM category")).scalar_one() >= 20
    finally:
        engine.dispose()


def test_migrated_database_reports_its_dialect(database_url: str) -> None:
    """The PostgreSQL pass really runs on PostgreSQL (and the SQLite pass on SQLite)."""
    import os

    engine = create_database_engine(database_url)
    try:
        expected = "postgresql" if os.environ.get("PRIMAS_TEST_DATABASE_URL") else "sqlite"
        assert engine.dialect.name == expected
        with engine.connect() as connection:
            if expected == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                assert version.startswith("15.")
            else:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
                assert mode == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000
    finally:
        engine.dispose()


def test_frameworks_and_industry_risk_migrate_the_data_they_change(
    empty_database_url: str,
) -> None:
    """0009: the framework flag becomes "setting-up" or "none", in the procurement and in each
    draft's record of what its lead last saw, so no draft reports a change that did not happen.
    0010: building maintenance is a high-risk industry (construction, PPN 009), with its source.
    0017: what was recorded before the list's text search is found by it.
    0018: and by its filters. 0019: who changed a draft is recorded as having had a hand in it.
    """
    engine = create_database_engine(empty_database_url)
    try:
        migrate(engine, "0008")
        with engine.begin() as connection:
            _seed_before_frameworks(connection)
        upgrade_to_head(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT reference, framework, framework_name FROM procurement ORDER BY id")
            ).all()
            assert [tuple(row) for row in rows] == [
                ("PRC-2026-0001", "setting-up", ""),
                ("PRC-2026-0002", "none", ""),
            ]
            seen = connection.execute(text("SELECT context_seen FROM assessment")).scalar_one()
            seen = seen if isinstance(seen, dict) else json.loads(seen)
            assert seen["framework"] == "setting-up"
            maintenance = connection.execute(text(
                "SELECT modern_slavery_risk, modern_slavery_source, modern_slavery_note "
                "FROM category WHERE code = 'building-maintenance'"
            )).one()  # fmt: skip
            assert maintenance[0] == "high"
            assert maintenance[1].startswith("https://www.gov.uk/government/publications/ppn-009")
            assert "construction" in maintenance[2]
        # 0017: procurements recorded before it are found by the list's search.
        with Session(engine) as session:
            me = session.get(User, 1)
            assert me is not None
            care = search_procurements(session, ProcurementFilter(q="home CARE 0002"), me)
            assert [row.procurement.reference for row in care.rows] == ["PRC-2026-0002"]
            # 0018: their facets are in the index and the tally counts them.
            mine = search_procurements(session, ProcurementFilter(q="care", mine=True), me)
            assert [row.procurement.reference for row in mine.rows] == [
                "PRC-2026-0002", "PRC-2026-0001"
            ]  # fmt: skip
            assert search_procurements(session, ProcurementFilter(), me).total == 2
        # 0019: who changed a draft before it may not decide on it.
        with engine.connect() as connection:
            contributors = connection.execute(
                text("SELECT assessment_id, user_id FROM assessment_contributor")
            ).all()  # fmt: skip
            assert [tuple(row) for row in contributors] == [(1, 1)]
        migrate(engine, "0008", down=True)
        with engine.connect() as connection:
            flags = connection.execute(
                text("SELECT framework FROM procurement ORDER BY id")
            ).scalars().all()  # fmt: skip
            assert [bool(flag) for flag in flags] == [True, False]
            seen = connection.execute(text("SELECT context_seen FROM assessment")).scalar_one()
            seen = seen if isinstance(seen, dict) else json.loads(seen)
            assert seen["framework"] is True
            risk = connection.execute(text(
                "SELECT modern_slavery_risk FROM category WHERE code = 'building-maintenance'"
            )).scalar_one()  # fmt: skip
            assert risk == "medium"  # as migration 0001 seeded it
    finally:
        engine.dispose()


def _seed_before_frameworks(connection: Connection) -> None:
    """Two procurements (one a framework) and a draft, as they were stored before 0009."""
    now = "2026-12-01 09:00:00+00:00"
    connection.execute(text(
        "INSERT INTO user_account (email, name, roles, password_hash, active, "
        "must_change_password, is_demo, created_at) VALUES ('lead@example.gov.uk', 'Lead', "
        "'[\"lead\"]', 'x', :yes, :no, :no, :now)"
    ), {"now": now, "yes": True, "no": False})  # fmt: skip
    for number, framework in ((1, True), (2, False)):
        connection.execute(text(
            "INSERT INTO procurement (reference, title, description, directorate_id, "
            "category_id, contract_type, light_touch, framework, value_pence, term_months, "
            "extension_months, planned_tender_date, expected_start_date, delivery_location, "
            "lead_officer_id, status, withdrawn_reason, version, created_by_id, created_at, "
            "updated_at) VALUES (:reference, 'Home care', 'Care at home.', 1, 1, 'services', "
            ":no, :framework, 1200000000, 48, 0, '2027-03-01', '2027-09-01', 'in-borough', 1, "
            "'active', '', 1, 1, :now, :now)"
        ), {"reference": f"PRC-2026-{number:04d}", "framework": framework, "no": False,
            "now": now})  # fmt: skip
    seen = json.dumps(
        {
            "contract_type": "services",
            "category": "cleaning",
            "value_pence": 1200000000,
            "light_touch": False,
            "framework": True,
        }
    )
    connection.execute(text(
        "INSERT INTO assessment (procurement_id, revision, form_id, form_version, status, "
        "context_seen, created_by_id, created_at, updated_at) VALUES (1, 1, 'primas', 1, "
        "'draft', :seen, 1, :now, :now)"
    ), {"seen": seen, "now": now})  # fmt: skip
    connection.execute(text(
        "INSERT INTO assessment_answer (assessment_id, question_id, raw, revision, "
        "updated_by_id, updated_at) VALUES (1, 'agency_labour', '\"yes\"', 1, 1, :now)"
    ), {"now": now})  # fmt: skip


def test_outcomes_take_the_kpis_of_revisions_approved_before_them(
    empty_database_url: str,
) -> None:
    """0026: each procurement's approved revisions give its contract KPIs, the later revision's
    target winning, the lead's own KPI known by its title, and a rejected one left out."""
    engine = create_database_engine(empty_database_url)
    try:
        migrate(engine, "0008")
        with engine.begin() as connection:
            _seed_before_frameworks(connection)
        migrate(engine, "0025")
        first = [
            {"code": "waste-diverted", "title": "Waste kept out of landfill", "unit": "% of waste",
             "frequency": "quarterly", "decision": "edited", "target": "70"},
            {"code": "delivery-trips", "title": "Delivery trips", "unit": "trips a month",
             "frequency": "quarterly", "decision": "accepted", "target": None},
            {"code": "local-sme-spend", "title": "Local SME spend", "unit": "% of spend",
             "frequency": "quarterly", "decision": "rejected", "target": None},
            {"code": None, "title": "Missed  Visits", "unit": "visits", "frequency": "monthly",
             "decision": "own", "target": "3"},
        ]  # fmt: skip
        second = [dict(first[0], target="80"), first[3]]
        with engine.begin() as connection:
            for revision, kpis in ((1, first), (2, second)):
                if revision == 2:
                    connection.execute(text(
                        "INSERT INTO assessment (procurement_id, revision, form_id, "
                        "form_version, status, context_seen, created_by_id, created_at, "
                        "updated_at, status_version) VALUES (1, 2, 'primas', 1, 'approved', "
                        "'{}', 1, '2026-12-02 09:00:00+00:00', '2026-12-02 09:00:00+00:00', 1)"
                    ))  # fmt: skip
                connection.execute(text(
                    "INSERT INTO approved_record (assessment_id, procurement_id, revision, "
                    "approved_by_id, approved_at, content, sha256, signature) VALUES "
                    "(:assessment, 1, :revision, 1, '2026-12-02 09:00:00+00:00', :content, "
                    "'x', 'y')"
                ), {"assessment": revision, "revision": revision,
                    "content": json.dumps({"kpis": kpis})})  # fmt: skip
        upgrade_to_head(engine)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT key, code, target, better, revision FROM contract_kpi ORDER BY key"
            )).all()  # fmt: skip
        assert [tuple(row) for row in rows] == [
            ("delivery-trips", "delivery-trips", None, "lower", 1),
            ("own:missed visits", None, "3", "higher", 2),
            ("waste-diverted", "waste-diverted", "80", "higher", 2),
        ]
        migrate(engine, "0025", down=True)
        assert "contract_kpi" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
