"""The procurement list's search uses the database's own text search: each procurement keeps the
words it is found by (`search_text`: its reference's parts, title and description, folded by
app/textsearch), indexed by an FTS5 table kept by triggers on SQLite, and on PostgreSQL by a
narrow table `procurement_search` with a GIN index, kept by a trigger; and the list's order and
each of its filters have an index.

On SQLite, a later migration that rebuilds the procurement table (batch_alter_table) drops these
triggers with it and must create them again (SQLITE_TRIGGERS below).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.textsearch import indexed_text

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list is newest first (by id) and narrowed by status, category, directorate, lead officer
# and value: an index for each, so that counting and paging never read the table itself.
LIST_INDEXES = {
    "ix_procurement_status": ["status", "id"],
    "ix_procurement_category_id": ["category_id", "status", "id"],
    "ix_procurement_directorate_id": ["directorate_id", "status", "id"],
    "ix_procurement_lead_officer_id": ["lead_officer_id", "status", "id"],
    "ix_procurement_value": ["status", "value_pence", "id"],
    # All statuses: on SQLite the table is itself ordered by id but holds whole rows, so paging
    # deep into it reads every row skipped; this narrow index skips them (on PostgreSQL it
    # repeats the primary key's index, which costs little: procurements are written rarely).
    "ix_procurement_recorded": ["id"],
}
BEFORE = {  # as migration 0003 made them
    "ix_procurement_status": ["status"],
    "ix_procurement_category_id": ["category_id"],
    "ix_procurement_directorate_id": ["directorate_id"],
    "ix_procurement_lead_officer_id": ["lead_officer_id"],
}

# SQLite's index holds the status too, so a search of the active list is answered by the index
# alone. Its triggers keep it as the procurement table changes.
SQLITE_TRIGGERS = {
    "procurement_search_insert": """
        CREATE TRIGGER procurement_search_insert AFTER INSERT ON procurement BEGIN
          INSERT INTO procurement_fts (rowid, search_text, status)
          VALUES (new.id, new.search_text, new.status);
        END""",
    "procurement_search_delete": """
        CREATE TRIGGER procurement_search_delete AFTER DELETE ON procurement BEGIN
          INSERT INTO procurement_fts (procurement_fts, rowid, search_text, status)
          VALUES ('delete', old.id, old.search_text, old.status);
        END""",
    "procurement_search_update": """
        CREATE TRIGGER procurement_search_update
        AFTER UPDATE OF search_text, status ON procurement BEGIN
          INSERT INTO procurement_fts (procurement_fts, rowid, search_text, status)
          VALUES ('delete', old.id, old.search_text, old.status);
          INSERT INTO procurement_fts (rowid, search_text, status)
          VALUES (new.id, new.search_text, new.status);
        END""",
}

# PostgreSQL's index is a narrow table of its own beside the procurement table (id, status and
# the words as a tsvector without positions) with a GIN index, kept by a trigger: counting the
# matches of a common word then reads a few megabytes, not the 140 MB of whole procurements that
# 100,000 make (a search's count must visit each match's row, as GIN indexes hold no visibility).
POSTGRES_SEARCH = (
    """CREATE TABLE procurement_search (
         id integer PRIMARY KEY REFERENCES procurement (id) ON DELETE CASCADE,
         status varchar(10) NOT NULL,
         search_vector tsvector NOT NULL)""",
    "CREATE INDEX ix_procurement_search ON procurement_search USING gin (search_vector)",
    """CREATE FUNCTION procurement_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO procurement_search (id, status, search_vector)
         VALUES (NEW.id, NEW.status, strip(to_tsvector('simple', NEW.search_text)))
         ON CONFLICT (id) DO UPDATE
           SET status = EXCLUDED.status, search_vector = EXCLUDED.search_vector;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER procurement_search_keep
       AFTER INSERT OR UPDATE OF search_text, status ON procurement
       FOR EACH ROW EXECUTE FUNCTION procurement_search_keep()""",
    """INSERT INTO procurement_search (id, status, search_vector)
       SELECT id, status, strip(to_tsvector('simple', search_text)) FROM procurement""",
)


def upgrade() -> None:
    op.add_column(
        "procurement", sa.Column("search_text", sa.Text(), nullable=False, server_default="")
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, reference, title, description FROM procurement"))
    for row in rows.all():
        connection.execute(
            sa.text("UPDATE procurement SET search_text = :words WHERE id = :id"),
            {"words": indexed_text(row.reference, row.title, row.description), "id": row.id},
        )
    for name, columns in LIST_INDEXES.items():  # each replaces a one-column index of 0003
        if name in BEFORE:
            op.drop_index(name, "procurement")
        op.create_index(name, "procurement", columns)
    if connection.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE procurement_fts USING fts5(search_text, status, "
            "content='procurement', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
        op.execute("INSERT INTO procurement_fts (procurement_fts) VALUES ('rebuild')")
    else:
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE procurement_fts")
    else:
        op.execute("DROP TRIGGER procurement_search_keep ON procurement")
        op.execute("DROP FUNCTION procurement_search_keep()")
        op.execute("DROP TABLE procurement_search")
    for name in LIST_INDEXES:
        op.drop_index(name, "procurement")
        if name in BEFORE:
            op.create_index(name, "procurement", BEFORE[name])
    with op.batch_alter_table("procurement") as batch:
        batch.drop_column("search_text")
