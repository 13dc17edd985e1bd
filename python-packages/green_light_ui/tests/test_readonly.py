"""The UI reads the database as a read-only login: no write goes through, no table outside its
grants is readable, and its settings hold none of the admin's secrets."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from green_light_ui.database import reader_engine
from green_light_ui.roles import READER_ROLE, ensure_reader_login
from green_light_ui.settings import UiSettings

from .conftest import READER, ui_environment


@pytest.fixture
def reader_settings(database_url, reader_login, clean_environment, monkeypatch):
    for name, value in ui_environment(database_url).items():
        monkeypatch.setenv(name, value)
    return UiSettings()


WRITES = (
    "INSERT INTO accidents (num_acc, year, month, day, accident_date, dep, source_file_id,"
    " source_line) VALUES (202100000001, 2021, 1, 1, '2021-01-01', '75', 1, 1)",
    "UPDATE accidents SET dep = '00'",
    "DELETE FROM communes",
    "REFRESH MATERIALIZED VIEW analytics.accident_facts",
    "CREATE TABLE public.ui_was_here (id int)",
    "INSERT INTO analytics.accident_cells VALUES (1, 2021, 1)",
)


@pytest.mark.reliability(
    kind="attack",
    case="UI: INSERT, UPDATE, DELETE, CREATE TABLE and REFRESH through the dashboards' own"
    " database connection",
    expect="every write is refused by the server: the UI's login is read-only",
)
@pytest.mark.parametrize("statement", WRITES)
def test_a_write_through_the_uis_connection_fails(reader_settings, statement):
    engine = reader_engine(reader_settings.database)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == READER[0]
            with pytest.raises(DBAPIError):
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.mark.reliability(
    kind="attack",
    case="UI: its database login switches its session to read-write and tries the same writes",
    expect="InsufficientPrivilege for every write: the role has no write grant at all",
)
@pytest.mark.parametrize("statement", WRITES)
def test_the_login_itself_may_not_write_even_in_a_read_write_transaction(
    database_url, reader_login, statement
):
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    params |= {"user": READER[0], "password": READER[1]}
    with psycopg.connect(**params) as conn:
        conn.execute("SET default_transaction_read_only = off")
        conn.execute("BEGIN READ WRITE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_the_login_reads_the_dashboards_tables_but_not_the_api_users(database_url, reader_settings):
    engine = reader_engine(reader_settings.database)
    try:
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(*) FROM analytics.cell_year")).scalar() == 0
            )
            assert connection.execute(text("SELECT count(*) FROM accidents")).scalar() == 0
            with pytest.raises(DBAPIError, match="permission denied"):
                connection.execute(text("SELECT * FROM api_users"))
    finally:
        engine.dispose()


def test_the_login_task_is_idempotent_and_grants_only_the_reader_role(postgres_server_url):
    first = ensure_reader_login(postgres_server_url, "gls_ui_task_test", "one-password")
    again = ensure_reader_login(postgres_server_url, "gls_ui_task_test", "another-password")
    assert first.endswith(("created", "updated"))
    assert again.endswith("updated")
    with psycopg.connect(postgres_server_url) as conn:
        role = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconfig FROM pg_roles"
            " WHERE rolname = 'gls_ui_task_test'"
        ).fetchone()
        member_of = conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'gls_ui_task_test'"
        ).fetchall()
    assert role == (False, False, False, True, ["default_transaction_read_only=on"])
    assert member_of == [(READER_ROLE,)]


def test_the_ui_settings_have_no_admin_secret(reader_settings, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "the-admin-secret")
    settings = UiSettings()
    assert "the-admin-secret" not in repr(settings.model_dump())
    assert "the-admin-secret" not in settings.database.url
    assert settings.database.url.startswith(f"postgresql+psycopg://{READER[0]}:")


def test_the_reader_password_has_no_default(clean_environment):
    with pytest.raises(ValueError, match="GLS_UI_DATABASE_PASSWORD"):
        UiSettings()
