"""Helpers of the pipelines' tests: a DAG run with `dag.test()`, its task states, the Asset
events it recorded, and a local SMTP server that keeps what it receives."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import TYPE_CHECKING

import httpx
import psycopg

from green_light_platform.settings import to_libpq_url

if TYPE_CHECKING:
    from collections.abc import Iterator
    from email.message import Message


GOOD, BROKEN = (2019, 2021), 2020
"""The years of the `data_directory` fixture: two good ones and one that lost a column."""
SERVICE = ("pipelines", "a-service-password-for-tests")
"""The service account model_api knows in the `platform` fixture."""


def run_dag(dag_id: str, conf: dict | None = None):
    from airflow.dag_processing.dagbag import DagBag

    from .conftest import DAGS_FOLDER

    bag = DagBag(str(DAGS_FOLDER))
    assert bag.import_errors == {}
    return bag.dags[dag_id].test(run_conf=conf or {})


def states(run) -> dict[tuple[str, int], str]:
    """(task, map index) -> state of every task instance of the run."""
    return {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}


def asset_events(name: str) -> list[dict]:
    """The extra of every event of the Asset `name`, oldest first (read from test code: task
    code may not use Airflow's ORM)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        query = (
            select(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .where(AssetModel.name == name)
            .order_by(AssetEvent.id)
        )
        return [dict(event.extra) for event in session.execute(query).scalars()]


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free port, keeping every message it receives."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd cannot bind port 0 itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox("127.0.0.1", port)

    class Keep:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            inbox.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Keep(), hostname=inbox.host, port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def loaded_years(database_url: str) -> list[int]:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        rows = conn.execute("SELECT DISTINCT year FROM accidents ORDER BY year").fetchall()
    return [row[0] for row in rows]


def served_version(url: str) -> str | None:
    token = httpx.post(
        f"{url}/token", data={"username": SERVICE[0], "password": SERVICE[1]}
    ).json()["access_token"]
    answer = httpx.get(f"{url}/model", headers={"Authorization": f"Bearer {token}"})
    return str(answer.json()["version"]) if answer.status_code == 200 else None
