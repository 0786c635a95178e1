"""Reference data: categories, directorates and values with effective dates.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel  # noqa: F401
import yaml
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATA = Path(__file__).resolve().parent.parent / "data"


def upgrade() -> None:
    category = op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "modern_slavery_risk", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False
        ),
        sa.Column("topic_relevance", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "modern_slavery_risk IN ('high', 'medium', 'low')", name="ck_category_ms_risk"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    directorate = op.create_table(
        "directorate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    reference_value = op.create_table(
        "reference_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "effective_from", name="uq_reference_value_key_date"),
    )
    op.create_index("ix_reference_value_key", "reference_value", ["key"])

    seed = yaml.safe_load((DATA / "0001_categories.yaml").read_text(encoding="utf-8"))
    op.bulk_insert(
        category,
        [
            {
                "code": row["code"],
                "name": row["name"],
                "description": row["description"],
                "modern_slavery_risk": row["modern_slavery_risk"],
                "topic_relevance": dict(zip(seed["topics"], row["relevance"], strict=True)),
                "active": True,
            }
            for row in seed["categories"]
        ],
    )
    directorates = yaml.safe_load((DATA / "0001_directorates.yaml").read_text(encoding="utf-8"))
    op.bulk_insert(
        directorate,
        [
            {"code": d["code"], "name": d["name"], "active": True}
            for d in directorates["directorates"]
        ],
    )
    op.bulk_insert(
        reference_value,
        [
            {
                "key": "primas_threshold",
                "effective_from": date(2018, 1, 1),
                "amount": 10_000_000,
                "source": "https://hackney.gov.uk/procurement-strategy",
                "note": (
                    "Sustainable Procurement Strategy action plan: a PRIMAS for every procurement "
                    "with anticipated spend of £100k and above. Effective date assumed; the "
                    "earliest date the service answers for."
                ),
                "created_at": datetime(2026, 11, 25, tzinfo=UTC),
            }
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_reference_value_key", table_name="reference_value")
    op.drop_table("reference_value")
    op.drop_table("directorate")
    op.drop_table("category")
