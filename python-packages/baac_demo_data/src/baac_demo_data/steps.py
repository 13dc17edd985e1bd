"""What the platform's bring-up runs of this package: demo BAAC files written into an empty
data directory, before the ingestion reads it (entry point `gls.steps`)."""

from __future__ import annotations

from pydantic import Field

from green_light_platform.settings import Section
from green_light_platform.steps import Step, Task


class DemoSettings(Section):
    """What `gls up` writes when the data directory is empty."""

    years: str = Field("2005-2023", validation_alias="GLS_DEMO_YEARS")
    scale: float = Field(0.05, gt=0, validation_alias="GLS_DEMO_SCALE")
    seed: int = Field(42, validation_alias="GLS_DEMO_SEED")


def seed_demo_data() -> str:
    from baac_demo_data import generate_demo_data
    from road_accidents_database_ingestion.discovery import discover_year_folders, parse_years
    from road_accidents_database_ingestion.settings import IngestionSection

    data_dir = IngestionSection().data_directories
    data_dir.mkdir(parents=True, exist_ok=True)
    if discover_year_folders(data_dir):
        return f"{data_dir} has year folders: nothing written"
    demo = DemoSettings()
    years = parse_years(demo.years)
    generate_demo_data(data_dir, years, scale=demo.scale, seed=demo.seed)
    return f"wrote demo BAAC files {years[0]}-{years[-1]} (scale {demo.scale}) into {data_dir}"


def steps() -> list[Step]:
    return [
        Task(
            "demo-data",
            seed_demo_data,
            "demo BAAC files when the data directory is empty",
            before=("ingest",),
        )
    ]
