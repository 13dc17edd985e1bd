"""Harmonised accident tables partitioned by year, so that a year is loaded by swapping it in.

A load builds the year's tables apart (COPY without indexes, then bulk index builds) and
attaches them in one short transaction: much cheaper than copying into indexed tables, and
readers see the old year or the new one. Primary keys of partitioned tables must hold the
partition key, hence `year` in every key. A DEFAULT partition takes rows written straight
into a parent for a year that has no partition yet. Existing rows move to their year's
partition. The index on `year` goes: each partition holds one year, pruning finds it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("accidents", "places", "vehicles", "persons")

COMMENTS = {
    "accidents": "One row per accident (BAAC caracteristiques), every year, both layouts.",
    "places": "Accident places (BAAC lieux).",
    "vehicles": "Vehicles involved (BAAC vehicules).",
    "persons": "Persons involved (BAAC usagers) with injury severity.",
}

PARTITIONED_KEYS = {
    "accidents": "num_acc, year",
    "places": "num_acc, seq, year",
    "vehicles": "num_acc, num_veh, year",
    "persons": "num_acc, seq, year",
}

PLAIN_KEYS = {
    "accidents": "num_acc",
    "places": "num_acc, seq",
    "vehicles": "num_acc, num_veh",
    "persons": "num_acc, seq",
}

ACCIDENT_INDEXES = """
    CREATE INDEX accidents_dep_year_idx ON accidents (dep, year);
    CREATE INDEX accidents_com_current_year_idx ON accidents (com_current, year);
    CREATE INDEX accidents_date_idx ON accidents (accident_date);
    CREATE INDEX accidents_location_idx ON accidents USING gist (point(lon, lat))
        WHERE lat IS NOT NULL AND lon IS NOT NULL;
"""


def _rebuild(table: str, partitioned: bool) -> None:
    """Recreate `table` (partitioned by year or plain) with its rows, keys and indexes."""
    old = f"{table}_being_rebuilt"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} DROP CONSTRAINT {table}_pkey")
    if table == "accidents":
        for index in ("year", "dep_year", "com_current_year", "date", "location"):
            op.execute(f"DROP INDEX IF EXISTS accidents_{index}_idx")
    partitioning = " PARTITION BY LIST (year)" if partitioned else ""
    op.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){partitioning}"
    )
    keys = PARTITIONED_KEYS if partitioned else PLAIN_KEYS
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({keys[table]})")
    if table == "accidents":
        op.execute(ACCIDENT_INDEXES)
        if not partitioned:  # a partition holds one year: an index on it would find nothing
            op.execute("CREATE INDEX accidents_year_idx ON accidents (year)")
    op.execute(f"COMMENT ON TABLE {table} IS '{COMMENTS[table]}'")
    if partitioned:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        op.execute(
            f"""
            DO $$
            DECLARE y smallint;
            BEGIN
                FOR y IN SELECT DISTINCT year FROM {old} LOOP
                    EXECUTE format(
                        'CREATE TABLE %I PARTITION OF {table} FOR VALUES IN (%s)',
                        '{table}_' || y, y
                    );
                END LOOP;
            END $$
            """
        )
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    op.execute(f"DROP TABLE {old}")


def upgrade() -> None:
    for table in TABLES:
        _rebuild(table, partitioned=True)


def downgrade() -> None:
    for table in TABLES:
        _rebuild(table, partitioned=False)
