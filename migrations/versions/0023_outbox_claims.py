"""Each claim on an outbox message carries a token of its own, so that only the claim sending
it settles the try (issue 19, from review).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as table:
        table.add_column(
            sa.Column(
                "claimed_by",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )  # fmt: skip
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as table:
        table.drop_column("claimed_by")
