"""Every query the dashboards run: named, parameterised, and reading the `analytics` views.

Pages never load a table: each query aggregates in PostgreSQL and returns at most a few
thousand rows. Parameters are bound by the driver (`:name`); the only text put into SQL is
chosen from fixed lists here (the scope column, the severity counted). A place's scope is a
commune (`commune`, its current INSEE code) or a departement (`dep`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gravity_model.features import FEATURES
from road_accidents_database_ingestion.codes import KSI_GRAV_CODES

Scope = Literal["commune", "dep"]
SCOPES: tuple[Scope, ...] = ("commune", "dep")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str


AGE_GROUPS: tuple[tuple[int, int], ...] = (
    (0, 14),
    (15, 17),
    (18, 24),
    (25, 34),
    (35, 44),
    (45, 54),
    (55, 64),
    (65, 74),
    (75, 110),
)
"""The age bands of ONISR's reports; a person's band is coded by its lower bound."""

_AGE_GROUP = (
    "CASE "
    + " ".join(f"WHEN p.age BETWEEN {low} AND {high} THEN {low}" for low, high in AGE_GROUPS)
    + " END"
)

KPI_COLUMNS = (
    "accidents",
    "ksi_accidents",
    "fatal_accidents",
    "killed",
    "hospitalised",
    "lightly_injured",
    "persons",
)


def _kpis(zero_when_none: bool = False) -> str:
    """The sums of every KPI column (0 rather than NULL for a place with no row)."""
    if zero_when_none:
        return ", ".join(f"coalesce(sum({c}), 0)::int AS {c}" for c in KPI_COLUMNS)
    return ", ".join(f"sum({c})::int AS {c}" for c in KPI_COLUMNS)


_KPIS = _kpis()

YEARS = Query(
    "years",
    "SELECT min(year) AS first, max(year) AS last, sum(accidents)::bigint AS accidents"
    " FROM analytics.departement_year",
)

DEPARTEMENT_RATES = Query(
    "departement_rates",
    f"""
    SELECT p.dep, p.name, p.population, p.lat, p.lon,
           {_kpis(zero_when_none=True)}
    FROM analytics.departement_population p
    LEFT JOIN analytics.departement_year d
           ON d.dep = p.dep AND d.year BETWEEN :first AND :last
    GROUP BY p.dep, p.name, p.population, p.lat, p.lon
    ORDER BY p.dep
    """,
)

NATIONAL_TREND = Query(
    "national_trend",
    f"SELECT year, {_KPIS} FROM analytics.departement_year GROUP BY year ORDER BY year",
)

TOP_COMMUNES = Query(
    "top_communes",
    f"""
    SELECT y.commune, c.name, c.departement AS dep, c.population, {_KPIS}
    FROM analytics.commune_year y
    JOIN communes c ON c.code = y.commune
    WHERE y.year BETWEEN :first AND :last
    GROUP BY y.commune, c.name, c.departement, c.population
    ORDER BY ksi_accidents DESC, accidents DESC, y.commune
    LIMIT :limit
    """,
)

PLACE_OPTIONS = Query(
    "place_options",
    """
    WITH shown AS (
        SELECT c.code, c.name, c.departement FROM communes c
        WHERE EXISTS (SELECT 1 FROM analytics.commune_year y WHERE y.commune = c.code)
    )
    SELECT 'dep' AS kind, p.dep AS code, p.name, p.dep, NULL AS former_code,
           NULL AS former_name
    FROM analytics.departement_population p
    WHERE EXISTS (SELECT 1 FROM analytics.departement_year d WHERE d.dep = p.dep)
    UNION ALL
    SELECT 'commune', c.code, c.name, c.departement, NULL, NULL
    FROM shown c
    UNION ALL
    SELECT 'commune', c.code, c.name, c.departement, f.former_code, n.name
    FROM commune_former_codes f
    JOIN shown c ON c.code = f.current_code
    LEFT JOIN commune_former_names n ON n.former_code = f.former_code
    WHERE f.former_code <> f.current_code
    UNION ALL
    SELECT 'commune', c.code, c.name, c.departement, n.former_code, n.name
    FROM commune_former_names n
    JOIN shown c ON c.code = n.current_code
    WHERE n.name <> c.name
      AND NOT EXISTS (SELECT 1 FROM commune_former_codes f WHERE f.former_code = n.former_code)
    ORDER BY 1 DESC, 3, 2, 5 NULLS FIRST
    """,
)
"""Every place the search box offers: departements and communes with accidents, and each
commune again under every former code and former name it has (merged communes)."""

PLACE_POPULATION = {
    "commune": Query(
        "commune_population",
        "SELECT c.name, c.departement AS dep, c.population FROM communes c WHERE c.code = :code",
    ),
    "dep": Query(
        "departement_population",
        "SELECT name, dep, population FROM analytics.departement_population WHERE dep = :code",
    ),
}

NATIONAL_POPULATION = Query(
    "national_population",
    "SELECT sum(population)::bigint AS population FROM analytics.departement_population",
)

PLACE_BY_YEAR = {
    "commune": Query(
        "commune_by_year",
        f"SELECT year, {_KPIS} FROM analytics.commune_year WHERE commune = :code"
        " GROUP BY year ORDER BY year",
    ),
    "dep": Query(
        "departement_by_year",
        f"SELECT year, {_KPIS} FROM analytics.departement_year WHERE dep = :code"
        " GROUP BY year ORDER BY year",
    ),
}


def _scoped(name: str, template: str) -> dict[Scope, Query]:
    return {scope: Query(f"{name}_by_{scope}", template.format(scope=scope)) for scope in SCOPES}


PLACE_BREAKDOWN = _scoped(
    "place_breakdown",
    """
    SELECT d.dimension, d.value, count(*)::int AS accidents,
           (count(*) FILTER (WHERE f.ksi))::int AS ksi_accidents,
           sum(f.killed)::int AS killed, sum(f.hospitalised)::int AS hospitalised,
           sum(f.lightly_injured)::int AS lightly_injured
    FROM analytics.accident_facts f
    CROSS JOIN LATERAL (VALUES
        ('month', f.month::int), ('weekday_hour', f.weekday * 100 + f.hour),
        ('lum', f.lum::int), ('atm', f.atm::int), ('catr', f.catr::int),
        ('agg', f.agg::int), ('inter', f.inter::int)
    ) AS d (dimension, value)
    WHERE f.{scope} = :code AND f.year BETWEEN :first AND :last
    GROUP BY d.dimension, d.value
    ORDER BY d.dimension, d.value
    """,
)

PLACE_PEOPLE = _scoped(
    "place_people",
    f"""
    SELECT d.dimension, d.value, count(*)::int AS persons,
           (count(*) FILTER (WHERE p.grav = 2))::int AS killed,
           (count(*) FILTER (WHERE p.grav = 3))::int AS hospitalised,
           (count(*) FILTER (WHERE p.grav = 4))::int AS lightly_injured
    FROM analytics.person_facts p
    CROSS JOIN LATERAL (VALUES
        ('catu', p.catu::int), ('age_group', {_AGE_GROUP}), ('catv', p.catv::int)
    ) AS d (dimension, value)
    WHERE p.{{scope}} = :code AND p.year BETWEEN :first AND :last
    GROUP BY d.dimension, d.value
    ORDER BY d.dimension, d.value
    """,
)

PLACE_ACCIDENTS = _scoped(
    "place_accidents",
    """
    SELECT f.num_acc, f.year, f.accident_date, f.hour, f.lat, f.lon, f.worst_grav,
           f.killed, f.hospitalised, f.lightly_injured, f.adr
    FROM analytics.accident_facts f
    WHERE f.{scope} = :code AND f.year BETWEEN :first AND :last
      AND f.lat IS NOT NULL AND f.lon IS NOT NULL
    ORDER BY array_position(ARRAY[2, 3, 4, 1], f.worst_grav::int), f.accident_date DESC,
             f.num_acc
    LIMIT :limit
    """,
)

CRASH = Query(
    "crash",
    """
    SELECT f.num_acc, f.year, f.accident_date, f.hour, f.minute, f.dep, f.commune,
           c.name AS commune_name, f.adr, f.lat, f.lon, f.lum, f.atm, f.agg, f.inter, f.col,
           f.catr, f.vma, f.surf, f.worst_grav, f.killed, f.hospitalised, f.lightly_injured,
           f.persons, f.vehicles
    FROM analytics.accident_facts f
    LEFT JOIN communes c ON c.code = f.commune
    WHERE f.num_acc = :num_acc AND f.year = :year
    """,
)

CRASH_VEHICLES = Query(
    "crash_vehicles",
    """
    SELECT num_veh, catv, obs, obsm, choc, manv, motor FROM vehicles
    WHERE num_acc = :num_acc AND year = :year ORDER BY num_veh
    """,
)

CRASH_PERSONS = Query(
    "crash_persons",
    """
    SELECT num_veh, catu, grav, sexe,
           CASE WHEN year - an_nais BETWEEN 0 AND 110 THEN year - an_nais END AS age,
           trajet, secu1
    FROM persons
    WHERE num_acc = :num_acc AND year = :year ORDER BY num_veh NULLS LAST, seq
    """,
)

WORST_PLACES = _scoped(
    "worst_places",
    """
    SELECT c.cell, count(*)::int AS accidents,
           (count(*) FILTER (WHERE f.ksi))::int AS ksi_accidents,
           sum(f.killed)::int AS killed, sum(f.hospitalised)::int AS hospitalised,
           (count(*) FILTER (WHERE f.worst_grav = 2) * :w_fatal
            + count(*) FILTER (WHERE f.worst_grav = 3) * :w_hospitalised
            + count(*) FILTER (WHERE f.worst_grav NOT IN (2, 3)) * :w_other)::int AS score,
           mode() WITHIN GROUP (ORDER BY f.adr) AS address
    FROM analytics.accident_facts f
    JOIN analytics.accident_cells c ON c.num_acc = f.num_acc AND c.year = f.year
    WHERE f.{scope} = :code AND f.year BETWEEN :first AND :last
    GROUP BY c.cell
    ORDER BY score DESC, accidents DESC, c.cell
    LIMIT :limit
    """,
)

HOTSPOT_FLOOR = Query("hotspot_floor", "SELECT analytics.hotspot_floor() AS floor")

COUNTED: dict[str, str] = {
    "all": "accidents",
    "ksi": "fatal_accidents + hospitalised_accidents",
    "fatal": "fatal_accidents",
}
"""What a hot spot counts, by severity filter: every injury accident, KSI ones, fatal ones."""

_HOTSPOT_SCORE = """
    sum(fatal_accidents) * :w_fatal + sum(hospitalised_accidents) * :w_hospitalised
    + sum(accidents - fatal_accidents - hospitalised_accidents) * :w_other"""


def _hotspot_ranking(severity: str) -> Query:
    counted = COUNTED[severity]
    return Query(
        f"hotspot_ranking_{severity}",
        f"""
        SELECT cell, sum({counted})::int AS counted, sum(accidents)::int AS accidents,
               sum(fatal_accidents + hospitalised_accidents)::int AS ksi_accidents,
               sum(fatal_accidents)::int AS fatal_accidents,
               sum(killed)::int AS killed, sum(hospitalised)::int AS hospitalised,
               sum(lightly_injured)::int AS lightly_injured,
               ({_HOTSPOT_SCORE})::int AS score,
               coalesce(sum(accidents) FILTER (WHERE year > :middle), 0)::int AS late_accidents,
               coalesce(sum(accidents) FILTER (WHERE year <= :middle), 0)::int AS early_accidents
        FROM analytics.cell_year
        WHERE year BETWEEN :first AND :last
          AND (cardinality(CAST(:road_categories AS int[])) = 0
               OR catr = ANY(CAST(:road_categories AS int[])))
        GROUP BY cell
        HAVING sum({counted}) >= :min_accidents
        ORDER BY score DESC, accidents DESC, cell
        LIMIT :limit
        """,
    )


HOTSPOT_RANKING = {severity: _hotspot_ranking(severity) for severity in COUNTED}

_INVOLVED = """
    (cardinality(CAST(:road_users AS int[])) = 0
     OR f.road_users && CAST(:road_users AS smallint[]))
    AND (cardinality(CAST(:vehicle_categories AS int[])) = 0
         OR f.vehicle_categories && CAST(:vehicle_categories AS smallint[]))"""


def _hotspot_ranking_involving(severity: str) -> Query:
    """The ranking when road users or vehicles are filtered: from the accidents themselves."""
    counted = {
        "all": "count(*)",
        "ksi": "count(*) FILTER (WHERE f.ksi)",
        "fatal": "count(*) FILTER (WHERE f.worst_grav = 2)",
    }[severity]
    return Query(
        f"hotspot_ranking_involving_{severity}",
        f"""
        SELECT c.cell, ({counted})::int AS counted, count(*)::int AS accidents,
               (count(*) FILTER (WHERE f.ksi))::int AS ksi_accidents,
               (count(*) FILTER (WHERE f.worst_grav = 2))::int AS fatal_accidents,
               sum(f.killed)::int AS killed, sum(f.hospitalised)::int AS hospitalised,
               sum(f.lightly_injured)::int AS lightly_injured,
               (count(*) FILTER (WHERE f.worst_grav = 2) * :w_fatal
                + count(*) FILTER (WHERE f.worst_grav = 3) * :w_hospitalised
                + count(*) FILTER (WHERE f.worst_grav IS DISTINCT FROM 2
                                     AND f.worst_grav IS DISTINCT FROM 3) * :w_other
               )::int AS score,
               (count(*) FILTER (WHERE f.year > :middle))::int AS late_accidents,
               (count(*) FILTER (WHERE f.year <= :middle))::int AS early_accidents
        FROM analytics.accident_facts f
        JOIN analytics.accident_cells c ON c.num_acc = f.num_acc AND c.year = f.year
        WHERE f.year BETWEEN :first AND :last
          AND (cardinality(CAST(:road_categories AS int[])) = 0
               OR f.catr = ANY(CAST(:road_categories AS int[])))
          AND {_INVOLVED}
        GROUP BY c.cell
        HAVING {counted} >= :min_accidents
        ORDER BY score DESC, accidents DESC, c.cell
        LIMIT :limit
        """,
    )


HOTSPOT_RANKING_INVOLVING = {s: _hotspot_ranking_involving(s) for s in COUNTED}

CELL_CONDITIONS = Query(
    "cell_conditions",
    """
    SELECT c.cell, f.commune, m.name AS commune_name, f.dep, f.adr AS address, f.catr, f.vma,
           f.lum, f.inter, f.atm, f.vehicle_categories, f.road_users
    FROM analytics.accident_cells c
    JOIN analytics.accident_facts f ON f.num_acc = c.num_acc AND f.year = c.year
    LEFT JOIN communes m ON m.code = f.commune
    WHERE c.cell = ANY(CAST(:cells AS bigint[])) AND f.year BETWEEN :first AND :last
      AND c.year BETWEEN :first AND :last
    """,
)
"""The conditions of each accident of some cells (their dominant ones are counted in Python:
one pass over a few thousand rows instead of a sort per condition)."""

CELL_ACCIDENTS = Query(
    "cell_accidents",
    f"""
    SELECT f.num_acc, f.year, f.accident_date, f.hour, f.lat, f.lon, f.worst_grav, f.ksi,
           f.killed, f.hospitalised, f.lightly_injured, f.catr, f.lum, f.atm, f.adr
    FROM analytics.accident_cells c
    JOIN analytics.accident_facts f ON f.num_acc = c.num_acc AND f.year = c.year
    WHERE c.cell = :cell AND f.year BETWEEN :first AND :last
      AND (cardinality(CAST(:road_categories AS int[])) = 0
           OR f.catr = ANY(CAST(:road_categories AS int[])))
      AND {_INVOLVED}
    ORDER BY f.accident_date DESC, f.num_acc
    """,
)
"""One spot's accidents under the hot-spot page's road and road-user filters."""

PLACE_HISTORY = {
    "cell": "SELECT num_acc, year FROM analytics.accident_cells WHERE cell = :code",
    "commune": "SELECT num_acc, year FROM analytics.accident_facts WHERE commune = :code",
    "dep": "SELECT num_acc, year FROM analytics.accident_facts WHERE dep = :code",
}
"""The accidents whose history prefills the Predict form, by kind of place."""

PLACE_TOTALS = {
    "cell": Query(
        "cell_totals",
        """
        SELECT count(*)::int AS accidents, (count(*) FILTER (WHERE f.ksi))::int AS ksi_accidents
        FROM analytics.accident_cells c
        JOIN analytics.accident_facts f ON f.num_acc = c.num_acc AND f.year = c.year
        WHERE c.cell = :code AND c.year BETWEEN :first AND :last
        """,
    ),
    "commune": Query(
        "commune_totals",
        "SELECT coalesce(sum(accidents), 0)::int AS accidents,"
        " coalesce(sum(ksi_accidents), 0)::int AS ksi_accidents"
        " FROM analytics.commune_year WHERE commune = :code AND year BETWEEN :first AND :last",
    ),
    "dep": Query(
        "departement_totals",
        "SELECT coalesce(sum(accidents), 0)::int AS accidents,"
        " coalesce(sum(ksi_accidents), 0)::int AS ksi_accidents"
        " FROM analytics.departement_year WHERE dep = :code AND year BETWEEN :first AND :last",
    ),
}
"""Every accident of a place in a period and its KSI ones (the Predict page's historic share:
the prefill reads only the latest accidents)."""


_KSI = ", ".join(str(code) for code in sorted(KSI_GRAV_CODES))


def _features(source: str, alias: str | None = None) -> str:
    return ", ".join(
        f'({f.sql}){"::int" if f.kind == "boolean" else ""} AS "{f.name}"'
        if alias is None
        else f'{alias}."{f.name}"'
        for f in FEATURES
        if f.source == source
    )


def _place_features(kind: str) -> Query:
    """Each recent accident of a place with the gravity model's features (computed by the
    feature specification's own SQL) and whether it was KSI."""
    return Query(
        f"place_features_{kind}",
        f"""
        WITH chosen AS (
            SELECT h.num_acc, h.year FROM ({PLACE_HISTORY[kind]}) h
            WHERE h.year BETWEEN :first AND :last
            ORDER BY h.year DESC, h.num_acc DESC LIMIT :limit
        ), vehicle_features AS (
            SELECT v.num_acc, v.year, {_features("vehicles")}
            FROM vehicles v JOIN chosen k ON k.num_acc = v.num_acc AND k.year = v.year
            GROUP BY v.num_acc, v.year
        ), person_features AS (
            SELECT u.num_acc, u.year, {_features("persons")},
                   bool_or(u.grav IN ({_KSI})) AS ksi
            FROM persons u JOIN chosen k ON k.num_acc = u.num_acc AND k.year = u.year
            GROUP BY u.num_acc, u.year
        )
        SELECT a.num_acc, {_features("accidents")}, {_features("places")},
               {_features("vehicles", "vf")}, {_features("persons", "pf")}, pf.ksi
        FROM accidents a
        JOIN chosen k ON k.num_acc = a.num_acc AND k.year = a.year
        LEFT JOIN places p ON p.num_acc = a.num_acc AND p.year = a.year AND p.seq = 1
        LEFT JOIN vehicle_features vf ON vf.num_acc = a.num_acc AND vf.year = a.year
        LEFT JOIN person_features pf ON pf.num_acc = a.num_acc AND pf.year = a.year
        """,
    )


