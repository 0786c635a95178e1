"""Everyone who has had a hand in a procurement (lead officer or collaborator, now or before),
so that approval can refuse them; filled in from today's lead officers and collaborators.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_involvement",
        sa.Column("procurement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurement.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("procurement_id", "user_id"),
    )
    op.create_index(
        op.f("ix_procurement_involvement_user_id"), "procurement_involvement", ["user_id"]
    )
    op.execute(
        "INSERT INTO procurement_involvement (procurement_id, user_id, role, since) "
        "SELECT id, lead_officer_id, 'lead officer', created_at FROM procurement"
    )
    op.execute(
        "INSERT INTO procurement_involvement (procurement_id, user_id, role, since) "
        "SELECT procurement_id, user_id, 'collaborator', added_at FROM procurement_collaborator"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_procurement_involvement_user_id"), "procurement_involvement")
    op.drop_table("procurement_involvement")
