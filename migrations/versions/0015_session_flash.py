"""A sign-in session carries the confirmation to show on the next page it opens (a flash
message), so confirmations leave the URL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_session",
        sa.Column("flash", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("flash")
