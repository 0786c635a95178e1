"""Modern slavery industry risk reviewed: every category's risk, with the source that names it.

Building maintenance, transport, children's services, public health, office supplies and
temporary accommodation were rated below the PPN 009 industries they buy from; each category now
carries the source and a note of the industry behind its rating.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types such as AutoString)
import yaml
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATA = Path(__file__).resolve().parent.parent / "data"
CATEGORY = sa.table(
    "category",
    sa.column("code", sa.String),
    sa.column("modern_slavery_risk", sa.String),
    sa.column("modern_slavery_source", sa.String),
    sa.column("modern_slavery_note", sa.String),
)


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    with op.batch_alter_table("category") as batch:
        batch.add_column(sa.Column("modern_slavery_source", text(length=500), nullable=False,
                                   server_default=""))  # fmt: skip
        batch.add_column(sa.Column("modern_slavery_note", text(length=500), nullable=False,
                                   server_default=""))  # fmt: skip
    with op.batch_alter_table("category") as batch:
        batch.alter_column("modern_slavery_source", server_default=None,
                           existing_type=text(length=500), existing_nullable=False)  # fmt: skip
        batch.alter_column("modern_slavery_note", server_default=None,
                           existing_type=text(length=500), existing_nullable=False)  # fmt: skip
    review = yaml.safe_load((DATA / "0010_industry_risk.yaml").read_text(encoding="utf-8"))
    for row in review["categories"]:
        op.execute(
            CATEGORY.update()
            .where(CATEGORY.c.code == row["code"])
            .values(
                modern_slavery_risk=row["risk"],
                modern_slavery_source=row["source"],
                modern_slavery_note=row["note"],
            )  # fmt: skip
        )


def downgrade() -> None:
    seed = yaml.safe_load((DATA / "0001_categories.yaml").read_text(encoding="utf-8"))
    for row in seed["categories"]:
        op.execute(
            CATEGORY.update()
            .where(CATEGORY.c.code == row["code"])
            .values(modern_slavery_risk=row["modern_slavery_risk"])
        )
    with op.batch_alter_table("category") as batch:
        batch.drop_column("modern_slavery_note")
        batch.drop_column("modern_slavery_source")
