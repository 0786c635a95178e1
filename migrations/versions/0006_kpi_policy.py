"""KPI suggestions: the policy values they read (most suggested, employment minimum).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)

from app.migration_steps import remove_reference_values, seed_reference_values

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    seed_reference_values("0006_reference_values.yaml", datetime(2026, 11, 26, tzinfo=UTC))


def downgrade() -> None:
    remove_reference_values("0006_reference_values.yaml")
