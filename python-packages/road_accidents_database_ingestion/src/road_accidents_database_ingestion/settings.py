"""Settings of the ingestion: where year folders are dropped, and how many bad rows or unknown
values a file may have before its year fails."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from green_light_platform.settings import DatabaseSettings, Section, Settings

DEFAULT_MAX_REJECT_SHARE = 0.02
DEFAULT_MAX_UNKNOWN_SHARE = 0.05


class IngestionSection(Section):
    data_directories: Path = Field(
        Path("Volumes/road_accidents_data_directories"),
        validation_alias="ROAD_ACCIDENTS_DATA_DIRECTORIES",
    )
    max_reject_share: float = Field(
        DEFAULT_MAX_REJECT_SHARE,
        ge=0,
        le=1,
        validation_alias="GLS_INGEST_MAX_REJECT_SHARE",
        description="Share of rejected rows above which a file, and its year, fails.",
    )
    max_unknown_share: float = Field(
        DEFAULT_MAX_UNKNOWN_SHARE,
        ge=0,
        le=1,
        validation_alias="GLS_INGEST_MAX_UNKNOWN_SHARE",
        description="Share of one column's values that are no code of it (kept as NULL) above"
        " which a file, and its year, fails.",
    )


class IngestionSettings(Settings):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    ingestion: IngestionSection = Field(default_factory=IngestionSection)
