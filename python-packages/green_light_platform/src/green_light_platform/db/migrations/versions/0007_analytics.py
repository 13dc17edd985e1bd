"""The dashboards' analytics layer in schema `analytics`, and the read-only role the
dashboards log in with.

Pages never aggregate the raw tables: they read these tables and views, which the ingestion
brings up to date after each load. Per-accident tables are written year by year by the hooks
the refresh runs first (package green_light_ui: only the years whose accidents file changed
are recomputed, and H3 needs Python); the aggregates are materialised views refreshed after,
in dependency order.

- `accident_facts` (table): one row per accident with its worst injury (a `grav` code), injury
  counts, first place's road, and the road users (`catu`) and vehicle categories (`catv`).
- `person_facts` (table): one row per person with the accident's place, age and vehicle.
- `accident_cells` (table): the hot-spot cell (H3 index) of each located accident.
- `computed_years` (table): which accidents file each year's rows come from.
- `commune_year`, `departement_year`: the KPIs of each place and year.
- `departement_population`: population and population-weighted centre of each departement.
- `cell_year`: accidents per candidate hot-spot cell, year and road category, counted by worst
  injury; a candidate has at least `hotspot_floor()` accidents over all years.

The role `gls_reader` (no login) may read the accident tables, the reference, the file
registry and the analytics schema, and nothing else (not `api_users`, not the prediction
log); a login role is made a member of it (`gls up` does it for the UI's login). Roles belong
to the server, so it is created once and kept on downgrade; its grants here are revoked.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

READER = "gls_reader"
READABLE = (
    "accidents",
    "places",
    "vehicles",
    "persons",
    "communes",
    "commune_former_codes",
    "departements",
    "regions",
    "source_files",
    "ingested_years",
)

VIEWS = """
CREATE FUNCTION analytics.hotspot_floor() RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT 3';
COMMENT ON FUNCTION analytics.hotspot_floor() IS
    'Fewest accidents (over all years) that make a cell a hot-spot candidate in cell_year.';

CREATE TABLE analytics.accident_facts (
    num_acc            bigint   NOT NULL,
    year               smallint NOT NULL,
    accident_date      date     NOT NULL,
    month              smallint NOT NULL,
    weekday            smallint NOT NULL,
    hour               smallint,
    minute             smallint,
    dep                text     NOT NULL,
    commune            text,
    adr                text,
    lat                double precision,
    lon                double precision,
    lum                smallint,
    atm                smallint,
    agg                smallint,
    inter              smallint,
    col                smallint,
    catr               smallint,
    vma                smallint,
    surf               smallint,
    persons            integer  NOT NULL,
    killed             integer  NOT NULL,
    hospitalised       integer  NOT NULL,
    lightly_injured    integer  NOT NULL,
    vehicles           integer  NOT NULL,
    road_users         smallint[] NOT NULL,
    vehicle_categories smallint[] NOT NULL,
    worst_grav         smallint,
    ksi                boolean  NOT NULL,
    PRIMARY KEY (num_acc, year)
);
CREATE INDEX accident_facts_commune_idx ON analytics.accident_facts (commune, year);
CREATE INDEX accident_facts_dep_idx ON analytics.accident_facts (dep, year);
CREATE INDEX accident_facts_year_idx ON analytics.accident_facts (year);
COMMENT ON TABLE analytics.accident_facts IS
    'One row per accident: worst injury (grav code), counts, road, road users, vehicles;'
    ' written year by year by the refresh hooks.';

CREATE TABLE analytics.person_facts (
    num_acc bigint   NOT NULL,
    year    smallint NOT NULL,
    seq     smallint NOT NULL,
    dep     text     NOT NULL,
    commune text,
    catu    smallint,
    grav    smallint,
    age     smallint,
    catv    smallint,
    PRIMARY KEY (num_acc, seq, year)
);
CREATE INDEX person_facts_commune_idx ON analytics.person_facts (commune, year);
CREATE INDEX person_facts_dep_idx ON analytics.person_facts (dep, year);
COMMENT ON TABLE analytics.person_facts IS
    'One row per person: the accident''s place, user type, injury, age, vehicle category;'
    ' written year by year by the refresh hooks.';

