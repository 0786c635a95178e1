"""Steps that migrations share: seeding reference values from a frozen YAML file under
migrations/data, and taking them out again on downgrade. Only migrations import this module."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import yaml
from alembic import op

from app.models.types import UTCDateTime
from app.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "migrations" / "data"


def _rows(name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))["values"])


def seed_reference_values(name: str, created_at: datetime) -> None:
    """Insert every value in migrations/data/`name`, each recorded as created at `created_at`
    (fixed by the migration, so every database gets the same rows)."""
    reference_value = sa.table(
        "reference_value",
        sa.column("key", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("amount", sa.BigInteger),
        sa.column("source", sa.String),
        sa.column("note", sa.String),
        sa.column("created_at", UTCDateTime),
    )
    op.bulk_insert(reference_value, [{**row, "created_at": created_at} for row in _rows(name)])


def remove_reference_values(name: str) -> None:
    """Delete every value of the keys that migrations/data/`name` seeds."""
    keys = sorted({str(row["key"]) for row in _rows(name)})
    op.execute(
        sa.text("DELETE FROM reference_value WHERE key IN :keys").bindparams(
            sa.bindparam("keys", expanding=True, value=keys)
        )
    )
