"""Alembic environment: the URL comes from the caller (`gls db migrate`), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from green_light_platform.db.engine import make_engine

MIGRATION_LOCK_KEY = 7_351_001


def run_migrations_online() -> None:
    url = context.config.attributes["database_url"]
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=False)
        with context.begin_transaction():
            # Two processes migrating at once (make up and a test, Airflow and the CLI) wait
            # for each other instead of racing on DDL.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `gls db migrate`")
run_migrations_online()
