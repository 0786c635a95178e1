"""The council's default KPI targets move from the KPI library to reference data.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from app.migration_steps import remove_reference_values, seed_reference_values

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    seed_reference_values("0013_reference_values.yaml", datetime(2026, 12, 5, tzinfo=UTC))


def downgrade() -> None:
    remove_reference_values("0013_reference_values.yaml")
