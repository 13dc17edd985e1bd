"""A real network fault for the fault tests: a TCP gate in front of a service that can be shut
(every connection cut, new ones refused, as when a server goes down) and opened again on the
same port (as when it comes back), without stopping the service other tests share."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Self

from sqlalchemy.engine import make_url

from green_light_platform.db.embedded import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

log = logging.getLogger(__name__)

CHUNK = 1 << 16


class TcpGate:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port` while open."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_database(cls, database_url: str) -> Self:
        url = make_url(database_url)
        return cls(url.host or "127.0.0.1", url.port or 5432)

    def url_through(self, database_url: str) -> str:
        """`database_url` with its address replaced by the gate's."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def shut(self) -> None:
        """Refuse new connections and cut the open ones, both ways."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *_: object) -> None:
        self.shut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # shut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError as error:
                log.warning("gate cannot reach its target", extra={"error": str(error)})
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
                with self._lock:
                    self._connections.discard(end)


@contextmanager
def silent_listener(host: str = "127.0.0.1", port: int = 0) -> Iterator[int]:
    """A port that accepts connections into its backlog and never answers: a server hung
    rather than down, which only a client's own timeout gets out of. Yields the port."""
    with socket.socket() as hole:
        hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hole.bind((host, port))
        hole.listen(64)
        yield hole.getsockname()[1]
