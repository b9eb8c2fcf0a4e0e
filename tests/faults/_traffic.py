"""Client traffic for the SIGKILL tests: SDK clients that retry with their idempotency keys, and a
transport that records every answer and connection failure, so a test can tell clean refusals from others."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import inkasso

REQUEST_TIMEOUT = 15.0


@dataclass
class Seen:
    """What the wire showed the clients: statuses, failures and latencies of every attempt."""

    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    unclean: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, response: httpx.Response, seconds: float) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            self.seconds.append(seconds)
            if response.status_code >= 500 and not _error_shaped(response):
                self.unclean.append(f"{response.status_code}: {response.text[:200]}")

    def failed(self, exc: Exception, seconds: float) -> None:
        with self.lock:
            self.failures[type(exc).__name__] += 1
            self.seconds.append(seconds)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def p99(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def _error_shaped(response: httpx.Response) -> bool:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(error, dict) and str(error.get("request_id", "")).startswith("req_")


class RecordingTransport(httpx.HTTPTransport):
    def __init__(self, seen: Seen) -> None:
        super().__init__()
        self.seen = seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            response = super().handle_request(request)
            response.read()
        except Exception as exc:
            self.seen.failed(exc, time.monotonic() - started)
            raise
        self.seen.answered(response, time.monotonic() - started)
        return response


def sdk_client(base_url: str, api_key: str, seen: Seen) -> inkasso.Client:
    http = httpx.Client(transport=RecordingTransport(seen), timeout=REQUEST_TIMEOUT)
    return inkasso.Client(api_key=api_key, base_url=base_url, max_retries=8, http_client=http)


def patiently(call: Callable[[], Any], seconds: float = 90) -> Any:
    """Call until it succeeds; the SDK already retried with the same key, this outlasts a long outage."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except (inkasso.APIConnectionError, inkasso.InternalServerError, inkasso.ConflictError) as exc:
            reused = isinstance(exc, inkasso.ConflictError) and exc.code != "idempotency_key_in_use"
            if reused or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Workers:
    """Runs one function per thread and keeps the first exception of each."""

    def __init__(self, jobs: list[Callable[[], None]]) -> None:
        self.errors: list[BaseException] = []
        self.done = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(job,), daemon=True) for job in jobs]
        for thread in self._threads:
            thread.start()

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by join()
            with self._lock:
                self.errors.append(exc)

    def join(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for thread in self._threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        alive = sum(thread.is_alive() for thread in self._threads)
        if alive:
            raise AssertionError(f"{alive} client threads still running after {seconds} s")
        if self.errors:
            raise self.errors[0]
