"""The list's filters join its search in the text search index: each procurement's entry holds,
beside its words, its facets (status, category, directorate, lead officer, value band, and the
people who lead or work on it) as tokens, so that any combination of a search and filters is
found by intersecting the index's lists of entries rather than by reading rows one by one.

The facets are worked out in one place, the view `procurement_facets`; triggers on the
procurement and collaborator tables copy them into the index whenever they change. SQLite's FTS5
table now holds its own copy of the words (an external content table must find every column it
indexes in the content table); PostgreSQL's narrow table gains a tsvector of facets and a GIN
index over both.

A facet is a letter and an id or a code made of letters and digits only ("sactive", "c12",
"d3", "l42", "b2", "p42"), which both databases tokenise as one word; facets are a column apart
from the words, so a search for "c12" never matches a category.

Two more tables serve the list without reading entries one by one: `procurement_tally`, how
many procurements have each status (kept by triggers), so the list of every active procurement
is counted in one row; and on PostgreSQL `procurement_word`, every word in the index (kept by a
trigger, never pruned: a word no longer used finds nothing), so a search for the start of a word
asks the GIN index for the few whole words it begins rather than for a prefix, which the index
answers by gathering every entry of each matching word before intersecting (3 times as long).

On SQLite, a later migration that rebuilds the procurement or collaborator table
(batch_alter_table) drops these triggers with it and must create them again (SQLITE_TRIGGERS).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The value bands of app/services/procurement_search.VALUE_BANDS, numbered from 1 in that order
# (from, inclusive, in pence). Changing the bands needs a migration that changes this view.
BAND_FACET = """CASE
      WHEN p.value_pence < 10000000 THEN 'b1'
      WHEN p.value_pence < 50000000 THEN 'b2'
      WHEN p.value_pence < 100000000 THEN 'b3'
      WHEN p.value_pence < 500000000 THEN 'b4'
      ELSE 'b5' END"""


def facets_view(dialect: str) -> str:
    """The view of each procurement's facets, as words separated by spaces."""
    people = (
        "group_concat('p' || c.user_id, ' ')"
        if dialect == "sqlite"
        else "string_agg('p' || c.user_id::text, ' ')"
    )
    number = "{}" if dialect == "sqlite" else "{}::text"
    return f"""CREATE VIEW procurement_facets AS
    SELECT p.id AS id,
      's' || p.status
      || ' c' || {number.format("p.category_id")}
      || ' d' || {number.format("p.directorate_id")}
      || ' l' || {number.format("p.lead_officer_id")}
      || ' ' || {BAND_FACET}
      || ' p' || {number.format("p.lead_officer_id")}
      || coalesce(' ' || (SELECT {people} FROM procurement_collaborator c
                          WHERE c.procurement_id = p.id), '') AS facets
    FROM procurement p"""


FACET_COLUMNS = "search_text, status, category_id, directorate_id, lead_officer_id, value_pence"

SQLITE_TRIGGERS = {
    "procurement_search_insert": """
        CREATE TRIGGER procurement_search_insert AFTER INSERT ON procurement BEGIN
          INSERT INTO procurement_fts (rowid, search_text, facets)
          SELECT new.id, new.search_text, facets FROM procurement_facets WHERE id = new.id;
        END""",
    "procurement_search_delete": """
        CREATE TRIGGER procurement_search_delete AFTER DELETE ON procurement BEGIN
          DELETE FROM procurement_fts WHERE rowid = old.id;
        END""",
    "procurement_search_update": f"""
        CREATE TRIGGER procurement_search_update
        AFTER UPDATE OF {FACET_COLUMNS} ON procurement BEGIN
          DELETE FROM procurement_fts WHERE rowid = old.id;
          INSERT INTO procurement_fts (rowid, search_text, facets)
          SELECT new.id, new.search_text, facets FROM procurement_facets WHERE id = new.id;
        END""",
    "procurement_search_collaborator_added": """
        CREATE TRIGGER procurement_search_collaborator_added
        AFTER INSERT ON procurement_collaborator BEGIN
          UPDATE procurement_fts
          SET facets = (SELECT facets FROM procurement_facets WHERE id = new.procurement_id)
          WHERE rowid = new.procurement_id;
        END""",
    "procurement_search_collaborator_removed": """
        CREATE TRIGGER procurement_search_collaborator_removed
        AFTER DELETE ON procurement_collaborator BEGIN
          UPDATE procurement_fts
          SET facets = (SELECT facets FROM procurement_facets WHERE id = old.procurement_id)
          WHERE rowid = old.procurement_id;
        END""",
}
SQLITE_BEFORE = ("procurement_search_insert", "procurement_search_delete",
                 "procurement_search_update")  # fmt: skip
