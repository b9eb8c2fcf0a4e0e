"""The import job service on both databases: per-line report, all-or-nothing, batches with stored progress,
a runner that dies and is taken over, and tenants kept apart."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from paypage.extensions import database, links, settings
from paypage.services import csv_imports
from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.factories import new_creditor

HEADER = "external_reference,amount,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country\n"
_batch = itertools.count(1)


def good_line(reference: str) -> str:
    return f"{reference},12345,EUR,2026-09-01,2026-09-15,Erika Mustermann,erika@example.de,DE\n"


def csv_file(*lines: str) -> bytes:
    return (HEADER + "".join(lines)).encode()


def references(count: int) -> list[str]:
    prefix = f"CSV{next(_batch):04d}"
    return [f"{prefix}-{number}" for number in range(count)]


def submit(app: Flask, tenant: Tenant, content: bytes, partial: bool = True) -> str:
    with app.app_context(), database().transaction() as session:
        job = csv_imports.submit(
            session,
            tenant,
            filename="C:\\exports\\claims.csv",
            content=content,
            partial=partial,
            user_id=None,
            now=dt.datetime.now(dt.UTC),
        )
        return job.id


def run(app: Flask, tenant: Tenant, job_id: str, **options: object) -> None:
    with app.app_context():
        csv_imports.run(database(), tenant, job_id, links(), settings().clock, **options)  # type: ignore[arg-type]


def job_and_errors(app: Flask, tenant: Tenant, job_id: str) -> tuple[models.ImportJob, list[tuple[int, str]]]:
    with app.app_context(), database().transaction() as session:
        job = csv_imports.get(session, tenant, job_id)
        errors = [(error.line, error.message) for error in csv_imports.row_errors(session, tenant, job_id)]
        return job, errors


def claims_of(app: Flask, tenant: Tenant, refs: list[str]) -> int:
    with app.app_context(), database().transaction() as session:
        query = select(func.count()).where(
            models.Claim.creditor_id == tenant.creditor_id, models.Claim.external_reference.in_(refs)
        )
        return int(session.scalar(query.select_from(models.Claim)) or 0)


@pytest.fixture
def tenant(app: Flask) -> Tenant:
    return Tenant(new_creditor(app).id, False)


def test_two_bad_lines_are_reported_by_line_and_the_rest_imported(app: Flask, tenant: Tenant) -> None:
    refs = references(5)
    content = csv_file(
        good_line(refs[0]),
        good_line(refs[1]).replace("12345", "12.50"),
        good_line(refs[2]),
        good_line(refs[3]).replace("Erika Mustermann", ""),
        good_line(refs[4]),
    )
    job_id = submit(app, tenant, content)
    run(app, tenant, job_id)
    job, errors = job_and_errors(app, tenant, job_id)
    assert (job.status, job.total, job.processed, job.created, job.failed) == ("done", 5, 5, 3, 2)
    assert [line for line, _ in errors] == [3, 5]
    assert "amount: '12.50' is not a whole number of minor units" in errors[0][1]
    assert errors[1][1] == "debtor_name: missing value"
    assert job.content is None, "the file holds personal data and is dropped once processed"
    assert job.filename == "claims.csv"
    assert claims_of(app, tenant, refs) == 3


def test_without_partial_a_bad_line_imports_nothing(app: Flask, tenant: Tenant) -> None:
    refs = references(3)
    content = csv_file(good_line(refs[0]), good_line(refs[1]).replace("2026-09-15", "15.09.2026"), good_line(refs[2]))
    job_id = submit(app, tenant, content, partial=False)
    run(app, tenant, job_id)
    job, errors = job_and_errors(app, tenant, job_id)
    assert (job.status, job.created, job.failed) == ("done", 0, 1)
    assert errors == [(3, "due_date: '15.09.2026' is not a date in the form YYYY-MM-DD")]
    assert claims_of(app, tenant, refs) == 0


def test_a_wrong_header_refuses_the_whole_file(app: Flask, tenant: Tenant) -> None:
    job_id = submit(app, tenant, b"reference,amount\nR-1,100\n")
    run(app, tenant, job_id)
    job, errors = job_and_errors(app, tenant, job_id)
    assert job.status == "failed" and errors == []
    assert job.message is not None and job.message.startswith("line 1: ") and "missing columns" in job.message


def test_a_file_that_is_not_utf8_is_refused(app: Flask, tenant: Tenant) -> None:
    job_id = submit(app, tenant, csv_file(good_line("R-ü").replace("Erika", "Jürgen")).decode().encode("latin-1"))
    run(app, tenant, job_id)
    job, _ = job_and_errors(app, tenant, job_id)
    assert job.status == "failed" and job.message is not None and "not UTF-8" in job.message


def test_a_reference_imported_before_is_a_line_error(app: Flask, tenant: Tenant) -> None:
    refs = references(2)
    run(app, tenant, submit(app, tenant, csv_file(good_line(refs[0]))))
    job_id = submit(app, tenant, csv_file(good_line(refs[1]), good_line(refs[0])))
    run(app, tenant, job_id)
    job, errors = job_and_errors(app, tenant, job_id)
    assert (job.created, job.failed) == (1, 1)
    assert errors == [(3, f"external_reference: a claim with the reference '{refs[0]}' exists already")]


def test_the_waiting_file_is_stored_encrypted(app: Flask, tenant: Tenant) -> None:
    job_id = submit(app, tenant, csv_file(good_line(references(1)[0])))
    with app.app_context(), database().transaction() as session:
        raw = session.execute(text("SELECT content FROM import_jobs WHERE id = :id"), {"id": job_id}).scalar_one()
    assert b"Erika" not in bytes(raw) and b"erika@example.de" not in bytes(raw)


def test_progress_is_stored_after_every_batch(app: Flask, tenant: Tenant) -> None:
    refs = references(5)
    job_id = submit(app, tenant, csv_file(*(good_line(ref) for ref in refs)))
    seen: list[tuple[str, int, int]] = []

    def look() -> None:  # another transaction, as the status endpoint reads it
        job, _ = job_and_errors(app, tenant, job_id)
        seen.append((job.status, job.processed, job.created))

    run(app, tenant, job_id, batch_size=2, after_batch=look)
    assert seen == [("running", 2, 2), ("running", 4, 4), ("running", 5, 5)]
    job, _ = job_and_errors(app, tenant, job_id)
    assert job.status == "done" and job.finished_at is not None


class RunnerDied(Exception):
    pass


def test_a_dead_runner_is_taken_over_without_duplicates(app: Flask, tenant: Tenant) -> None:
    refs = references(5)
    job_id = submit(app, tenant, csv_file(*(good_line(ref) for ref in refs)))

    def die() -> None:
        raise RunnerDied

    with pytest.raises(RunnerDied):
        run(app, tenant, job_id, batch_size=2, after_batch=die)
    job, _ = job_and_errors(app, tenant, job_id)
    assert (job.status, job.processed) == ("running", 2)
    with app.app_context():
        # Within the lease nobody takes the job over ...
        csv_imports.resume_stale(database(), links(), settings().clock)
    job, _ = job_and_errors(app, tenant, job_id)
    assert (job.status, job.processed) == ("running", 2)
    with app.app_context():
        later = dt.datetime.now(dt.UTC) + csv_imports.LEASE + dt.timedelta(seconds=1)
        # ... after it, the worker finishes it from the first unprocessed line.
        assert csv_imports.resume_stale(database(), links(), lambda: later) >= 1
    job, errors = job_and_errors(app, tenant, job_id)
    assert (job.status, job.created, job.failed, errors) == ("done", 5, 0, [])
    assert claims_of(app, tenant, refs) == 5


def test_another_creditor_sees_no_job(app: Flask, tenant: Tenant) -> None:
    job_id = submit(app, tenant, csv_file(good_line(references(1)[0])))
    other = Tenant(new_creditor(app).id, False)
    with app.app_context(), database().transaction() as session:
        with pytest.raises(RequestError) as refused:
            csv_imports.get(session, other, job_id)
        assert refused.value.status == 404
        with pytest.raises(RequestError):
            csv_imports.get(session, Tenant(tenant.creditor_id, True), job_id)  # nor the live mode


@pytest.mark.parametrize(
    ("content", "code"), [(b"  \n", "file_empty"), (b"x" * (5 * 1024 * 1024 + 1), "file_too_large")]
)
def test_empty_and_oversized_files_are_refused_at_upload(app: Flask, tenant: Tenant, content: bytes, code: str) -> None:
    with pytest.raises(RequestError) as refused:
        submit(app, tenant, content)
    assert refused.value.code == code


def test_the_worker_finishes_an_orphaned_import(app: Flask, tenant: Tenant) -> None:
    from paypage.engine.worker import Worker

    refs = references(2)
    job_id = submit(app, tenant, csv_file(*(good_line(ref) for ref in refs)))  # no runner was started
    with app.app_context():
        worker = Worker(database(), settings().clock, concurrency=1, app=app)
    try:
        assert worker.resume_imports() >= 1  # other tests' never-started jobs are finished too
        assert worker.resume_imports() == 0
    finally:
        worker.close()
    job, _ = job_and_errors(app, tenant, job_id)
    assert (job.status, job.created) == ("done", 2)