CREATE MATERIALIZED VIEW analytics.commune_year AS
SELECT dep, commune, year,
       count(*)::int AS accidents,
       (count(*) FILTER (WHERE ksi))::int AS ksi_accidents,
       (count(*) FILTER (WHERE worst_grav = 2))::int AS fatal_accidents,
       sum(killed)::int AS killed,
       sum(hospitalised)::int AS hospitalised,
       sum(lightly_injured)::int AS lightly_injured,
       sum(persons)::int AS persons
FROM analytics.accident_facts
GROUP BY dep, commune, year;
CREATE UNIQUE INDEX commune_year_key ON analytics.commune_year (commune, dep, year)
    NULLS NOT DISTINCT;
CREATE INDEX commune_year_year_idx ON analytics.commune_year (year);

CREATE MATERIALIZED VIEW analytics.departement_year AS
SELECT dep, year,
       sum(accidents)::int AS accidents,
       sum(ksi_accidents)::int AS ksi_accidents,
       sum(fatal_accidents)::int AS fatal_accidents,
       sum(killed)::int AS killed,
       sum(hospitalised)::int AS hospitalised,
       sum(lightly_injured)::int AS lightly_injured,
       sum(persons)::int AS persons
FROM analytics.commune_year
GROUP BY dep, year;
CREATE UNIQUE INDEX departement_year_key ON analytics.departement_year (dep, year);

CREATE MATERIALIZED VIEW analytics.departement_population AS
SELECT d.code AS dep, d.name, d.region,
       coalesce(sum(c.population), 0)::bigint AS population,
       sum(c.lat * c.population) / nullif(sum(c.population) FILTER (WHERE c.lat IS NOT NULL), 0)
           AS lat,
       sum(c.lon * c.population) / nullif(sum(c.population) FILTER (WHERE c.lon IS NOT NULL), 0)
           AS lon
FROM departements d
LEFT JOIN communes c ON c.departement = d.code
GROUP BY d.code, d.name, d.region;
CREATE UNIQUE INDEX departement_population_key ON analytics.departement_population (dep);

CREATE TABLE analytics.accident_cells (
    num_acc bigint   NOT NULL,
    year    smallint NOT NULL,
    cell    bigint   NOT NULL,
    PRIMARY KEY (num_acc, year)
);
CREATE INDEX accident_cells_cell_idx ON analytics.accident_cells (cell);
CREATE TABLE analytics.computed_years (
    year           smallint PRIMARY KEY,
    source_file_id bigint,
    resolution     smallint    NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE analytics.accident_cells IS
    'Hot-spot cell (H3 index) of each located accident, written by the refresh hooks.';
COMMENT ON TABLE analytics.computed_years IS
    'Which accidents file (and H3 resolution) the facts and cells of each year come from.';

CREATE MATERIALIZED VIEW analytics.cell_year AS
WITH candidates AS (
    SELECT cell FROM analytics.accident_cells
    GROUP BY cell HAVING count(*) >= analytics.hotspot_floor()
)
SELECT c.cell, f.year, f.catr,
       count(*)::int AS accidents,
       (count(*) FILTER (WHERE f.worst_grav = 2))::int AS fatal_accidents,
       (count(*) FILTER (WHERE f.worst_grav = 3))::int AS hospitalised_accidents,
       (count(*) FILTER (WHERE f.worst_grav = 4))::int AS light_accidents,
       sum(f.killed)::int AS killed,
       sum(f.hospitalised)::int AS hospitalised,
       sum(f.lightly_injured)::int AS lightly_injured
FROM analytics.accident_cells c
JOIN candidates USING (cell)
JOIN analytics.accident_facts f ON f.num_acc = c.num_acc AND f.year = c.year
GROUP BY c.cell, f.year, f.catr;
CREATE UNIQUE INDEX cell_year_key ON analytics.cell_year (cell, year, catr) NULLS NOT DISTINCT;
CREATE INDEX cell_year_year_idx ON analytics.cell_year (year);
"""


def upgrade() -> None:
    op.execute("CREATE SCHEMA analytics")
    op.execute(VIEWS)
    op.execute(
        f"""
        DO $$
        BEGIN
            CREATE ROLE {READER} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- the server has it already (another database, a concurrent migration)
        END $$
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public, analytics TO {READER}")
    op.execute(f"GRANT SELECT ON {', '.join(READABLE)} TO {READER}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO {READER}")
    op.execute(f"GRANT EXECUTE ON FUNCTION analytics.hotspot_floor() TO {READER}")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON {', '.join(READABLE)} FROM {READER}")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {READER}")
    op.execute("DROP SCHEMA analytics CASCADE")
