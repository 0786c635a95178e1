"""Council policy decisions (PPN 006, PPN 002, the Living Wage in home care); works threshold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)

from app.migration_steps import remove_reference_values, seed_reference_values

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    seed_reference_values("0008_reference_values.yaml", datetime(2026, 12, 5, tzinfo=UTC))


def downgrade() -> None:
    remove_reference_values("0008_reference_values.yaml")
