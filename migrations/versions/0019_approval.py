"""Approval: an assessment can be submitted, returned, approved and superseded as well as a
draft or discarded; a procurement has at most one open revision (draft, submitted or
returned); each decision is kept; and each person who changed a revision is recorded, so that
nobody decides on what they had a hand in (docs/approval.md).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('draft', 'submitted', 'returned', 'approved', 'superseded', 'discarded')"
OPEN = "status IN ('draft', 'submitted', 'returned')"
DRAFT = "status = 'draft'"


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint("ck_assessment_status", type_="check")
        batch.create_check_constraint("ck_assessment_status", STATUSES)
        batch.drop_index(
            "uq_assessment_one_draft",
            sqlite_where=sa.text(DRAFT),
            postgresql_where=sa.text(DRAFT),
        )
        batch.create_index(
            "uq_assessment_one_open",
            ["procurement_id"],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch.add_column(
            sa.Column("status_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("submitted_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submitted_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("submitted_digest", sqlmodel.sql.sqltypes.AutoString(length=64),
                      nullable=True)
        )  # fmt: skip
        batch.create_foreign_key(
            "fk_assessment_submitted_by_id_user_account", "user_account", ["submitted_by_id"],
            ["id"],
        )  # fmt: skip
    op.create_table(
        "assessment_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('approved', 'returned')", name="ck_decision_outcome"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_assessment_decision_assessment_id"), "assessment_decision", ["assessment_id"]
    )
    op.create_table(
        "assessment_contributor",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("assessment_id", "user_id"),
    )
    op.create_index(
        op.f("ix_assessment_contributor_user_id"), "assessment_contributor", ["user_id"]
    )
    # Who changed each existing draft so far: its answers', overrides' and KPI decisions'
    # last authors (earlier authors are only in the audit log, which names them by id).
    for table in ("assessment_answer", "score_override", "kpi_selection", "kpi_duty_exception"):
        op.execute(
            "INSERT INTO assessment_contributor (assessment_id, user_id, since) "
            f"SELECT assessment_id, updated_by_id, min(updated_at) FROM {table} t "
            "WHERE NOT EXISTS (SELECT 1 FROM assessment_contributor c "
            "WHERE c.assessment_id = t.assessment_id AND c.user_id = t.updated_by_id) "
            "GROUP BY assessment_id, updated_by_id"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_assessment_contributor_user_id"), "assessment_contributor")
    op.drop_table("assessment_contributor")
    op.drop_index(op.f("ix_assessment_decision_assessment_id"), "assessment_decision")
    op.drop_table("assessment_decision")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint("fk_assessment_submitted_by_id_user_account", type_="foreignkey")
        batch.drop_column("submitted_digest")
        batch.drop_column("submitted_at")
        batch.drop_column("submitted_by_id")
        batch.drop_column("status_version")
        batch.drop_index(
            "uq_assessment_one_open",
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch.create_index(
            "uq_assessment_one_draft",
            ["procurement_id"],
            unique=True,
            sqlite_where=sa.text(DRAFT),
            postgresql_where=sa.text(DRAFT),
        )
        batch.drop_constraint("ck_assessment_status", type_="check")
        batch.create_check_constraint("ck_assessment_status", "status IN ('draft', 'discarded')")
