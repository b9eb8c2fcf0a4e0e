"""CSV import pages: upload, a progress page (a JSON status the script polls; a refresh without script),
and the per-line error report."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from paypage.extensions import database, settings
from paypage.portal import bp, page
from paypage.portal.access import current_tenant, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.i18n import _
from paypage.services import csv_imports
from paypage.services.errors import RequestError

UPLOAD_OVERHEAD = 64 * 1024
"""Room for the multipart framing and the other fields of the upload form."""
STARTER = "inkasso.import_starter"
"""App extension: how an upload's job is started (a background thread unless a test sets another)."""


@bp.before_app_request
def _allow_large_uploads() -> None:
    # App-wide bodies are small (INKASSO_MAX_BODY_BYTES); a CSV file may be larger. Raised before any
    # handler reads the form (the portal's CSRF check does), and only for the upload itself.
    if request.endpoint == "portal.upload_import":
        request.max_content_length = csv_imports.MAX_FILE_BYTES + UPLOAD_OVERHEAD


def _list(status: int = 200, **values: object) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        jobs = csv_imports.recent(session, tenant)
    return page(
        "portal/integrations/imports.html", status, jobs=jobs, max_mb=csv_imports.MAX_FILE_BYTES >> 20, **values
    )


@bp.get("/integrations/imports")
@requires("read_only")
def imports() -> Response:
    return _list()


@bp.post("/integrations/imports")
@requires("agent")
def upload_import() -> Response:
    tenant = current_tenant()
    user = current_user()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _list(400, upload_error=_("Choose a CSV file to import."))
    with upload.stream:  # a large upload is spooled to a temporary file: close it now
        content = upload.stream.read(csv_imports.MAX_FILE_BYTES + 1)
    now = settings().clock()
    try:
        with database().transaction() as session:
            job = csv_imports.submit(
                session,
                tenant,
                filename=upload.filename,
                content=content,
                partial=request.form.get("partial") == "1",
                user_id=user.id if user else None,
                now=now,
            )
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=f"user:{user.id if user else 'unknown'}",
                action="import.submitted",
                subject=job.id,
                detail={"bytes": len(content)},
                now=now,
            )
            job_id = job.id
    except RequestError as exc:
        message = (
            _("The file is empty.")
            if exc.code == "file_empty"
            else _("The file is larger than %(limit)s MB.", limit=csv_imports.MAX_FILE_BYTES >> 20)
        )
        return _list(exc.status, upload_error=message)
    starter = current_app.extensions.get(STARTER, csv_imports.start_in_background)
    starter(current_app._get_current_object(), tenant, job_id)  # type: ignore[attr-defined]
    return redirect(url_for("portal.import_job", job_id=job_id), 303)


@bp.get("/integrations/imports/<job_id>")
@requires("read_only")
def import_job(job_id: str) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        job = csv_imports.get(session, tenant, job_id)
        errors = csv_imports.row_errors(session, tenant, job_id) if job.status in ("done", "failed") else []
        progress = csv_imports.progress(job)
    return page(
        "portal/integrations/import.html",
        job=job,
        progress=progress,
        errors=errors,
        finished=job.status in ("done", "failed"),
        stored_limit=csv_imports.MAX_STORED_ERRORS,
    )


@bp.get("/integrations/imports/<job_id>/status")
@requires("read_only")
def import_status(job_id: str) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        progress = csv_imports.progress(csv_imports.get(session, tenant, job_id))
    return jsonify(
        status=progress.status,
        total=progress.total,
        processed=progress.processed,
        created=progress.created,
        failed=progress.failed,
        percent=progress.percent,
        finished=progress.status in ("done", "failed"),
    )
