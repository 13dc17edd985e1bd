"""pgAdmin 4 in `make up`: the RoadAccidents server pre-registered, the Green Light admin's login.

pgAdmin runs from a virtualenv of its own (`.venv-pgadmin`, from `requirements-pgadmin.lock`:
its exact pins conflict with ours) under gunicorn, one worker as its Socket.IO needs, with
every file under `Volumes/db_admin/`. Its login is `PGADMIN_DEFAULT_EMAIL` (pgAdmin wants an
e-mail, `ADMIN_USERNAME` is not one) with `ADMIN_PASSWORD`, the one password of the admin. The
server definition (`servers.json`) carries no password: pgAdmin reads it from a libpq passfile
in the user's storage folder, which the compose stack's pgAdmin reads the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psycopg.conninfo import conninfo_to_dict

from green_light_platform.settings import (
    DatabaseSettings,
    PgAdminSettings,
    RuntimeSettings,
    Settings,
    to_libpq_url,
)
from green_light_platform.smoke import SmokeError, expect
from green_light_platform.steps import Service, Step
from green_light_platform.supervisor import ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx

log = logging.getLogger(__name__)

SERVER_NAME = "RoadAccidents"
SERVER_GROUP = "Green Light Services"
PASSFILE = "/pgpass"
"""The passfile as servers.json names it: relative to the user's storage folder."""
CLI_TIMEOUT_S = 180.0
MARKER_ITERATIONS = 200_000


@dataclass(frozen=True)
class DatabaseServer:
    """How pgAdmin reaches the RoadAccidents server."""

    host: str
    port: int
    database: str
    username: str
    password: str

    @classmethod
    def of(cls, database: DatabaseSettings) -> DatabaseServer:
        parts = conninfo_to_dict(to_libpq_url(database.url))
        return cls(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            database=str(parts["dbname"]),
            username=str(parts["user"]),
            password=str(parts.get("password") or ""),
        )


def servers_json(host: str, port: int, database: str, username: str) -> dict[str, object]:
    """The `servers.json` registering RoadAccidents (the compose stack's copy is this one)."""
    return {
        "Servers": {
            "1": {
                "Name": SERVER_NAME,
                "Group": SERVER_GROUP,
                "Host": host,
                "Port": port,
                "MaintenanceDB": database,
                "Username": username,
                "ConnectionParameters": {
                    "sslmode": "prefer",
                    "connect_timeout": 10,
                    "passfile": PASSFILE,
                },
            }
        }
    }


def passfile_line(server: DatabaseServer) -> str:
    """One libpq passfile line for the server, any database (`:` and `\\` escaped)."""

    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    fields = (server.host, str(server.port), "*", server.username, server.password)
    return ":".join(escape(f) for f in fields) + "\n"


def storage_folder(data_dir: Path, email: str) -> Path:
    """pgAdmin's storage folder of a user in server mode (the passfile lives there)."""
    return data_dir / "storage" / email.replace("@", "_")


def config_local(data_dir: Path, log_file: Path, email: str) -> str:
    """pgAdmin's `config_local.py`: server mode, every file under `data_dir` but its log,
    nothing fetched from the Internet. Booleans and integers must be Python ones."""
    domain = email.rpartition("@")[2].rpartition(".")[2]
    values = {
        "SERVER_MODE": True,
        "DATA_DIR": str(data_dir),
        "LOG_FILE": str(log_file),
        "SQLITE_PATH": str(data_dir / "pgadmin4.db"),
        "SESSION_DB_PATH": str(data_dir / "sessions"),
        "STORAGE_DIR": str(data_dir / "storage"),
        "AZURE_CREDENTIAL_CACHE_DIR": str(data_dir / "azurecredentialcache"),
        "KERBEROS_CCACHE_DIR": str(data_dir / "krbccache"),
        "UPGRADE_CHECK_ENABLED": False,
        "SHOW_GRAVATAR_IMAGE": False,
        # Reserved top-level domains (.local, .test, ...) are refused at login otherwise.
        "ALLOW_SPECIAL_EMAIL_DOMAINS": [domain],
        # pgAdmin 9.18 cannot unlock a locked account from its CLI; it listens on loopback.
        "MAX_LOGIN_ATTEMPTS": 0,
    }
    lines = [f"{name} = {value!r}" for name, value in values.items()]
    return '"""Written by green_light_platform.pgadmin at each start: edit .env instead."""\n\n' + (
        "\n".join(lines) + "\n"
    )


