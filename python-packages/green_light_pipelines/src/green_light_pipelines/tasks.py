"""The work of the DAGs' tasks, as plain functions (the DAG files only wire them).

Each reads the platform's settings itself, so it runs the same from a DAG task, a test or a
shell. They return small JSON-able dicts, the values Airflow passes between tasks.
"""

from __future__ import annotations

import logging

import httpx

from green_light_pipelines.settings import PipelinesSettings

log = logging.getLogger(__name__)


class YearFailed(RuntimeError):
    """A year's files could not be loaded; the reason names the file, line and value."""


def years_to_ingest(years: list[int] | None = None, force: bool = False) -> list[int]:
    """The years to load: those asked for, else the new or changed ones (cheap when none)."""
    from road_accidents_database_ingestion.changes import pending_years
    from road_accidents_database_ingestion.discovery import discover_year_folders

    settings = PipelinesSettings()
    root = settings.ingestion.data_directories
    if years:
        present = {f.year for f in discover_year_folders(root)}
        missing = sorted(set(years) - present)
        if missing:
            raise YearFailed(f"no folder for the year(s) {missing} in {root}")
        return sorted(years)
    if force:
        return [f.year for f in discover_year_folders(root)]
    found = pending_years(settings.database.url, root)
    log.info("years to ingest", extra={"years": found, "data_directory": str(root)})
    return found


def ingest_one_year(year: int, force: bool = False) -> dict[str, object]:
    """Load one year folder; raises `YearFailed` (nothing of the year loaded) with the reason."""
    from road_accidents_database_ingestion.pipeline import ingest

    settings = PipelinesSettings()
    report = ingest(
        settings.database.url,
        settings.ingestion.data_directories,
        [year],
        force=force,
        max_reject_share=settings.ingestion.max_reject_share,
        max_unknown_share=settings.ingestion.max_unknown_share,
    )
    [outcome] = report.outcomes
    if outcome.status == "failed":
        raise YearFailed(f"year {year} failed: {outcome.reason}")
    return {"year": year, "status": outcome.status, "rows": outcome.rows_loaded}


def loaded_data(results: list[dict[str, object] | None]) -> dict[str, object] | None:
    """What an ingestion run loaded (years and rows per table), None when nothing new."""
    loaded = [r for r in results if r and r["status"] == "loaded"]
    if not loaded:
        return None
    return {
        "years": sorted(int(r["year"]) for r in loaded),  # type: ignore[call-overload]
        "rows": {str(r["year"]): r["rows"] for r in loaded},
    }


def train_and_promote() -> dict[str, object] | None:
    """Train, evaluate, register and apply the champion gate; None (and a log line) when the
    database has no data to learn from yet."""
    from gravity_model.dataset import available_years
    from gravity_model.settings import GravityModelSettings
    from gravity_model.training import train

    settings = GravityModelSettings()
    if not available_years(settings.database.url):
        log.info("no accident data loaded yet: nothing to train, the run ends here")
        return None
    try:
        report = train(
            settings.database.url,
            settings.mlflow.tracking_uri,
            promote="auto",
            promotion_margin=settings.promotion.margin,
            artifacts_dir=settings.artifacts_dir,
        )
    except ValueError as error:  # too few accidents, a single outcome: not a pipeline fault
        log.info("not enough data to train: %s", error)
        return None
    return {
        "version": report.version,
        "alias": report.alias,
        "reason": report.reason,
        "champion_changed": report.alias == "champion",
        "data_years": report.data_years,
    }


def reload_model_api() -> dict[str, object]:
    """Ask model_api to load the new champion, logged in as the pipelines' service account."""
    settings = PipelinesSettings()
    account = settings.service_account
    if account.service_password is None:
        raise RuntimeError("GLS_SERVICE_PASSWORD is not set: cannot log in to model_api")
    with httpx.Client(base_url=settings.model_api.url, timeout=120) as client:
        token = client.post(
            "/token",
            data={
                "username": account.service_username,
                "password": account.service_password.get_secret_value(),
            },
        )
        token.raise_for_status()
        refreshed = client.post(
            "/refresh", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        refreshed.raise_for_status()
    body = refreshed.json()
    log.info("model_api reloaded", extra={"version": body["model"]["version"]})
    return {"previous": body["previous_version"], "version": body["model"]["version"]}
