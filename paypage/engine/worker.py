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
from flask import Flask

from paypage.decisions import rewards
from paypage.engine import webhooks
from paypage.engine.channel_registry import channels_for
from paypage.engine.channels.protocol import Channel
from paypage.engine.collect import dunning_round
from paypage.engine.dunning import Due
from paypage.services import csv_imports, retention
from paypage.services.events import WAKEUP_CHANNEL
from paypage.store import models
from paypage.store.db import Database

log = logging.getLogger(__name__)
RETENTION_INTERVAL = dt.timedelta(hours=1)


class Wakeup:
    """Wakes the idle loop when PostgreSQL signals new work; polling stays as the fallback."""

    def __init__(self, db: Database, stopping: threading.Event) -> None:
        self.event = threading.Event()
        self._stopping = stopping
        self._url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        if db.dialect == "postgresql":
            threading.Thread(target=self._listen, name="wakeup", daemon=True).start()

    def _listen(self) -> None:
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {WAKEUP_CHANNEL}")
                    while not self._stopping.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            self.event.set()
            except psycopg.Error:
                log.warning("lost the wake-up connection; polling until it is back")
                self._stopping.wait(1.0)

    def wait(self, seconds: float) -> None:
        self.event.wait(seconds)
        self.event.clear()


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
        app: Flask | None = None,
    ) -> None:
        self.app = app
        config = app.extensions["inkasso.settings"] if app is not None else None
        self.outbox_file = config.outbox_file if config else ""
        self.engine_lease = dt.timedelta(seconds=config.engine_lease if config else 300)
        self.links = app.extensions["inkasso.links"] if app is not None else None
        if webhook_lease.total_seconds() <= webhook_timeout:
            raise ValueError("the webhook lease must outlast the request timeout, or two workers could overlap")
        self.webhook_timeout = webhook_timeout
        self.webhook_lease = webhook_lease
        self.db = db
        self.clock = clock
        self.batch_size = batch_size
        self.idle_sleep = idle_sleep
        self.stopping = threading.Event()
        self._retention_due: dt.datetime | None = None
        self.wakeup = Wakeup(db, self.stopping)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self.concurrency = concurrency
        limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
        self._http = http or httpx.Client(limits=limits)

    def deliver_webhooks(self) -> int:
        """One round of webhook delivery; returns the number of attempts made."""
        jobs = webhooks.lease(self.db, self.clock(), self.batch_size, self.webhook_lease)
        if not jobs:
            return 0

        def attempt(job: webhooks.Job) -> tuple[webhooks.Job, webhooks.Result]:
            return job, webhooks.send(job, self._http, self.clock, self.webhook_timeout)

        outcomes = list(self._pool.map(attempt, jobs))
        webhooks.record(self.db, outcomes, self.clock())
        return len(jobs)

    def collect(self) -> int:
        """One round of the collection engine; returns the number of claims looked at."""
        if self.app is None:
            return 0
        app = self.app

        def in_pool(task: Callable[[Due], None], items: list[Due]) -> None:
            def with_context(item: Due) -> None:
                with app.app_context():
                    task(item)

            list(self._pool.map(with_context, items))

        # SQLite has one writer: claims go one after the other there; on PostgreSQL they overlap.
        run = in_pool if self.db.dialect == "postgresql" else None
        with app.app_context():
            looked_at = dunning_round(
                self.db, self.clock, self.batch_size, self.links, self._channels, self.engine_lease, run
            )
        # The contact policy learns from contacts whose attribution window has closed.
        rewards.settle(self.db, self.clock())
        return looked_at

    def _channels(self, creditor: models.Creditor, livemode: bool) -> dict[str, Channel]:
        return channels_for(creditor, livemode, self.outbox_file)

    def apply_retention(self) -> int:
        """Anonymise debtors whose retention period has passed; at most once per RETENTION_INTERVAL."""
        now = self.clock()
        if self._retention_due is not None and now < self._retention_due:
            return 0
        self._retention_due = now + RETENTION_INTERVAL
        return retention.run(self.db, now).erased

    def resume_imports(self) -> int:
        """Finish portal CSV imports whose runner (a thread of a web process) died; returns how many."""
        if self.links is None:
            return 0
        return csv_imports.resume_stale(self.db, self.links, self.clock)

    def run_once(self) -> int:
        return (
            self.deliver_webhooks()
            + self.collect()
            + self.apply_retention()
            + self.resume_imports()
            + self.send_held_answers()
        )

    def send_held_answers(self) -> int:
        """Answers to debtors that waited for the contact hours; looked for at most once a minute."""
        if self.app is None or self.links is None:
            return 0
        now = self.clock()
        if now < getattr(self, "_answers_due", now):
            return 0
        self._answers_due = now + dt.timedelta(minutes=1)
        from paypage.services import answers

        with self.app.app_context():
            return answers.send_all_held(self.db, now, self.links, self._channels)

    def run(self) -> None:
        log.info("worker started")
        while not self.stopping.is_set():
            try:
                done = self.run_once()
            except Exception:
                log.exception("worker round failed; retrying after a pause")
                done = 0
                self.stopping.wait(1.0)
            if not done and not self.stopping.is_set():
                self.wakeup.wait(self.idle_sleep)
        log.info("worker stopped")

    def stop(self, *_: object) -> None:
        self.stopping.set()
        self.wakeup.event.set()

    def install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing the current round", signum)
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)
        self._http.close()
