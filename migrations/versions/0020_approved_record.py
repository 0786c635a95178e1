"""The signed record an approval freezes (app/services/records.py): database triggers refuse any
UPDATE or DELETE of it, on SQLite and PostgreSQL alike, as they do for the audit log. A decision
also keeps the revision as its approver saw it (the record's content, unsigned), so that after a
return the next approver sees what changed since.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER_CHANGES = "an approved record never changes"


def upgrade() -> None:
    op.create_table(
        "approved_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("procurement_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id"),
    )
    op.create_index(
        op.f("ix_approved_record_procurement_id"), "approved_record", ["procurement_id"]
    )
    with op.batch_alter_table("assessment_decision") as batch:
        batch.add_column(sa.Column("seen", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION approved_record_never_changes() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{NEVER_CHANGES}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER approved_record_no_change BEFORE UPDATE OR DELETE ON approved_record "
            "FOR EACH ROW EXECUTE FUNCTION approved_record_never_changes()"
        )
        op.execute(
            "CREATE TRIGGER approved_record_no_truncate BEFORE TRUNCATE ON approved_record "
            "FOR EACH STATEMENT EXECUTE FUNCTION approved_record_never_changes()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER approved_record_no_{event.lower()} BEFORE {event} "
                f"ON approved_record BEGIN SELECT RAISE(ABORT, '{NEVER_CHANGES}'); END"
            )


def downgrade() -> None:
    with op.batch_alter_table("assessment_decision") as batch:
        batch.drop_column("seen")
    op.drop_index(op.f("ix_approved_record_procurement_id"), "approved_record")
    op.drop_table("approved_record")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION approved_record_never_changes()")
