"""The worker loop: `flask --app paypage worker`, or a thread inside `make demo`.

Each round leases a batch of due work, runs it on a small thread pool (webhook receivers are slow and
remote, so deliveries overlap), records the results, and sleeps briefly when there was nothing to do.
SIGTERM and SIGINT finish the round in progress and then stop.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

import httpx

from paypage.engine import webhooks
from paypage.store.db import Database

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        concurrency: int = 8,
        batch_size: int = 50,
        idle_sleep: float = 0.2,
        http: httpx.Client | None = None,
        webhook_timeout: float = webhooks.REQUEST_TIMEOUT,
        webhook_lease: dt.timedelta = webhooks.LEASE,
    ) -> None:
        if webhook_lease.total_seconds() <= webhook_timeout:
            raise ValueError("the webhook lease must outlast the request timeout, or two workers could overlap")
        self.webhook_timeout = webhook_timeout
        self.webhook_lease = webhook_lease
        self.db = db
        self.clock = clock
        self.batch_size = batch_size
        self.idle_sleep = idle_sleep
        self.stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self.concurrency = concurrency
        limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
        self._http = http or httpx.Client(limits=limits)

    def deliver_webhooks(self) -> int:
        """One round of webhook delivery; returns the number of attempts made."""
        jobs = webhooks.lease(self.db, self.clock(), self.batch_size, self.webhook_lease)
        if not jobs:
            return 0

        def attempt(job: webhooks.Job) -> None:
            result = webhooks.send(job, self._http, self.clock, self.webhook_timeout)
            webhooks.record(self.db, job, result, self.clock())

        for future in [self._pool.submit(attempt, job) for job in jobs]:
            future.result()
        return len(jobs)

    def run_once(self) -> int:
        return self.deliver_webhooks()

    def run(self) -> None:
        log.info("worker started")
        while not self.stopping.is_set():
            try:
                done = self.run_once()
            except Exception:
                log.exception("worker round failed; retrying after a pause")
                done = 0
                self.stopping.wait(1.0)
            if not done:
                self.stopping.wait(self.idle_sleep)
        log.info("worker stopped")

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing the current round", signum)
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._http.close()
