"""Overload protection: a bounded number of requests at work per process, a short bounded queue, then 503.

gunicorn's gthread workers hand each connection to one of ``CONSULT_THREADS`` threads; when
more people arrive than the processes can serve, their requests wait in the listen backlog with
no bound on the wait, and a browser ends up with a timeout and no idea whether its answers were
kept. The gate makes that wait visible and bounded: at most ``CONSULT_MAX_ACTIVE`` requests of a
process run the application at once, at most ``CONSULT_MAX_WAITING`` more wait for a place, each
for at most ``CONSULT_QUEUE_SECONDS``; any other request is answered at once with a translated 503
and ``Retry-After``, before any of its work (and any write) has started. Nothing is half stored:
a refused request never reached a view.

With the default gunicorn settings (2 threads a process) the gate only matters when
``CONSULT_MAX_ACTIVE`` is lower than ``CONSULT_THREADS``: run more threads than active places
(``CONSULT_THREADS=16 CONSULT_MAX_ACTIVE=2``) so that the extra threads are the bounded queue.
``CONSULT_MAX_ACTIVE=0`` (the default) turns the gate off.

Environment (read once, when the application is built):

``CONSULT_MAX_ACTIVE``      requests of one process running the application at once (0: no gate)
``CONSULT_MAX_WAITING``     requests of one process waiting for a place (16)
``CONSULT_QUEUE_SECONDS``   the longest a request waits for a place (5)
``CONSULT_RETRY_AFTER``     seconds sent in ``Retry-After`` with the 503 (5)
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g, request
from werkzeug.exceptions import ServiceUnavailable

# Cheap answers that say whether the process is alive must not queue behind real work.
UNGATED_ENDPOINTS = frozenset({"core.healthz", "static"})


class Overloaded(ServiceUnavailable):
    """Too many requests are already waiting in this process; come back after ``retry_after`` seconds."""


class Gate:
    """At most ``active`` holders at once; at most ``waiting`` callers queued for up to ``timeout`` seconds."""

    def __init__(self, active: int, waiting: int, timeout: float) -> None:
        self.active = active
        self.waiting = waiting
        self.timeout = timeout
        self._places = threading.BoundedSemaphore(active)
        self._lock = threading.Lock()
        self._queued = 0

    def enter(self) -> bool:
        """Take a place, waiting in the bounded queue if needed; False when refused."""
        if self._places.acquire(blocking=False):
            return True
        with self._lock:
            if self._queued >= self.waiting:
                return False
            self._queued += 1
        try:
            return self._places.acquire(timeout=self.timeout)
        finally:
            with self._lock:
                self._queued -= 1

    def leave(self) -> None:
        """Give the place back."""
        self._places.release()


def _number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


def _enter() -> None:
    gate: Gate = current_app.extensions["consult.gate"]
    if request.endpoint in UNGATED_ENDPOINTS:
        return
    if not gate.enter():
        raise Overloaded(retry_after=current_app.config["CONSULT_RETRY_AFTER"])
    g._consult_gate_held = True


def _leave(_error: BaseException | None = None) -> None:
    if g.pop("_consult_gate_held", False):
        current_app.extensions["consult.gate"].leave()


def init_app(app: Flask) -> None:
    """Install the gate as the first hook of every request (when ``CONSULT_MAX_ACTIVE`` > 0)."""
    app.config.setdefault("CONSULT_RETRY_AFTER", int(_number("CONSULT_RETRY_AFTER", 5)))
    active = int(app.config.get("CONSULT_MAX_ACTIVE", _number("CONSULT_MAX_ACTIVE", 0)))
    if active <= 0:
        return
    waiting = int(app.config.get("CONSULT_MAX_WAITING", _number("CONSULT_MAX_WAITING", 16)))
    timeout = float(app.config.get("CONSULT_QUEUE_SECONDS", _number("CONSULT_QUEUE_SECONDS", 5)))
    app.extensions["consult.gate"] = Gate(active, waiting, timeout)
    # First in the list: no other hook (session, user, draft lookup) runs for a refused request.
    app.before_request_funcs.setdefault(None, []).insert(0, _enter)
    app.teardown_request(_leave)
