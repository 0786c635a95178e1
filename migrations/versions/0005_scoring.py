"""Scoring: the reference values it reads, and officers' overrides of topic scores.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.migration_steps import remove_reference_values, seed_reference_values
from app.models.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
    seed_reference_values("0005_reference_values.yaml", datetime(2026, 11, 26, tzinfo=UTC))


def downgrade() -> None:
    op.drop_table("score_override")
    remove_reference_values("0005_reference_values.yaml")