SQLITE_TRIGGERS_BEFORE = (  # as migration 0017 made them
    """CREATE TRIGGER procurement_search_insert AFTER INSERT ON procurement BEGIN
         INSERT INTO procurement_fts (rowid, search_text, status)
         VALUES (new.id, new.search_text, new.status);
       END""",
    """CREATE TRIGGER procurement_search_delete AFTER DELETE ON procurement BEGIN
         INSERT INTO procurement_fts (procurement_fts, rowid, search_text, status)
         VALUES ('delete', old.id, old.search_text, old.status);
       END""",
    """CREATE TRIGGER procurement_search_update
       AFTER UPDATE OF search_text, status ON procurement BEGIN
         INSERT INTO procurement_fts (procurement_fts, rowid, search_text, status)
         VALUES ('delete', old.id, old.search_text, old.status);
         INSERT INTO procurement_fts (rowid, search_text, status)
         VALUES (new.id, new.search_text, new.status);
       END""",
)

POSTGRES_KEEP = """CREATE OR REPLACE FUNCTION procurement_search_keep() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO procurement_search (id, status, search_vector, facets)
      SELECT p.id, p.status, strip(to_tsvector('simple', p.search_text)),
             array_to_tsvector(string_to_array(f.facets, ' '))
      FROM procurement p JOIN procurement_facets f ON f.id = p.id
      WHERE p.id = NEW.id
      ON CONFLICT (id) DO UPDATE
        SET status = EXCLUDED.status, search_vector = EXCLUDED.search_vector,
            facets = EXCLUDED.facets;
      RETURN NULL;
    END $$"""
POSTGRES_KEEP_BEFORE = """CREATE OR REPLACE FUNCTION procurement_search_keep() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO procurement_search (id, status, search_vector)
      VALUES (NEW.id, NEW.status, strip(to_tsvector('simple', NEW.search_text)))
      ON CONFLICT (id) DO UPDATE
        SET status = EXCLUDED.status, search_vector = EXCLUDED.search_vector;
      RETURN NULL;
    END $$"""
POSTGRES_COLLABORATORS = (
    """CREATE FUNCTION procurement_search_people() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         changed integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.procurement_id
                                 ELSE NEW.procurement_id END;
       BEGIN
         UPDATE procurement_search
         SET facets = (SELECT array_to_tsvector(string_to_array(facets, ' '))
                       FROM procurement_facets WHERE id = changed)
         WHERE id = changed;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER procurement_search_people
       AFTER INSERT OR DELETE ON procurement_collaborator
       FOR EACH ROW EXECUTE FUNCTION procurement_search_people()""",
)


