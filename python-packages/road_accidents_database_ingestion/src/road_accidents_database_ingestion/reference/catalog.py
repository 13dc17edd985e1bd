"""Readers of the shipped reference files, for modules that resolve or describe communes.

The files are read once per process; callers get copies, so they may modify what they receive.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

_DATA = resources.files(__package__) / "data"
_TEXT_COLUMNS = ("code", "name", "departement", "region", "coord_source")


def _read_csv(filename: str, dtype: dict[str, str]) -> pd.DataFrame:
    # Only empty fields are missing: a name such as "Nan" must stay a name.
    with (_DATA / filename).open("rb") as stream:
        return pd.read_csv(
            stream,
            compression="gzip" if filename.endswith(".gz") else None,
            dtype=dtype,
            keep_default_na=False,
            na_values=[""],
        )


@cache
def _communes() -> pd.DataFrame:
    dtype = dict.fromkeys(_TEXT_COLUMNS, "string") | {"population": "Int64"}
    return _read_csv("communes.csv.gz", dtype | {"lat": "float64", "lon": "float64"})


@cache
def _former_codes() -> pd.DataFrame:
    return _read_csv("former_codes.csv.gz", {"former_code": "string", "current_code": "string"})


@cache
def _former_names() -> pd.DataFrame:
    dtype = dict.fromkeys(("former_code", "name", "current_code"), "string")
    return _read_csv("former_names.csv.gz", dtype)


@cache
def _departements() -> pd.DataFrame:
    return _read_csv("departements.csv", dict.fromkeys(("code", "name", "region"), "string"))


@cache
def _regions() -> pd.DataFrame:
    return _read_csv("regions.csv", {"code": "string", "name": "string"})


@cache
def _current_codes() -> dict[str, str]:
    communes = _communes()["code"].tolist()
    former = _former_codes()
    return dict(zip(former["former_code"], former["current_code"], strict=True)) | {
        code: code for code in communes
    }


def load_communes() -> pd.DataFrame:
    """Current communes and the arrondissements municipaux of Paris, Lyon and Marseille.

    Columns: code, name, departement, region, population, lat, lon, coord_source.
    """
    return _communes().copy()


def load_former_codes() -> pd.DataFrame:
    """Codes of communes merged into another (former_code -> current_code)."""
    return _former_codes().copy()


def load_former_names() -> pd.DataFrame:
    """Names of merged communes (former_code, name -> current_code); a commune nouvelle's seat
    has its former name under the current code itself."""
    return _former_names().copy()


def load_departements() -> pd.DataFrame:
    """Departements and overseas collectivities: code, name, region."""
    return _departements().copy()


def load_regions() -> pd.DataFrame:
    """Regions, overseas collectivities included: code, name."""
    return _regions().copy()


def current_commune_code(code: str) -> str | None:
    """The current code of a commune given a current or former INSEE code; None if unknown."""
    return _current_codes().get(code.strip())
