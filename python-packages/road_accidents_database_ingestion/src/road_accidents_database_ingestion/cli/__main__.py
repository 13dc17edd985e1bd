"""`python -m road_accidents_database_ingestion.cli` is `gls`."""

from road_accidents_database_ingestion.cli import main

main()