TALLY = (
    """CREATE TABLE procurement_tally (
         status varchar(10) PRIMARY KEY,
         procurements integer NOT NULL)""",
    """INSERT INTO procurement_tally (status, procurements)
       SELECT status, count(*) FROM procurement GROUP BY status""",
)
SQLITE_TALLY_TRIGGERS = {
    "procurement_tally_insert": """
        CREATE TRIGGER procurement_tally_insert AFTER INSERT ON procurement BEGIN
          INSERT INTO procurement_tally (status, procurements) VALUES (new.status, 1)
          ON CONFLICT (status) DO UPDATE SET procurements = procurements + 1;
        END""",
    "procurement_tally_delete": """
        CREATE TRIGGER procurement_tally_delete AFTER DELETE ON procurement BEGIN
          UPDATE procurement_tally SET procurements = procurements - 1 WHERE status = old.status;
        END""",
    "procurement_tally_update": """
        CREATE TRIGGER procurement_tally_update AFTER UPDATE OF status ON procurement
        WHEN old.status IS NOT new.status BEGIN
          UPDATE procurement_tally SET procurements = procurements - 1 WHERE status = old.status;
          INSERT INTO procurement_tally (status, procurements) VALUES (new.status, 1)
          ON CONFLICT (status) DO UPDATE SET procurements = procurements + 1;
        END""",
}
POSTGRES_TALLY = (
    """CREATE FUNCTION procurement_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'UPDATE') THEN
           UPDATE procurement_tally SET procurements = procurements - 1
           WHERE status = OLD.status;
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN
           INSERT INTO procurement_tally (status, procurements) VALUES (NEW.status, 1)
           ON CONFLICT (status) DO UPDATE
             SET procurements = procurement_tally.procurements + 1;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER procurement_tally_keep AFTER INSERT OR DELETE ON procurement
       FOR EACH ROW EXECUTE FUNCTION procurement_tally_keep()""",
    """CREATE TRIGGER procurement_tally_move AFTER UPDATE OF status ON procurement
       FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
       EXECUTE FUNCTION procurement_tally_keep()""",
)
POSTGRES_WORDS = (
    # Collation "C": a word's start is a range of the index, byte by byte.
    'CREATE TABLE procurement_word (word text COLLATE "C" PRIMARY KEY)',
    """CREATE FUNCTION procurement_word_keep() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO procurement_word (word)
         SELECT unnest(tsvector_to_array(NEW.search_vector))
         ON CONFLICT DO NOTHING;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER procurement_word_keep
       AFTER INSERT OR UPDATE OF search_vector ON procurement_search
       FOR EACH ROW EXECUTE FUNCTION procurement_word_keep()""",
    """INSERT INTO procurement_word (word)
       SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM procurement_search""",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(facets_view(dialect))
    for statement in TALLY:
        op.execute(statement)
    if dialect == "sqlite":
        for trigger in SQLITE_TALLY_TRIGGERS.values():
            op.execute(trigger)
    else:
        for statement in (*POSTGRES_TALLY, *POSTGRES_WORDS):
            op.execute(statement)
    if dialect == "sqlite":
        for name in SQLITE_BEFORE:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE procurement_fts")
        # detail=column: which column a word is in, not where in it (no phrase search is made).
        op.execute(
            "CREATE VIRTUAL TABLE procurement_fts USING fts5(search_text, facets, "
            "detail=column, tokenize='unicode61 remove_diacritics 2')"
        )
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
        op.execute(
            "INSERT INTO procurement_fts (rowid, search_text, facets) "
            "SELECT p.id, p.search_text, f.facets "
            "FROM procurement p JOIN procurement_facets f ON f.id = p.id"
        )
    else:
        op.execute("ALTER TABLE procurement_search ADD COLUMN facets tsvector")
        op.execute(
            "UPDATE procurement_search s SET facets = "
            "array_to_tsvector(string_to_array(f.facets, ' ')) "
            "FROM procurement_facets f WHERE f.id = s.id"
        )
        op.execute("ALTER TABLE procurement_search ALTER COLUMN facets SET NOT NULL")
        op.execute("DROP INDEX ix_procurement_search")
        op.execute(
            "CREATE INDEX ix_procurement_search ON procurement_search "
            "USING gin (search_vector, facets)"
        )
        op.execute(POSTGRES_KEEP)
        op.execute("DROP TRIGGER procurement_search_keep ON procurement")
        op.execute(
            f"""CREATE TRIGGER procurement_search_keep
            AFTER INSERT OR UPDATE OF {FACET_COLUMNS} ON procurement
            FOR EACH ROW EXECUTE FUNCTION procurement_search_keep()"""
        )
        for statement in POSTGRES_COLLABORATORS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (*SQLITE_TRIGGERS, *SQLITE_TALLY_TRIGGERS):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE procurement_fts")
        # As migration 0017 left them.
        op.execute(
            "CREATE VIRTUAL TABLE procurement_fts USING fts5(search_text, status, "
            "content='procurement', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        for trigger in SQLITE_TRIGGERS_BEFORE:
            op.execute(trigger)
        op.execute("INSERT INTO procurement_fts (procurement_fts) VALUES ('rebuild')")
    else:
        op.execute("DROP TRIGGER procurement_word_keep ON procurement_search")
        op.execute("DROP FUNCTION procurement_word_keep()")
        op.execute("DROP TABLE procurement_word")
        op.execute("DROP TRIGGER procurement_tally_keep ON procurement")
        op.execute("DROP TRIGGER procurement_tally_move ON procurement")
        op.execute("DROP FUNCTION procurement_tally_keep()")
        op.execute("DROP TRIGGER procurement_search_people ON procurement_collaborator")
        op.execute("DROP FUNCTION procurement_search_people()")
        op.execute("DROP TRIGGER procurement_search_keep ON procurement")
        op.execute(POSTGRES_KEEP_BEFORE)
        op.execute(
            """CREATE TRIGGER procurement_search_keep
            AFTER INSERT OR UPDATE OF search_text, status ON procurement
            FOR EACH ROW EXECUTE FUNCTION procurement_search_keep()"""
        )
        op.execute("DROP INDEX ix_procurement_search")
        op.execute(
            "CREATE INDEX ix_procurement_search ON procurement_search USING gin (search_vector)"
        )
        op.execute("ALTER TABLE procurement_search DROP COLUMN facets")
    op.execute("DROP TABLE procurement_tally")
    op.execute("DROP VIEW procurement_facets")
