"""KPI selections: the lead's decision, target and reason for each KPI, and their own KPIs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "kpi_selection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kpi_code", text(length=64), nullable=True),
        sa.Column("status", text(length=10), nullable=False),
        sa.Column("target", text(length=20), nullable=True),
        sa.Column("reason", text(length=1000), nullable=False),
        sa.Column("title", text(length=200), nullable=True),
        sa.Column("unit", text(length=100), nullable=True),
        sa.Column("frequency", text(length=12), nullable=True),
        sa.Column("evidence", text(length=1000), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('suggested', 'accepted', 'edited', 'rejected')",
            name="ck_kpi_selection_status",
        ),
        sa.CheckConstraint(
            "kpi_code IS NOT NULL OR (title IS NOT NULL AND unit IS NOT NULL "
            "AND frequency IS NOT NULL AND evidence IS NOT NULL AND target IS NOT NULL)",
            name="ck_kpi_selection_custom",
        ),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "kpi_code", name="uq_kpi_selection_code"),
    )
    op.create_index("ix_kpi_selection_assessment_id", "kpi_selection", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_kpi_selection_assessment_id", table_name="kpi_selection")
    op.drop_table("kpi_selection")
