"""The UI's database login: a member of the read-only role the analytics migration creates.

`gls up` runs `ensure_reader_login` as the admin (bring-up task `ui-login`), so the UI never
needs the admin's password; run again, it only resets the password to the configured one.
"""

from __future__ import annotations

from psycopg import sql

from green_light_platform.db.engine import connect

READER_ROLE = "gls_reader"
"""Created, with its SELECT-only grants, by migration 0007 (`analytics`)."""


def ensure_reader_login(admin_url: str, user: str, password: str) -> str:
    """Create or update the login `user`: read-only member of `gls_reader`; say which."""
    with connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        role = sql.Identifier(user)
        conn.execute(
            sql.SQL(
                verb + " ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
            ).format(role, sql.Literal(password))
        )
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(READER_ROLE), role))
        conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role))
    return f"read-only login {user!r} {'updated' if exists else 'created'}"
