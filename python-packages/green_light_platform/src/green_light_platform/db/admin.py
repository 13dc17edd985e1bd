"""Creating and dropping whole databases on a server (tests, benchmarks, tools)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg
from psycopg import sql

from green_light_platform.db import migrate
from green_light_platform.settings import to_libpq_url

if TYPE_CHECKING:
    from collections.abc import Iterator


def with_database(url: str, dbname: str) -> str:
    """The same server URL, pointing at another database."""
    params = psycopg.conninfo.conninfo_to_dict(to_libpq_url(url))
    params["dbname"] = dbname
    user = quote(params.get("user", "postgres"), safe="")
    password = f":{quote(params['password'], safe='')}" if params.get("password") else ""
    host = params.get("host", "127.0.0.1")
    port = params.get("port", 5432)
    return f"postgresql://{user}{password}@{host}:{port}/{dbname}"


def database_name(url: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(to_libpq_url(url))["dbname"]


def create_database(server_url: str, dbname: str, template: str | None = None) -> str:
    with psycopg.connect(to_libpq_url(server_url), autocommit=True) as conn:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
    return with_database(server_url, dbname)


def drop_database(server_url: str, dbname: str) -> None:
    with psycopg.connect(to_libpq_url(server_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )


def ensure_database(server_url: str, dbname: str) -> bool:
    """Create the database `dbname` on the server of `server_url` unless it exists (the
    MLflow and Airflow metadata databases beside RoadAccidents); True when created."""
    with psycopg.connect(to_libpq_url(server_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        if exists.fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return True


@contextmanager
def temporary_database(server_url: str, prefix: str = "gls_tmp") -> Iterator[str]:
    """A new database migrated to head, dropped on exit; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_database(server_url, name)
