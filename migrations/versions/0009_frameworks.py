"""Frameworks: a procurement sets one up, calls off from one (named), or neither.

The yes/no framework flag becomes "setting-up" or "none", and every draft's record of the facts
its lead last saw (context_seen) is rewritten the same way, so no draft reports a change that
did not happen.

Downgrading loses what the yes/no flag cannot hold: a call-off becomes "not a framework" and the
framework's name is dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "framework IN ('none', 'setting-up', 'call-off')"


def _context_seen(new: Callable[[object], object]) -> None:
    """Rewrite each assessment's context_seen framework fact from `old` to `new`."""
    connection = op.get_bind()
    assessment = sa.table(
        "assessment", sa.column("id", sa.Integer), sa.column("context_seen", sa.JSON)
    )
    for row in connection.execute(sa.select(assessment.c.id, assessment.c.context_seen)):
        seen = dict(row.context_seen or {})
        if "framework" in seen:
            seen["framework"] = new(seen["framework"])
            connection.execute(
                assessment.update().where(assessment.c.id == row.id).values(context_seen=seen)
            )


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    with op.batch_alter_table("procurement") as batch:
        batch.add_column(sa.Column("framework_role", text(length=10), nullable=False,
                                   server_default="none"))  # fmt: skip
        batch.add_column(sa.Column("framework_name", text(length=200), nullable=False,
                                   server_default=""))  # fmt: skip
    procurement = sa.table(
        "procurement", sa.column("framework", sa.Boolean), sa.column("framework_role", sa.String)
    )
    op.execute(
        procurement.update()
        .where(procurement.c.framework == sa.true())
        .values(framework_role="setting-up")
    )
    with op.batch_alter_table("procurement") as batch:
        batch.drop_column("framework")
    with op.batch_alter_table("procurement") as batch:
        batch.alter_column("framework_role", new_column_name="framework",
                           existing_type=sa.String(10), existing_nullable=False,
                           existing_server_default="none")  # fmt: skip
    with op.batch_alter_table("procurement") as batch:
        batch.alter_column("framework", server_default=None, existing_type=sa.String(10),
                           existing_nullable=False)  # fmt: skip
        batch.alter_column("framework_name", server_default=None, existing_type=sa.String(200),
                           existing_nullable=False)  # fmt: skip
        batch.create_check_constraint("ck_procurement_framework", CHECK)
    _context_seen(lambda was: "setting-up" if was in (True, "setting-up") else "none")


def downgrade() -> None:
    with op.batch_alter_table("procurement") as batch:
        batch.drop_constraint("ck_procurement_framework", type_="check")
    with op.batch_alter_table("procurement") as batch:
        batch.alter_column("framework", new_column_name="framework_role",
                           existing_type=sa.String(10), existing_nullable=False)  # fmt: skip
    with op.batch_alter_table("procurement") as batch:
        batch.add_column(sa.Column("framework", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))  # fmt: skip
    procurement = sa.table(
        "procurement", sa.column("framework", sa.Boolean), sa.column("framework_role", sa.String)
    )
    op.execute(
        procurement.update()
        .where(procurement.c.framework_role == "setting-up")
        .values(framework=sa.true())
    )
    with op.batch_alter_table("procurement") as batch:
        batch.drop_column("framework_role")
        batch.drop_column("framework_name")
        batch.alter_column("framework", server_default=None, existing_type=sa.Boolean(),
                           existing_nullable=False)  # fmt: skip
    _context_seen(lambda now: now in (True, "setting-up"))