PLACE_FEATURES = {kind: _place_features(kind) for kind in PLACE_HISTORY}

DATA_FRESHNESS = Query(
    "data_freshness",
    """
    SELECT max(year) FILTER (WHERE status = 'loaded') AS latest_year,
           max(updated_at) FILTER (WHERE status = 'loaded') AS latest_loaded_at,
           max(updated_at) AS last_ingestion,
           (count(*) FILTER (WHERE status = 'loaded'))::int AS loaded_years,
           (count(*) FILTER (WHERE status = 'failed'))::int AS failed_years,
           (SELECT max(s.last_analyze) FROM pg_stat_user_tables s
            JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = 'analytics' AND c.relkind = 'm') AS aggregates_at
    FROM ingested_years
    """,
)
"""How fresh the data is: the latest year loaded and when, from the file registry, and when
the aggregates were last refreshed (the refresh analyses each view it refreshed)."""

INGESTION_OUTCOMES = Query(
    "ingestion_outcomes",
    """
    SELECT year, status, coalesce(reason, '') AS reason, accidents, places, vehicles, persons,
           rejected,
           duration_s, updated_at
    FROM ingested_years
    ORDER BY updated_at DESC, year DESC
    """,
)
"""The outcome of the last ingestion of each year folder, latest first."""

DATA_QUALITY = Query(
    "data_quality",
    """
    SELECT f.year, f.table_name, p.column_name, sum(p.rows)::bigint AS rows,
           sum(p.not_given)::bigint AS not_given, sum(p.unknown)::bigint AS unknown
    FROM column_profiles p
    JOIN source_files f ON f.id = p.source_file_id
    WHERE f.status = 'loaded'
    GROUP BY f.year, f.table_name, p.column_name
    ORDER BY f.year, f.table_name, p.column_name
    """,
)
"""The data-quality profile of the loaded files: per year, table and column, the cells read,
"not given" and unknown (a few thousand rows for the whole history)."""
