"""What the platform's bring-up runs of this package: the reference data, then the ingestion
of the data directory (entry point `gls.steps`)."""

from __future__ import annotations

import logging

from green_light_platform.db.engine import connect
from green_light_platform.steps import Step, Task

log = logging.getLogger(__name__)


def load_reference() -> str:
    from road_accidents_database_ingestion.loader import ensure_reference_data
    from road_accidents_database_ingestion.settings import IngestionSettings

    with connect(IngestionSettings().database.url) as conn:
        ensure_reference_data(conn)
    return "communes, departements and regions loaded"


def ingest_data_directory() -> str:
    """Ingest every new or changed year folder; failed years are reported, not raised."""
    from road_accidents_database_ingestion.pipeline import ingest
    from road_accidents_database_ingestion.settings import IngestionSettings

    settings = IngestionSettings()
    data_dir = settings.ingestion.data_directories
    data_dir.mkdir(parents=True, exist_ok=True)
    report = ingest(
        settings.database.url,
        data_dir,
        max_reject_share=settings.ingestion.max_reject_share,
        max_unknown_share=settings.ingestion.max_unknown_share,
    )
    loaded = sum(o.status == "loaded" for o in report.outcomes)
    for failed in (o for o in report.outcomes if o.status == "failed"):
        log.warning("year failed", extra={"year": failed.year, "reason": failed.reason})
    failed_count = sum(o.status == "failed" for o in report.outcomes)
    unchanged = len(report.outcomes) - loaded - failed_count
    return f"{loaded} year(s) loaded, {unchanged} unchanged, {failed_count} failed"


def steps() -> list[Step]:
    return [
        Task("reference", load_reference, "the communes reference", after=("migrate",)),
        Task(
            "ingest",
            ingest_data_directory,
            "the data directory's new or changed years",
            after=("reference",),
        ),
    ]
