"""Measure the simulator's throughput against the fastest a stdlib HTTP server can do here.

Run ``python benchmarks/bench_simulator.py [--requests N]``. In one run it times a plain
``requests.Session`` loop against the Simulator and against a baseline ``http.server`` handler
that returns a fixed XML body with the same keep-alive and TCP_NODELAY settings, then prints
both rates and their ratio, and the rate of 16 concurrent keep-alive clients at 50 ms latency.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from smsbatch.gateway.simulator import Simulator

_BODY = (
    b"<response>\n<sms_response_code>200</sms_response_code>\n"
    b"<sms_response_text>SMS message sent.</sms_response_text>\n"
    b"<sms_response_destination>31612345678</sms_response_destination>\n</response>"
)
_PARAMS = {"login": "demo", "pass": "demo", "from": "Shop", "to": "31612345678", "text": "Hi €5"}


class _FixedReply(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(_BODY)))
        self.end_headers()
        self.wfile.write(_BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _rate(url: str, count: int) -> float:
    """Requests per second of one keep-alive session sending ``count`` requests."""
    with requests.Session() as session:
        for _ in range(50):  # warm up: connection, caches
            session.get(url, params=_PARAMS).raise_for_status()
        started = time.perf_counter()
        for _ in range(count):
            session.get(url, params=_PARAMS).raise_for_status()
        return count / (time.perf_counter() - started)


def _concurrent_rate(url: str, clients: int, per_client: int) -> float:
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        with requests.Session() as session:
            barrier.wait()
            for _ in range(per_client):
                session.get(url, params=_PARAMS).raise_for_status()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def _with_baseline(measure: Callable[[str], float]) -> float:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FixedReply)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        return measure(f"http://127.0.0.1:{server.server_address[1]}/api/sendsms.ashx")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per loop")
    count = parser.parse_args().requests
    with Simulator() as sim:
        simulator = _rate(sim.url + "sendsms.ashx", count)
        sim.latency = 0.05
        concurrent = _concurrent_rate(sim.url + "sendsms.ashx", clients=16, per_client=20)
    baseline = _with_baseline(lambda url: _rate(url, count))
    print(f"simulator: {simulator:7.0f} requests/s  (one requests.Session, {count} requests)")
    print(f"baseline:  {baseline:7.0f} requests/s  (stdlib http.server, fixed XML body)")
    print(f"ratio:     {simulator / baseline:7.2f}")
    print(f"16 concurrent keep-alive clients, 50 ms latency: {concurrent:.0f} requests/s")


if __name__ == "__main__":
    main()
