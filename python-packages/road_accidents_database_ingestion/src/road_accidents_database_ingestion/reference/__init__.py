"""Reference geography of France: communes, their former codes and names, departements and
regions.

The files in `data/` are derived from Etalab's `@etalab/decoupage-administratif` (see
`data/SOURCE.md`) by `refresh.py`; `catalog` reads them and `loader` copies them into PostgreSQL.
"""

from road_accidents_database_ingestion.reference.catalog import (
    current_commune_code,
    load_communes,
    load_departements,
    load_former_codes,
    load_former_names,
    load_regions,
)
from road_accidents_database_ingestion.reference.loader import load_reference_tables

__all__ = [
    "current_commune_code",
    "load_communes",
    "load_departements",
    "load_former_codes",
    "load_former_names",
    "load_reference_tables",
    "load_regions",
]
