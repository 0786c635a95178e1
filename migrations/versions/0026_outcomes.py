"""Outcomes against KPIs: the contract's KPIs, outcome reports with their versions, performance
ratings, and the reference data for rating bands and reporting days (issue 21). The KPIs of
revisions approved before this are taken from their signed records.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.migration_steps import remove_reference_values, seed_reference_values
from app.models.types import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "contract_kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procurement_id", sa.Integer(), nullable=False),
        sa.Column("key", _STRING(length=210), nullable=False),
        sa.Column("code", _STRING(length=64), nullable=True),
        sa.Column("title", _STRING(length=200), nullable=False),
        sa.Column("unit", _STRING(length=100), nullable=False),
        sa.Column("frequency", _STRING(length=12), nullable=False),
        sa.Column("target", _STRING(length=20), nullable=True),
        sa.Column("better", _STRING(length=6), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint("better IN ('higher', 'lower')", name="ck_contract_kpi_better"),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("procurement_id", "key", name="uq_contract_kpi_key"),
    )
    op.create_index("ix_contract_kpi_procurement_id", "contract_kpi", ["procurement_id"])
    op.create_table(
        "outcome_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_kpi_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("period_start <= period_end", name="ck_outcome_period"),
        sa.ForeignKeyConstraint(["contract_kpi_id"], ["contract_kpi.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outcome_report_contract_kpi_id", "outcome_report", ["contract_kpi_id"])
    op.create_table(
        "outcome_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actual", _STRING(length=24), nullable=False),
        sa.Column("commentary", sa.Text(), nullable=False),
        sa.Column("correction_reason", _STRING(length=1000), nullable=False),
        sa.Column("target", _STRING(length=20), nullable=True),
        sa.Column("reported_by", _STRING(length=320), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["outcome_report.id"]),
        sa.ForeignKeyConstraint(["reported_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "version", name="uq_outcome_version"),
    )
    op.create_index("ix_outcome_version_report_id", "outcome_version", ["report_id"])
    op.create_table(
        "performance_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("report_version", sa.Integer(), nullable=False),
        sa.Column("rating", _STRING(length=24), nullable=False),
        sa.Column("suggested", _STRING(length=24), nullable=False),
        sa.Column("reason", _STRING(length=1000), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "rating IN ('good', 'approaching-target', 'requires-improvement', 'inadequate', "
            "'other')",
            name="ck_performance_rating",
        ),
        sa.ForeignKeyConstraint(["rated_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["outcome_report.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_performance_rating_report_id", "performance_rating", ["report_id"])
    seed_reference_values("0026_reference_values.yaml", datetime(2026, 12, 6, tzinfo=UTC))
    _from_signed_records()


# As the KPI library stood when this migration was written: the KPIs where lower is better.
_LOWER_IS_BETTER = frozenset({"carbon-emissions-reported", "delivery-trips"})
_APPROVED = ("accepted", "edited", "own")


def _key(kpi: dict) -> str:  # type: ignore[type-arg]
    """A KPI's key, as app/services/outcomes.py `key_of` had it when this was written (a
    migration keeps its own copy, so that later changes to the app cannot change it)."""
    return kpi["code"] or "own:" + re.sub(r"\s+", " ", kpi["title"]).strip().casefold()[:200]


def _target(value: object) -> str | None:
    if value is None:
        return None
    written = f"{Decimal(str(value)):f}"
    return written.rstrip("0").rstrip(".") if "." in written else written


def _from_signed_records() -> None:
    """The contract KPIs of every revision approved so far, oldest first, as an approval now
    writes them (app/services/outcomes.py, record_approved)."""
    bind = op.get_bind()
    table = sa.table(
        "contract_kpi", sa.column("id", sa.Integer), sa.column("procurement_id", sa.Integer),
        sa.column("key"), sa.column("code"), sa.column("title"), sa.column("unit"),
        sa.column("frequency"), sa.column("target"), sa.column("better"),
        sa.column("revision", sa.Integer),
    )  # fmt: skip
    records = bind.execute(sa.text(
        "SELECT procurement_id, revision, content FROM approved_record "
        "ORDER BY procurement_id, revision"
    )).all()  # fmt: skip
    for procurement_id, approved_revision, content in records:
        for kpi in json.loads(content)["kpis"]:
            if kpi["decision"] not in _APPROVED:
                continue
            values = {
                "key": _key(kpi), "code": kpi["code"], "title": kpi["title"],
                "unit": kpi["unit"], "frequency": kpi["frequency"],
                "target": _target(kpi["target"]),
                "better": "lower" if kpi["code"] in _LOWER_IS_BETTER else "higher",
                "revision": approved_revision,
            }  # fmt: skip
            found = bind.execute(
                sa.select(table.c.id).where(
                    table.c.procurement_id == procurement_id, table.c.key == values["key"]
                )
            ).first()
            if found is None:
                bind.execute(sa.insert(table).values(procurement_id=procurement_id, **values))
            else:
                bind.execute(sa.update(table).where(table.c.id == found[0]).values(**values))


def downgrade() -> None:
    remove_reference_values("0026_reference_values.yaml")
    for table, column in (("performance_rating", "report_id"), ("outcome_version", "report_id"),
                          ("outcome_report", "contract_kpi_id"),
                          ("contract_kpi", "procurement_id")):  # fmt: skip
        op.drop_index(f"ix_{table}_{column}", table)
        op.drop_table(table)