class PgAdminSetupSettings(Settings):
    runtime: RuntimeSettings
    database: DatabaseSettings
    pgadmin: PgAdminSettings


@dataclass(frozen=True)
class PgAdmin:
    """pgAdmin of `make up`: its files, its setup and its command."""

    settings: PgAdminSetupSettings

    @classmethod
    def from_settings(cls) -> PgAdmin:
        return cls(
            PgAdminSetupSettings(
                runtime=RuntimeSettings(), database=DatabaseSettings(), pgadmin=PgAdminSettings()
            )
        )

    @property
    def data_dir(self) -> Path:
        return self.settings.runtime.volume("db_admin")

    @property
    def log_dir(self) -> Path:
        return self.settings.runtime.volume("logs")

    @property
    def conf_dir(self) -> Path:
        return self.data_dir / "conf"

    def program(self, name: str) -> Path:
        return self.settings.pgadmin.venv / "bin" / name

    @property
    def email(self) -> str:
        return self.settings.pgadmin.email

    @property
    def password(self) -> str:
        return self.settings.database.admin_password.get_secret_value()

    def environment(self) -> dict[str, str]:
        """What pgAdmin's processes need: our config_local.py first on the path."""
        return {"PYTHONPATH": str(self.conf_dir)}

    def command(self) -> list[str]:
        pgadmin = self.settings.pgadmin
        return [
            str(self.program("gunicorn")),
            "--bind",
            f"{pgadmin.host}:{pgadmin.port}",
            "--workers",
            "1",
            "--threads",
            "25",
            "--timeout",
            "86400",
            "--no-control-socket",
            "--access-logfile",
            str(self.log_dir / "pgAdmin-access.log"),
            "pgadmin4.pgAdmin4:app",
        ]

    def _cli(self, *args: str) -> str:
        """Run `pgadmin4-cli`; a failure raises ServiceError with its output."""
        env = {
            **os.environ,
            **self.environment(),
            "PGADMIN_SETUP_EMAIL": self.email,
            "PGADMIN_SETUP_PASSWORD": self.password,
        }
        done = subprocess.run(  # noqa: S603 - pgAdmin's own CLI, from its virtualenv
            [str(self.program("pgadmin4-cli")), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise ServiceError(
                f"pgadmin4-cli {args[0]} failed (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-500:]}"
            )
        return done.stdout

    def prepare(self) -> None:
        """Write the configuration, create or update the admin, register RoadAccidents and
        write its passfile. The slow pgAdmin CLI runs only when something changed."""
        for program in ("gunicorn", "pgadmin4-cli"):
            if not self.program(program).is_file():
                raise ServiceError(
                    f"pgAdmin is not installed: {self.program(program)} is missing;"
                    " run `make install` (or set GLS_PGADMIN_VENV)"
                )
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "config_local.py").write_text(
            config_local(self.data_dir, self.log_dir / "pgAdmin-app.log", self.email)
        )
        self._ensure_admin()
        server = DatabaseServer.of(self.settings.database)
        self._ensure_servers(server)
        folder = storage_folder(self.data_dir, self.email)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        passfile = folder / PASSFILE.lstrip("/")
        passfile.touch(mode=0o600)
        passfile.chmod(0o600)
        passfile.write_text(passfile_line(server))

    def _apply_once(self, marker: str, content: str, apply: Callable[[], object]) -> None:
        """Run `apply` unless `content` is what was applied last; record it once applied, as a
        salted slow hash (the content may hold the password)."""
        path = self.data_dir / f".{marker}.applied"
        salt_hex, _, recorded = path.read_text().partition(":") if path.is_file() else ("", "", "")
        salt = bytes.fromhex(salt_hex) if salt_hex else os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", content.encode(), salt, MARKER_ITERATIONS).hex()
        if recorded and hmac.compare_digest(recorded, digest):
            return
        apply()
        path.touch(mode=0o600)
        path.write_text(f"{salt.hex()}:{digest}")

    def _ensure_admin(self) -> None:
        login = f"{self.email}\0{self.password}"
        if not (self.data_dir / "pgadmin4.db").is_file():
            for marker in self.data_dir.glob(".*.applied"):
                marker.unlink()
            log.info("pgAdmin: creating its database and admin", extra={"email": self.email})
            self._apply_once("admin", login, lambda: self._cli("setup-db"))
        self._apply_once("admin", login, self._update_admin)

    def _update_admin(self) -> None:
        users = json.loads(self._cli("get-users", "--json") or "[]")
        if any(user.get("username") == self.email for user in users):
            self._cli(
                "update-user", self.email, "--password", self.password, "--role", "Administrator"
            )
        else:
            self._cli("add-user", self.email, self.password, "--admin")
        log.info("pgAdmin: admin login updated", extra={"email": self.email})

    def _ensure_servers(self, server: DatabaseServer) -> None:
        definition = json.dumps(
            servers_json(server.host, server.port, server.database, server.username), indent=2
        )
        path = self.data_dir / "servers.json"
        path.write_text(definition + "\n")
        self._apply_once(
            "servers",
            f"{self.email}\0{definition}",
            lambda: self._cli("load-servers", str(path), "--user", self.email, "--replace"),
        )

    def smoke(self, client: httpx.Client) -> str:
        """Log in as the admin, connect to RoadAccidents and find its database, log out."""
        base = self.settings.pgadmin.url
        ping = expect(client.get(f"{base}/misc/ping"))
        if ping.text != "PING":
            raise SmokeError(f"{base}/misc/ping answered {ping.text[:50]!r}, not PING")
        client.cookies.clear()
        found = re.search(r'"csrfToken": "([^"]+)"', expect(client.get(f"{base}/login")).text)
        if found is None:
            raise SmokeError(f"{base}/login has no CSRF token")
        token = found.group(1)
        login = client.post(
            f"{base}/authenticate/login",
            data={"email": self.email, "password": self.password, "csrf_token": token},
            follow_redirects=False,
        )
        if login.status_code != 302 or not login.headers.get("location", "").endswith("/browser/"):
            raise SmokeError(f"pgAdmin refused the login of {self.email} (ADMIN_PASSWORD)")
        headers = {"X-pgA-CSRFToken": token}
        try:
            group = _node(client, f"{base}/browser/server_group/nodes/", SERVER_GROUP, headers)
            server = _node(client, f"{base}/browser/server/nodes/{group}/", SERVER_NAME, headers)
            connected = expect(
                client.post(f"{base}/browser/server/connect/{group}/{server}", headers=headers)
            ).json()
            if connected.get("success") != 1:
                raise SmokeError(f"pgAdmin could not connect to {SERVER_NAME}: {connected}")
            name = DatabaseServer.of(self.settings.database).database
            _node(client, f"{base}/browser/database/nodes/{group}/{server}/", name, headers)
        finally:
            client.get(f"{base}/logout", follow_redirects=False)
        return f"{self.email} logged in, server {SERVER_NAME} connected, database {name} listed"


def _node(client: httpx.Client, url: str, label: str, headers: dict[str, str]) -> int:
    """The id of the tree node labelled `label` under `url` (ids change on re-registration)."""
    body = expect(client.get(url, headers=headers)).json()
    nodes = body.get("data") or body.get("result") or []
    for node in nodes:
        if node.get("label") == label:
            return int(node["_id"])
    labels = sorted(str(n.get("label")) for n in nodes)
    raise SmokeError(f"pgAdmin shows no {label!r} under {url} (only {labels})")


def steps() -> list[Step]:
    """pgAdmin on port 8888 once the schema is there (entry point `gls.steps`)."""
    pgadmin = PgAdmin.from_settings()
    settings = pgadmin.settings.pgadmin
    return [
        Service(
            name="pgAdmin",
            command=pgadmin.command(),
            url=f"{settings.url}/browser/",
            health_url=f"{settings.url}/misc/ping",
            login=f"{settings.email} / ADMIN_PASSWORD from .env",
            env=pgadmin.environment(),
            after=("migrate",),
            prepare=pgadmin.prepare,
            smoke=pgadmin.smoke,
        )
    ]
