"""The simulated gateway's behaviour: its books (requests, accepted messages, funds, pending
faults) and the answer to each request.

Every handler thread goes through one lock; a condition lets a test wait for traffic instead of
sleeping.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from smsbatch.gateway._simulator_protocol import (
    MALFORMED_REPLY,
    Reply,
    SimulatedMessage,
    read_request,
    xml_reply,
)

__all__ = ["Fault", "Gateway"]

# The public module's logger: users configure the simulator's logging under one name.
logger = logging.getLogger("smsbatch.gateway.simulator")


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault, used by the next request that passes the checks."""

    kind: Literal["fail", "malformed", "drop"]
    code: int = 0
    delivered: bool = False


class Gateway:
    """The simulated account and its answers, safe to share between handler threads.

    ``record_path`` names a JSON-lines file appended and flushed per accepted message.
    """

    def __init__(self, funds: int | None, record_path: Path | None) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # notified per request and message
        self._messages: list[SimulatedMessage] = []
        self._requests = 0
        self._funds = funds
        self._faults: deque[Fault] = deque()
        self._failing: dict[str, int] = {}
        self._record = (
            None if record_path is None else record_path.open("a", encoding="utf-8", newline="\n")
        )

    @property
    def messages(self) -> list[SimulatedMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def funds(self) -> int | None:
        with self._lock:
            return self._funds

    @funds.setter
    def funds(self, value: int | None) -> None:
        with self._lock:
            self._funds = value

    def count_request(self) -> None:
        with self._lock:
            self._requests += 1
            self._arrived.notify_all()

    def wait_for(self, messages: int, requests: int, timeout: float) -> bool:
        with self._arrived:
            return self._arrived.wait_for(
                lambda: len(self._messages) >= messages and self._requests >= requests, timeout
            )

    def queue(self, n: int, fault: Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * n)

    def fail_numbers(self, numbers: Iterable[str], code: int) -> None:
        with self._lock:
            self._failing.update(dict.fromkeys(numbers, code))

    def answer(
        self, query: str, received_at: float, *, login: str, password: str, utf16_declaration: bool
    ) -> Reply | None:
        """Answer one sendsms query; None means: close the connection without a reply."""
        request = read_request(query, login, password, received_at)
        if not isinstance(request, SimulatedMessage):
            return xml_reply(*request, utf16_declaration=utf16_declaration)
        outcome = self._deliver(request)
        if outcome == "drop":
            return None
        if outcome == "malformed":
            return MALFORMED_REPLY
        logger.debug("sendsms to %s answered %d", request.to, outcome)
        return xml_reply(outcome, request.to, utf16_declaration=utf16_declaration)

    def close(self) -> None:
        """Close the record file; closing again is harmless."""
        with self._lock:
            if self._record is not None:
                self._record.close()

    def _deliver(self, message: SimulatedMessage) -> int | Literal["malformed", "drop"]:
        """Use the next fault, else accept the message: the code to answer, or the fault."""
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            if fault is None or (fault.kind == "drop" and fault.delivered):
                code = self._accept(message)
            elif fault.kind == "fail":
                return fault.code
            else:
                return fault.kind
        return "drop" if fault is not None else code

    def _accept(self, message: SimulatedMessage) -> int:
        """Apply funds and carrier failures, and record what the gateway sends. Lock held."""
        if self._funds is not None and self._funds <= 0:
            return 402
        failing_code = self._failing.get(message.to)
        if failing_code is not None:
            return failing_code
        if self._funds is not None:
            self._funds -= 1
        self._messages.append(message)
        self._arrived.notify_all()
        if self._record is not None:
            # ASCII JSON: a line can never be split by a reader's idea of a line break.
            self._record.write(json.dumps(asdict(message)) + "\n")
            self._record.flush()
        return 200
