"""What the DAG files share: their ids, the Assets that link them, and their defaults.

Kept in the package (not in a DAG file) so that both DAGs import one definition, and so that
`gls up` can name the DAGs without parsing them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import Asset

INGEST_DAG_ID = "ingest_road_accidents"
TRAIN_DAG_ID = "train_gravity_model"
OWNER = "green-light"
ROAD_ACCIDENTS_ASSET = "road_accidents_db"
"""The Asset "road accidents DB updated": an event per ingestion run that loaded new data."""
DATA_DIRECTORY_ASSET = "road_accidents_data_directory"


def default_args() -> dict[str, object]:
    """Owner, retries with exponential backoff, and the failure e-mail on every task."""
    from green_light_pipelines.alerts import alert_on_failure

    return {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": timedelta(seconds=20),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "on_failure_callback": alert_on_failure,
    }


def road_accidents() -> Asset:
    from airflow.sdk import Asset

    return Asset(name=ROAD_ACCIDENTS_ASSET, uri="gls://road-accidents/RoadAccidents")


def data_directory() -> Asset:
    """The data directory, watched: an event whenever its files settle after a change."""
    from airflow.sdk import Asset, AssetWatcher

    from green_light_pipelines.settings import PipelinesSettings
    from green_light_pipelines.watch import DataDirectoryChanged

    settings = PipelinesSettings()
    folder = settings.ingestion.data_directories.resolve()
    trigger = DataDirectoryChanged(str(folder), settings.watch.poll_seconds)
    return Asset(
        name=DATA_DIRECTORY_ASSET,
        uri=f"file://{folder}",
        watchers=[AssetWatcher(name=f"{DATA_DIRECTORY_ASSET}_watcher", trigger=trigger)],
    )
