"""Harmonised accident tables for every BAAC year, and the administrative reference.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Integrity between the accident tables (every place, vehicle and person belongs to an accident
# of the same year, every row to a registered file) is checked by validation before each load,
# and years are swapped whole; foreign-key triggers would triple the cost of every bulk load.
PROVENANCE = """
    source_file_id bigint  NOT NULL,
    source_line    integer NOT NULL
"""


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE regions (
            code text PRIMARY KEY,
            name text NOT NULL
        );
        CREATE TABLE departements (
            code   text PRIMARY KEY,
            name   text NOT NULL,
            region text REFERENCES regions (code)
        );
        CREATE TABLE communes (
            code         text PRIMARY KEY,
            name         text NOT NULL,
            departement  text NOT NULL,
            region       text,
            population   integer,
            lat          double precision,
            lon          double precision,
            coord_source text
        );
        CREATE INDEX communes_departement_idx ON communes (departement);
        CREATE TABLE commune_former_codes (
            former_code  text PRIMARY KEY,
            current_code text NOT NULL
        );
        COMMENT ON TABLE communes IS
            'Current communes (Etalab decoupage-administratif) with population and coordinates.';
        COMMENT ON TABLE commune_former_codes IS
            'Former INSEE codes of merged communes and the current commune they belong to.';

        CREATE TABLE accidents (
            num_acc       bigint   PRIMARY KEY,
            year          smallint NOT NULL,
            month         smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
            day           smallint NOT NULL CHECK (day BETWEEN 1 AND 31),
            hour          smallint CHECK (hour BETWEEN 0 AND 23),
            minute        smallint CHECK (minute BETWEEN 0 AND 59),
            accident_date date     NOT NULL,
            lum           smallint,
            agg           smallint,
            inter         smallint,
            atm           smallint,
            col           smallint,
            dep           text     NOT NULL,
            com           text,
            com_current   text,
            adr           text,
            gps           text,
            lat           double precision,
            lon           double precision,
            {PROVENANCE}
        );
        CREATE INDEX accidents_year_idx ON accidents (year);
        CREATE INDEX accidents_dep_year_idx ON accidents (dep, year);
        CREATE INDEX accidents_com_current_year_idx ON accidents (com_current, year);
        CREATE INDEX accidents_date_idx ON accidents (accident_date);
        CREATE INDEX accidents_location_idx ON accidents USING gist (point(lon, lat))
            WHERE lat IS NOT NULL AND lon IS NOT NULL;
        COMMENT ON TABLE accidents IS
            'One row per accident (BAAC caracteristiques), every year, both layouts.';

        CREATE TABLE places (
            num_acc  bigint   NOT NULL,
            year     smallint NOT NULL,
            seq      smallint NOT NULL,
            catr     smallint,
            voie     text,
            v1       text,
            v2       text,
            circ     smallint,
            nbv      smallint,
            vosp     smallint,
            prof     smallint,
            pr       text,
            pr1      text,
            plan     smallint,
            lartpc   real,
            larrout  real,
            surf     smallint,
            infra    smallint,
            situ     smallint,
            env1     smallint,
            vma      smallint,
            {PROVENANCE},
            PRIMARY KEY (num_acc, seq)
        );
        COMMENT ON TABLE places IS 'Accident places (BAAC lieux).';

        CREATE TABLE vehicles (
            num_acc     bigint   NOT NULL,
            year        smallint NOT NULL,
            num_veh     text     NOT NULL,
            id_vehicule bigint,
            senc        smallint,
            catv        smallint,
            occutc      smallint,
            obs         smallint,
            obsm        smallint,
            choc        smallint,
            manv        smallint,
            motor       smallint,
            {PROVENANCE},
            PRIMARY KEY (num_acc, num_veh)
        );
        COMMENT ON TABLE vehicles IS 'Vehicles involved (BAAC vehicules).';

        CREATE TABLE persons (
            num_acc     bigint   NOT NULL,
            year        smallint NOT NULL,
            seq         smallint NOT NULL,
            id_usager   bigint,
            id_vehicule bigint,
            num_veh     text,
            place       smallint,
            catu        smallint,
            grav        smallint,
            sexe        smallint,
            an_nais     smallint,
            trajet      smallint,
            secu_raw    smallint,
            secu1       smallint,
            secu2       smallint,
            secu3       smallint,
            locp        smallint,
            actp        text,
            etatp       smallint,
            {PROVENANCE},
            PRIMARY KEY (num_acc, seq)
        );
        COMMENT ON TABLE persons IS 'Persons involved (BAAC usagers) with injury severity.';
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE persons; DROP TABLE vehicles; DROP TABLE places; DROP TABLE accidents;
        DROP TABLE commune_former_codes; DROP TABLE communes;
        DROP TABLE departements; DROP TABLE regions;
        """
    )
