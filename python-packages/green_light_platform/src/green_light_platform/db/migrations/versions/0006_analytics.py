"""The dashboards' analytics layer: aggregates in materialised views of schema `analytics`,
and the read-only role the dashboards log in with.

Pages never aggregate the raw tables: they read these views, which the ingestion refreshes
after each load (every materialised view of the schema, in dependency order). Each view has a
unique index, so it can be refreshed concurrently while dashboards read it.

- `accident_facts`: one row per accident with its worst injury (a `grav` code), injury counts,
  first place's road, and the road users (`catu`) and vehicle categories (`catv`) involved.
- `person_facts`: one row per person with their accident's place, age and vehicle category.
- `commune_year`, `departement_year`: the KPIs of each place and year.
- `departement_population`: population and population-weighted centre of each departement.
- `accident_cells`: the hot-spot cell (H3) of each located accident. A table, not a view: the
  cells are computed in Python (package `h3`) by the hooks the refresh runs first.
- `cell_year`: accidents per candidate hot-spot cell, year and road category, counted by worst
  injury; a candidate has at least `hotspot_floor()` accidents over all years.

The role `gls_reader` (no login) may read the accident tables, the reference, the file
registry and the analytics schema, and nothing else (not `api_users`, not the prediction
log); a login role is made a member of it (`gls up` does it for the UI's login). Roles belong
to the server, so it is created once and kept on downgrade; its grants here are revoked.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0004"
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

CREATE MATERIALIZED VIEW analytics.accident_facts AS
WITH people AS (
    SELECT num_acc, year,
           count(*)::int AS persons,
           (count(*) FILTER (WHERE grav = 2))::int AS killed,
           (count(*) FILTER (WHERE grav = 3))::int AS hospitalised,
           (count(*) FILTER (WHERE grav = 4))::int AS lightly_injured,
           array_agg(DISTINCT catu ORDER BY catu) FILTER (WHERE catu IS NOT NULL) AS road_users
    FROM persons
    GROUP BY num_acc, year
), fleet AS (
    SELECT num_acc, year,
           count(*)::int AS vehicles,
           array_agg(DISTINCT catv ORDER BY catv) FILTER (WHERE catv IS NOT NULL)
               AS vehicle_categories
    FROM vehicles
    GROUP BY num_acc, year
)
SELECT a.num_acc, a.year, a.accident_date, a.month,
       EXTRACT(ISODOW FROM a.accident_date)::smallint AS weekday, a.hour, a.minute,
       a.dep, a.com_current AS commune, a.adr, a.lat, a.lon,
       a.lum, a.atm, a.agg, a.inter, a.col, p.catr, p.vma, p.surf,
       coalesce(u.persons, 0) AS persons,
       coalesce(u.killed, 0) AS killed,
       coalesce(u.hospitalised, 0) AS hospitalised,
       coalesce(u.lightly_injured, 0) AS lightly_injured,
       coalesce(f.vehicles, 0) AS vehicles,
       coalesce(u.road_users, '{}') AS road_users,
       coalesce(f.vehicle_categories, '{}') AS vehicle_categories,
       (CASE WHEN u.killed > 0 THEN 2 WHEN u.hospitalised > 0 THEN 3
             WHEN u.lightly_injured > 0 THEN 4 WHEN u.persons > 0 THEN 1 END)::smallint
           AS worst_grav,
       coalesce(u.killed + u.hospitalised > 0, false) AS ksi
FROM accidents a
LEFT JOIN places p ON p.num_acc = a.num_acc AND p.year = a.year AND p.seq = 1
LEFT JOIN people u ON u.num_acc = a.num_acc AND u.year = a.year
LEFT JOIN fleet f ON f.num_acc = a.num_acc AND f.year = a.year;
CREATE UNIQUE INDEX accident_facts_key ON analytics.accident_facts (num_acc, year);
CREATE INDEX accident_facts_commune_idx ON analytics.accident_facts (commune, year);
CREATE INDEX accident_facts_dep_idx ON analytics.accident_facts (dep, year);
COMMENT ON MATERIALIZED VIEW analytics.accident_facts IS
    'One row per accident: worst injury (grav code), counts, road, road users, vehicles.';

CREATE MATERIALIZED VIEW analytics.person_facts AS
SELECT u.num_acc, u.year, u.seq, a.dep, a.com_current AS commune, u.catu, u.grav,
       (CASE WHEN u.year - u.an_nais BETWEEN 0 AND 110 THEN u.year - u.an_nais END)::smallint
           AS age,
       v.catv
FROM persons u
JOIN accidents a ON a.num_acc = u.num_acc AND a.year = u.year
LEFT JOIN vehicles v ON v.num_acc = u.num_acc AND v.year = u.year AND v.num_veh = u.num_veh;
CREATE UNIQUE INDEX person_facts_key ON analytics.person_facts (num_acc, seq, year);
CREATE INDEX person_facts_commune_idx ON analytics.person_facts (commune, year);
CREATE INDEX person_facts_dep_idx ON analytics.person_facts (dep, year);
COMMENT ON MATERIALIZED VIEW analytics.person_facts IS
    'One row per person: the accident''s place, the person''s age, user type and vehicle.';

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
CREATE TABLE analytics.cell_years (
    year           smallint PRIMARY KEY,
    source_file_id bigint,
    resolution     smallint    NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE analytics.accident_cells IS
    'Hot-spot cell (H3 index) of each located accident, written by the refresh hooks.';
COMMENT ON TABLE analytics.cell_years IS
    'Which accidents file (and H3 resolution) the cells of each year were computed from.';

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
