"""Scoring: the reference values it reads, and officers' overrides of topic scores.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
import yaml
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATA = Path(__file__).resolve().parent.parent / "data" / "0005_reference_values.yaml"


def upgrade() -> None:
    op.create_table(
        "score_override",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("measure IN ('risk', 'scope')", name="ck_score_override_measure"),
        sa.CheckConstraint("value BETWEEN 0 AND 3", name="ck_score_override_value"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("assessment_id", "topic", "measure"),
    )
    reference_value = sa.table(
        "reference_value",
        sa.column("key", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("amount", sa.BigInteger),
        sa.column("source", sa.String),
        sa.column("note", sa.String),
        sa.column("created_at", UTCDateTime),
    )
    seed = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    now = datetime(2026, 11, 26, tzinfo=UTC)  # fixed, so every database gets the same rows
    op.bulk_insert(reference_value, [{**row, "created_at": now} for row in seed["values"]])


def downgrade() -> None:
    op.drop_table("score_override")
    keys = sorted({row["key"] for row in yaml.safe_load(DATA.read_text())["values"]})
    op.execute(
        sa.text("DELETE FROM reference_value WHERE key IN :keys").bindparams(
            sa.bindparam("keys", expanding=True, value=keys)
        )
    )
