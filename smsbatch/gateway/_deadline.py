"""A total deadline per request: connect, send and the whole reply, however slowly it trickles.

urllib3's timeouts bound each socket operation, not the request: a reply sent one byte per
second never trips a 5-second read timeout. So every request is watched: the connections the
client's pool makes register with the watch of the request they carry, and one watchdog thread
shuts a connection's socket down when its deadline passes. The blocked read then fails at once,
and the client reports the request as cut off by the deadline (its outcome is unknown).
"""

from __future__ import annotations

import _socket
import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "Watch", "watch"]

_current = threading.local()


class Watch:
    """The deadline of one request; ``expired`` tells whether the watchdog cut it off."""

    __slots__ = ("_connection", "_done", "_lock", "deadline", "expired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._done = False
        self._connection: HTTPConnection | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Watch:
        _current.watch = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _current.watch = None
        with self._lock:
            # From here the connection may serve another request: it is never touched again.
            self._done = True
            self._connection = None

    def attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            if not self._done:
                self._connection = connection
                if self.expired:
                    _shut_down(connection)

    def expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._connection is not None:
                _shut_down(self._connection)


def _shut_down(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is None:
        return  # still connecting (bounded by the connect timeout); attach() after connect
    # The plain socket's own shutdown, also under TLS: SSLSocket.shutdown would drop the
    # SSL object under the reading thread's feet.
    with contextlib.suppress(OSError):
        _socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One thread that expires watches in deadline order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float) -> Watch:
        watched = Watch(time.monotonic() + seconds)
        with self._wake:
            heapq.heappush(self._heap, (watched.deadline, next(self._order), watched))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="smsbatch-deadlines", daemon=True
                )
                self._thread.start()
            if self._heap[0][2] is watched:
                self._wake.notify()
        return watched

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2]._done or self._heap[0][0] <= now):
                    heapq.heappop(self._heap)[2].expire()
                self._wake.wait(self._heap[0][0] - now if self._heap else None)


_WATCHDOG = _Watchdog()


def watch(seconds: float) -> Watch:
    """Watch the request about to be made in this thread: ``with watch(35.0) as w: ...``."""
    return _WATCHDOG.watch(seconds)


def _attach(connection: HTTPConnection) -> None:
    watched: Watch | None = getattr(_current, "watch", None)
    if watched is not None:
        watched.attach(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self)  # a deadline that passed while connecting cuts the request off now

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through a proxy) obey the watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
