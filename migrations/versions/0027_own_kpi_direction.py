"""Whether a figure above or below the target of a lead's own KPI is better (issue 21: an own
KPI in tonnes of CO2 is a ceiling, and its outcomes are rated that way). Those written before
are read as "higher", as they were.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kpi_selection") as batch:
        batch.add_column(
            sa.Column("better", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("kpi_selection") as batch:
        batch.drop_column("better")
