"""The simulator's HTTP side: a thread per connection, every connection closed by ``stop()``.

The server hands each ``GET /api/sendsms.ashx`` query to an ``answer`` function and writes what
it returns; None closes the connection without a reply. The password is in the query, so no
request line is ever logged or printed.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smsbatch.gateway._simulator_protocol import PATH, Reply

__all__ = ["Server"]

# The public module's logger: users configure the simulator's logging under one name.
logger = logging.getLogger("smsbatch.gateway.simulator")


class Server(ThreadingHTTPServer):
    """A thread per connection, with the connections tracked so stop() can close them."""

    # Many clients connecting at once must not overflow the listen backlog (default 5).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], answer: Callable[[str], Reply | None]) -> None:
        self.answer = answer
        #: Set as soon as close() begins, so a handler waiting in pause() gives up at once.
        self.stopping = threading.Event()
        self._close_lock = threading.Lock()
        self._closed = False
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)

    def serve_in_thread(self) -> None:
        """Serve in a background thread, once."""
        if self._thread is None:
            # close() waits for one poll; 100 idle wake-ups a second cost next to nothing.
            self._thread = threading.Thread(
                target=self.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="smsbatch-simulator",
                daemon=True,
            )
            self._thread.start()

    @property
    def url(self) -> str:
        """The API root it answers under, ``http://host:port/api/``."""
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}{PATH.rpartition('/')[0]}/"

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless close() begins first; True while the server is serving."""
        if seconds > 0:
            self.stopping.wait(seconds)
        return not self.stopping.is_set()

    def close(self) -> None:
        """Stop serving, close the socket and every connection, and join every thread.

        Only the first call does it; a concurrent one returns when it is done.
        """
        with self._close_lock:
            if self._closed:
                return
            self.stopping.set()
            if self._thread is not None:
                self.shutdown()
                self._thread.join()
            self.server_close()
            self._close_connections()
            self._closed = True

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="smsbatch-simulator-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def _close_connections(self) -> None:
        """Wake every handler waiting on an idle keep-alive connection, and join it."""
        with self._connections_lock:
            connections = list(self._connections.items())
        for request, thread in connections:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
            thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-reply is normal for a test server: no traceback on stderr.
        logger.debug("connection %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Keep-alive request/reply traffic stalls for 40 ms per request under Nagle + delayed ACK.
    disable_nagle_algorithm = True
    server: Server

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path != PATH:
            self._send((404, "text/plain; charset=utf-8", f"Not found; try {PATH}\n".encode()))
            return
        reply = self.server.answer(query)
        if reply is None:
            logger.debug("sendsms: connection closed without a reply")
            self.close_connection = True
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        status, content_type, body = reply
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Server: smsbatch-simulator\r\nDate: {self.date_time_string()}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        )
        if self.close_connection:
            head += "Connection: close\r\n"
        # One write per reply: one packet, nothing for Nagle to hold back.
        self.wfile.write(head.encode("ascii") + b"\r\n" + body)
        self.log_request(status)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Never the query: it carries the password.
        path = getattr(self, "path", "").partition("?")[0]
        logger.debug("%s %s -> %s", self.command, path, code)

    def log_message(self, format: str, *args: Any) -> None:
        # The base class prints the request line, password included, to stderr.
        logger.debug("HTTP protocol error on a simulator connection")
