"""The shipped reference geography and its loading into PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from green_light_platform.settings import to_libpq_url
from road_accidents_database_ingestion.reference import (
    current_commune_code,
    load_communes,
    load_departements,
    load_former_codes,
    load_former_names,
    load_reference_tables,
    load_regions,
)
from road_accidents_database_ingestion.reference.refresh import (
    _former_codes,
    _former_names,
    normalise_name,
)

METROPOLE = (41.3, 51.2, -5.2, 9.6)
# (lat min, lat max, lon min, lon max) of each region that is not in the metropole.
REGION_BOXES = {
    "94": (41.3, 43.1, 8.5, 9.6),  # Corse
    "01": (15.8, 16.6, -61.9, -61.0),  # Guadeloupe
    "02": (14.3, 14.9, -61.3, -60.8),  # Martinique
    "03": (2.1, 5.8, -54.7, -51.6),  # Guyane
    "04": (-21.4, -20.8, 55.2, 55.9),  # La Réunion
    "06": (-13.1, -12.6, 44.9, 45.4),  # Mayotte
    "975": (46.7, 47.2, -56.5, -56.1),
    "977": (17.8, 18.0, -63.0, -62.7),
    "978": (18.0, 18.2, -63.2, -62.9),
    "986": (-14.4, -13.2, -178.3, -176.1),
    "987": (-28.0, -7.0, -155.0, -134.0),
    "988": (-23.0, -19.5, 163.0, 169.0),
}
# Districts of the Terres australes and Clipperton: no GeoNames place, no coordinates.
UNPLACED_REGIONS = {"984", "989"}


def test_codes_are_unique_and_former_codes_resolve() -> None:
    communes = load_communes()
    former = load_former_codes()
    assert communes["code"].is_unique
    assert former["former_code"].is_unique
    assert former["current_code"].isin(communes["code"]).all()
    assert not former["former_code"].isin(communes["code"]).any()
    assert load_departements()["code"].is_unique
    assert load_regions()["code"].is_unique


def test_former_names_belong_to_current_communes() -> None:
    names = load_former_names().set_index("former_code")
    communes = load_communes().set_index("code")
    assert names.index.is_unique
    assert names["current_code"].isin(communes.index).all()
    # Cherbourg-en-Cotentin (50129) merged Équeurdreville-Hainneville (50173) and kept the
    # code of its seat, Cherbourg-Octeville.
    assert names.loc["50173"].tolist() == ["Équeurdreville-Hainneville", "50129"]
    assert names.loc["50129"].tolist() == ["Cherbourg-Octeville", "50129"]
    assert communes.loc["50129", "name"] == "Cherbourg-en-Cotentin"


def test_departements_and_regions_are_complete() -> None:
    departements = load_departements()
    metropole = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    overseas = ["971", "972", "973", "974", "976"]
    assert len(metropole + overseas) == 101
    assert set(metropole + overseas) <= set(departements["code"])
    assert "975" in set(departements["code"])  # Saint-Pierre-et-Miquelon, found in BAAC files
    assert departements["region"].isin(load_regions()["code"]).all()
    communes = load_communes()
    assert communes["departement"].isin(departements["code"]).all()
    assert communes["region"].isin(load_regions()["code"]).all()


def test_paris_and_its_arrondissements() -> None:
    communes = load_communes().set_index("code")
    arrondissements = [f"751{n:02d}" for n in range(1, 21)]
    assert communes.loc["75056", "name"] == "Paris"
    assert set(arrondissements) <= set(communes.index)
    assert communes.loc[arrondissements, "departement"].eq("75").all()
    assert communes.loc[arrondissements, "population"].sum() == communes.loc["75056", "population"]


def test_populations_are_plausible() -> None:
    communes = load_communes()
    arrondissements = communes["code"].str.fullmatch(r"751\d\d|6938\d|132\d\d")
    assert arrondissements.sum() == 20 + 9 + 16
    cities = communes[~arrondissements]  # an arrondissement's people are counted in its city
    assert 60_000_000 < cities["population"].sum() < 70_000_000
    assert (communes["population"].dropna() >= 0).all()
    assert communes["population"].isna().sum() < 10  # only uninhabited territories


def test_coordinates_come_mostly_from_geonames() -> None:
    communes = load_communes()
    geonames = communes["coord_source"] == "geonames"
    assert set(communes["coord_source"].dropna()) <= {"geonames", "parent_commune", "departement"}
    # 24% of the communes and 82% of the population at the 6.0.0 / GeoNames refresh.
    assert geonames.mean() > 0.20
    with_people = communes.dropna(subset=["population"])
    population_share = (
        with_people.loc[geonames, "population"].sum() / with_people["population"].sum()
    )
    assert population_share > 0.75
    assert communes.loc[communes["code"] == "13201", "coord_source"].item() == "geonames"


def test_coordinates_lie_in_their_region() -> None:
    communes = load_communes()
    unplaced = communes["lat"].isna()
    assert set(communes.loc[unplaced, "region"]) <= UNPLACED_REGIONS
    assert communes.loc[unplaced, "coord_source"].isna().all()
    placed = communes[~unplaced]
    for region, group in placed.groupby("region"):
        lat_min, lat_max, lon_min, lon_max = REGION_BOXES.get(str(region), METROPOLE)
        assert group["lat"].between(lat_min, lat_max).all(), region
        assert group["lon"].between(lon_min, lon_max).all(), region


def test_current_commune_code() -> None:
    assert current_commune_code("75056") == "75056"
    assert current_commune_code("75108") == "75108"
    assert current_commune_code("2A004") == "2A004"
    assert current_commune_code("50173") == "50129"  # Équeurdreville-Hainneville, Cherbourg
    assert current_commune_code("60455") == "60694"  # moved to Les Hauts-Talican in 2019
    assert current_commune_code(" 2A004 ") == "2A004"
    assert current_commune_code("99999") is None


def test_former_codes_prefer_present_attachment_and_skip_current_codes() -> None:
    entries = [
        {"code": "10001", "type": "commune-actuelle", "anciensCodes": ["10002", "10003"]},
        {"code": "10004", "type": "commune-actuelle"},
        {"code": "10001", "type": "commune-deleguee", "chefLieu": "10001"},
        {"code": "10003", "type": "commune-associee", "chefLieu": "10004"},
    ]
    former = _former_codes(entries, {"10001", "10004"})
    assert former.to_dict("records") == [
        {"former_code": "10002", "current_code": "10001"},
        {"former_code": "10003", "current_code": "10004"},
    ]


def test_former_names_are_the_merged_communes_names() -> None:
    entries = [
        {"code": "10001", "nom": "Val-Neuf", "type": "commune-actuelle"},
        {"code": "10001", "nom": "Vieux-Bourg", "type": "commune-deleguee", "chefLieu": "10001"},
        {"code": "10003", "nom": "Hameau", "type": "commune-associee", "chefLieu": "10001"},
    ]
    assert _former_names(entries).to_dict("records") == [
        {"former_code": "10001", "name": "Vieux-Bourg", "current_code": "10001"},
        {"former_code": "10003", "name": "Hameau", "current_code": "10001"},
    ]


@pytest.mark.parametrize(
    ("commune", "geonames"),
    [
        ("Marseille 1er Arrondissement", "Marseille 01"),
        ("Saint-Étienne-du-Rouvray", "St-Etienne du Rouvray"),
        ("Sainte-Geneviève-des-Bois", "Ste Genevieve des Bois"),
        ("L'Haÿ-les-Roses", "L'Hay-les-Roses"),
        ("Œuilly", "Oeuilly"),
    ],
)
def test_normalise_name(commune: str, geonames: str) -> None:
    assert normalise_name(commune) == normalise_name(geonames)


def test_load_reference_tables(database_url: str) -> None:
    conn = psycopg.connect(to_libpq_url(database_url))
    expected = {
        "regions": len(load_regions()),
        "departements": len(load_departements()),
        "communes": len(load_communes()),
        "commune_former_codes": len(load_former_codes()),
        "commune_former_names": len(load_former_names()),
    }
    assert load_reference_tables(conn) == expected
    assert load_reference_tables(conn) == expected  # a reload replaces, never duplicates
    for table, count in expected.items():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        assert conn.execute(query).fetchone() == (count,)
    row = conn.execute(
        """
        SELECT c.name, c.population, d.name, r.name, c.lat
        FROM commune_former_codes f
        JOIN communes c ON c.code = f.current_code
        JOIN departements d ON d.code = c.departement
        JOIN regions r ON r.code = d.region
        WHERE f.former_code = '50173'
        """
    ).fetchone()
    assert row is not None
    name, population, departement, region, lat = row
    assert (name, departement, region) == ("Cherbourg-en-Cotentin", "Manche", "Normandie")
    assert population > 70_000
    assert 49 < lat < 50
    conn.rollback()
    conn.close()
