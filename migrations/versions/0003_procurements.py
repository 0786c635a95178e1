"""Procurements and their collaborators.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("directorate_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("contract_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("light_touch", sa.Boolean(), nullable=False),
        sa.Column("framework", sa.Boolean(), nullable=False),
        sa.Column("value_pence", sa.BigInteger(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("extension_months", sa.Integer(), nullable=False),
        sa.Column("planned_tender_date", sa.Date(), nullable=False),
        sa.Column("expected_start_date", sa.Date(), nullable=False),
        sa.Column("delivery_location", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("lead_officer_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "contract_type IN ('goods', 'services', 'works')", name="ck_procurement_type"
        ),
        sa.CheckConstraint(
            "delivery_location IN ('in-borough', 'london', 'uk', 'overseas')",
            name="ck_procurement_location",
        ),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_procurement_status"),
        sa.CheckConstraint(
            "term_months > 0 AND extension_months >= 0", name="ck_procurement_months"
        ),
        sa.CheckConstraint("value_pence > 0", name="ck_procurement_value_positive"),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["directorate_id"],
            ["directorate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_officer_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("procurement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_directorate_id"), ["directorate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_lead_officer_id"), ["lead_officer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procurement_status"), ["status"], unique=False)

    op.create_table(
        "procurement_collaborator",
        sa.Column("procurement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procurement_id"],
            ["procurement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("procurement_id", "user_id"),
    )
    with op.batch_alter_table("procurement_collaborator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_collaborator_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("procurement_collaborator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_collaborator_user_id"))

    op.drop_table("procurement_collaborator")
    with op.batch_alter_table("procurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_status"))
        batch_op.drop_index(batch_op.f("ix_procurement_lead_officer_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_directorate_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_category_id"))

    op.drop_table("procurement")
