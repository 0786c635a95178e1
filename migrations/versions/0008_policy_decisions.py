"""Council policy decisions (PPN 006, PPN 002, the Living Wage in home care); works threshold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
import yaml
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATA = Path(__file__).resolve().parent.parent / "data" / "0008_reference_values.yaml"


def upgrade() -> None:
    reference_value = sa.table(
        "reference_value",
        sa.column("key", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("amount", sa.BigInteger),
        sa.column("source", sa.String),
        sa.column("note", sa.String),
        sa.column("created_at", UTCDateTime),
    )
    seed = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    now = datetime(2026, 12, 5, tzinfo=UTC)  # fixed, so every database gets the same rows
    op.bulk_insert(reference_value, [{**row, "created_at": now} for row in seed["values"]])


def downgrade() -> None:
    keys = sorted({row["key"] for row in yaml.safe_load(DATA.read_text())["values"]})
    op.execute(
        sa.text("DELETE FROM reference_value WHERE key IN :keys").bindparams(
            sa.bindparam("keys", expanding=True, value=keys)
        )
    )
