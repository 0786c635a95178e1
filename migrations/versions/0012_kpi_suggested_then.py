"""KPI selections record the suggested target when the lead set their own, so that a change of
suggestion (a new rule, or different answers) asks the lead to confirm theirs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "kpi_selection",
        sa.Column("suggested_then", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    # Targets edited before this are marked "unknown": each is confirmed once, since the
    # library's target rules were revised in the same release.
    selection = sa.table("kpi_selection", sa.column("status", sa.String),
                         sa.column("suggested_then", sa.String))  # fmt: skip
    op.execute(
        selection.update().where(selection.c.status == "edited").values(suggested_then="unknown")
    )


def downgrade() -> None:
    with op.batch_alter_table("kpi_selection") as batch:
        batch.drop_column("suggested_then")
