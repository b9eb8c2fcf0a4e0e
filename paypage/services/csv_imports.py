"""CSV hand-over in the portal: the file is stored as a job, then imported in batches by a runner.

The column rules are the SDK's (`inkasso.csv_import.parse_rows`), so a file the `inkasso claims import`
command accepts is accepted here and refused with the same per-line messages. Claims are created by the
claims service (`claims.create_batch`), the same path as `POST /v1/claims/batch`.

Each batch commits its claims together with the job's counters and the batch's row errors, so the
progress a page shows is exactly what is stored, and a runner that dies is taken over (after its lease)
from the first unprocessed row, without creating a claim twice.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from flask import Flask
from inkasso import types as wire
from inkasso.csv_import import ImportFileError, ParsedRow, parse_rows
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.services import claims
from paypage.services.errors import RequestError, not_found
from paypage.services.tenancy import Tenant
from paypage.store import models
from paypage.store.db import Database

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
BATCH_SIZE = 100
LEASE = dt.timedelta(seconds=60)
"""How long a runner holds a job between two batches before another runner may take it over."""
MAX_STORED_ERRORS = 2000
"""A file of garbage should not fill the database: the report keeps the first problems and the counts."""
UNFINISHED = ("queued", "running")


@dataclass(frozen=True)
class Progress:
    status: str
    total: int
    processed: int
    created: int
    failed: int
    message: str | None

    @property
    def percent(self) -> int:
        if self.status in ("done", "failed"):
            return 100
        return 0 if self.total == 0 else min(100, self.processed * 100 // self.total)


def progress(job: models.ImportJob) -> Progress:
    return Progress(job.status, job.total, job.processed, job.created, job.failed, job.message)


def _filename(name: str) -> str:
    # Browsers send a bare name, old ones a full client path; keep the last part, printable, bounded.
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "upload.csv"


def submit(
    session: Session,
    tenant: Tenant,
    *,
    filename: str,
    content: bytes,
    partial: bool,
    user_id: str | None,
    now: dt.datetime,
) -> models.ImportJob:
    """Store the file as a queued job. The file is not read here: the runner reports on every line."""
    if not content.strip():
        raise RequestError(400, "file_empty", "file: the file is empty", "file")
    if len(content) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise RequestError(413, "file_too_large", f"file: the file is larger than {limit} MB", "file")
    job = models.ImportJob(
        creditor_id=tenant.creditor_id,
        id=new_id("imp", now),
        livemode=tenant.livemode,
        filename=_filename(filename),
        status="queued",
        partial=partial,
        content=content,
        total=0,
        processed=0,
        created=0,
        failed=0,
        created_by=user_id,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get(session: Session, tenant: Tenant, job_id: str) -> models.ImportJob:
    job = session.get(models.ImportJob, (tenant.creditor_id, job_id))
    if job is None or job.livemode != tenant.livemode:
        raise not_found("import", job_id)
    return job


def recent(session: Session, tenant: Tenant, limit: int = 20) -> list[models.ImportJob]:
    query = (
        select(models.ImportJob)
        .where(models.ImportJob.creditor_id == tenant.creditor_id, models.ImportJob.livemode == tenant.livemode)
        .order_by(models.ImportJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def row_errors(session: Session, tenant: Tenant, job_id: str) -> list[models.ImportRowError]:
    get(session, tenant, job_id)
    query = (
        select(models.ImportRowError)
        .where(models.ImportRowError.creditor_id == tenant.creditor_id, models.ImportRowError.job_id == job_id)
        .order_by(models.ImportRowError.seq)
    )
    return list(session.scalars(query))


# ------------------------------------------------------------------------------------------------- running


def _take(session: Session, creditor_id: str, job_id: str, now: dt.datetime) -> models.ImportJob | None:
    """The job with a fresh lease, or None when it is finished or another runner holds it."""
    job = session.get(models.ImportJob, (creditor_id, job_id), with_for_update=True)
    if job is None or job.status not in UNFINISHED:
        return None
    if job.locked_until is not None and job.locked_until > now:
        return None
    job.status = "running"
    job.locked_until = now + LEASE
    return job


def _finish(job: models.ImportJob, now: dt.datetime, status: str = "done", message: str | None = None) -> None:
    job.status = status
    job.message = message
    job.content = None  # the file holds personal data; the claims and the report are what remain
    job.locked_until = None
    job.finished_at = now


class _Errors:
    def __init__(self, session: Session, job: models.ImportJob) -> None:
        self.session = session
        self.job = job
        self.next_seq = (
            session.scalar(
                select(func.count())
                .select_from(models.ImportRowError)
                .where(
                    models.ImportRowError.creditor_id == job.creditor_id,
                    models.ImportRowError.job_id == job.id,
                )
            )
            or 0
        )

    def add(self, line: int, message: str) -> None:
        if self.next_seq >= MAX_STORED_ERRORS:
            return
        self.session.add(
            models.ImportRowError(
                creditor_id=self.job.creditor_id, job_id=self.job.id, seq=self.next_seq, line=line, message=message
            )
        )
        self.next_seq += 1


def _parse(content: bytes) -> list[ParsedRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 encoded ({exc.reason})") from None
    return parse_rows(io.StringIO(text, newline=""))


def run(
    db: Database,
    tenant: Tenant,
    job_id: str,
    links: claims.LinkMaker,
    clock: Callable[[], dt.datetime],
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[], None] | None = None,
) -> None:
    """Import the job's rows from the first unprocessed one; returns when it is done or held by another
    runner. `after_batch` is called after each committed batch (a test stops a runner there)."""
    with db.transaction() as session:
        job = _take(session, tenant.creditor_id, job_id, clock())
        if job is None:
            return
        content = job.content or b""
        try:
            rows = _parse(content)
        except ImportFileError as exc:
            _finish(job, clock(), "failed", str(exc))
            return
        job.total = len(rows)
        bad = [row for row in rows if row.problems]
        if not rows or (bad and not job.partial and job.processed == 0):
            # All or nothing: report every bad line, create nothing.
            errors = _Errors(session, job)
            for row in bad:
                for problem in row.problems:
                    errors.add(row.line, problem)
            job.processed = len(rows)
            job.failed = len(bad)
            _finish(job, clock())
            return
        start = job.processed
    for offset in range(start, len(rows), batch_size):
        if not _run_batch(db, tenant, job_id, rows[offset : offset + batch_size], offset, links, clock):
            return
        if after_batch is not None:
            after_batch()
    with db.transaction() as session:
        job = session.get(models.ImportJob, (tenant.creditor_id, job_id), with_for_update=True)
        if job is not None and job.status == "running" and job.processed >= len(rows):
            _finish(job, clock())


def _run_batch(
    db: Database,
    tenant: Tenant,
    job_id: str,
    batch: Sequence[ParsedRow],
    offset: int,
    links: claims.LinkMaker,
    clock: Callable[[], dt.datetime],
) -> bool:
    now = clock()
    with db.transaction() as session:
        job = session.get(models.ImportJob, (tenant.creditor_id, job_id), with_for_update=True)
        if job is None or job.status != "running" or job.processed != offset:
            return False  # taken over by another runner after our lease ran out
        errors = _Errors(session, job)
        items: list[wire.ClaimCreateParams | wire.BatchItemError] = []
        lines: list[int] = []
        for row in batch:
            if row.problems:
                for problem in row.problems:
                    errors.add(row.line, problem)
                job.failed += 1
                continue
            try:
                items.append(wire.ClaimCreateParams.model_validate(row.fields))
            except ValidationError as exc:  # parse_rows validated already; kept for a changed model
                errors.add(row.line, str(exc.errors(include_url=False)[0]["msg"]))
                job.failed += 1
                continue
            lines.append(row.line)
        outcome = claims.create_batch(session, tenant, items, partial=True, links=links, now=now)
        for failure in outcome.failed:
            errors.add(lines[failure.index], failure.message)
        job.failed += len(outcome.failed)
        job.created += len(outcome.created)
        job.processed = offset + len(batch)
        job.locked_until = now + LEASE
    return True


def start_in_background(app: Flask, tenant: Tenant, job_id: str) -> threading.Thread:
    """Run the job in a thread of this process: the upload answers at once and the page polls."""
    from paypage.extensions import database, links, settings

    def work() -> None:
        with app.app_context():
            try:
                run(database(), tenant, job_id, links(), settings().clock)
            except Exception:
                # The job keeps its lease and is taken over by resume_stale; the log names no personal data.
                log.exception("import %s stopped", job_id)

    thread = threading.Thread(target=work, name=f"import-{job_id}", daemon=True)
    thread.start()
    return thread


def resume_stale(db: Database, links: claims.LinkMaker, clock: Callable[[], dt.datetime]) -> int:
    """Finish the jobs whose runner died (the worker calls this); returns how many were taken up."""
    now = clock()
    with db.transaction() as session:
        stale = session.execute(
            select(models.ImportJob.creditor_id, models.ImportJob.id, models.ImportJob.livemode).where(
                models.ImportJob.status.in_(UNFINISHED),
                or_(models.ImportJob.locked_until.is_(None), models.ImportJob.locked_until < now),
            )
        ).all()
    for creditor_id, job_id, livemode in stale:
        run(db, Tenant(creditor_id, livemode), job_id, links, clock)
    return len(stale)
