"""The day an approval first put each contract KPI in the contract, so that a KPI an amendment
adds falls due from then, not from the contract's start (issue 21). KPIs approved before this
have none: they are due from the start, as they were.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contract_kpi") as table:
        table.add_column(sa.Column("since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract_kpi") as table:
        table.drop_column("since")
