"""Data protection pages: find a debtor, export everything about them (JSON, PDF), erase them, and read the
audit log. The services (`gdpr`, `audit`) do the work and write the audit entries; exports and erasure are
POST forms, because each is an audited act and must carry the CSRF token."""

from __future__ import annotations

import json

from flask import Response as FlaskResponse
from flask import redirect, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from paypage.extensions import database, settings
from paypage.portal import NOTICES, bp, page
from paypage.portal.access import current_creditor_id, current_user, requires
from paypage.portal.i18n import _
from paypage.services import audit, gdpr
from paypage.services.errors import not_found
from paypage.store import models

NOTICES.update({"debtor_erased": lambda: _("The debtor's personal data was erased. The booking records remain.")})
AUDIT_PAGE = 50
SEARCH_LIMIT = 20


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "user:unknown"


def _find(session: Session, creditor_id: str, term: str) -> list[models.Debtor]:
    """Debtors by their id, or by the id or reference of one of their claims (both modes: a person's data
    is theirs whichever mode it was handed over in)."""
    claim_debtors = select(models.Claim.debtor_id).where(
        models.Claim.creditor_id == creditor_id,
        or_(models.Claim.id == term, models.Claim.external_reference == term),
    )
    query = (
        select(models.Debtor)
        .where(
            models.Debtor.creditor_id == creditor_id,
            or_(models.Debtor.id == term, models.Debtor.id.in_(claim_debtors)),
        )
        .order_by(models.Debtor.id.desc())
        .limit(SEARCH_LIMIT)
    )
    return list(session.scalars(query))


@bp.get("/privacy")
@requires("read_only")
def privacy() -> Response:
    creditor_id = current_creditor_id()
    term = request.args.get("q", "").strip()[:64]
    before = request.args.get("before", "")
    with database().transaction() as session:
        found = _find(session, creditor_id, term) if term else None
        entries = audit.entries(
            session, creditor_id=creditor_id, limit=AUDIT_PAGE + 1, before=int(before) if before.isdigit() else None
        )
        names = _names(session, creditor_id)
    older = url_for("portal.privacy", before=entries[AUDIT_PAGE - 1].seq) if len(entries) > AUDIT_PAGE else None
    return page(
        "portal/privacy/index.html", term=term, found=found, entries=entries[:AUDIT_PAGE], older=older, names=names
    )


def _names(session: Session, creditor_id: str) -> dict[str, str]:
    """The log names actors by id (`user:usr_...`); the page shows the colleague's name beside it."""
    query = select(models.PortalUser.id, models.PortalUser.name).where(models.PortalUser.creditor_id == creditor_id)
    return {f"user:{user_id}": name for user_id, name in session.execute(query)}


def _debtor(session: Session, creditor_id: str, debtor_id: str) -> models.Debtor:
    debtor = session.get(models.Debtor, (creditor_id, debtor_id))
    if debtor is None:
        raise not_found("debtor", debtor_id)
    return debtor


def _claims(session: Session, debtor: models.Debtor) -> list[models.Claim]:
    query = select(models.Claim).where(
        models.Claim.creditor_id == debtor.creditor_id, models.Claim.debtor_id == debtor.id
    )
    return list(session.scalars(query.order_by(models.Claim.id)))


@bp.get("/privacy/debtors/<debtor_id>")
@requires("read_only")
def privacy_debtor(debtor_id: str) -> Response:
    return _debtor_page(debtor_id)


def _debtor_page(debtor_id: str, status: int = 200, error: str | None = None) -> Response:
    creditor_id = current_creditor_id()
    with database().transaction() as session:
        debtor = _debtor(session, creditor_id, debtor_id)
        claims = _claims(session, debtor)
        entries = [
            entry for entry in audit.entries(session, creditor_id=creditor_id, limit=200) if entry.subject == debtor_id
        ]
    return page("portal/privacy/debtor.html", status, debtor=debtor, claims=claims, entries=entries, error=error)


@bp.post("/privacy/debtors/<debtor_id>/export.json")
@requires("owner")
def export_json(debtor_id: str) -> Response:
    now = settings().clock()
    with database().transaction() as session:
        document = gdpr.export_debtor(
            session, creditor_id=current_creditor_id(), debtor_id=debtor_id, now=now, actor=_actor()
        )
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    return _download(body.encode(), "application/json", f"{debtor_id}.json")


@bp.post("/privacy/debtors/<debtor_id>/export.pdf")
@requires("owner")
def export_pdf(debtor_id: str) -> Response:
    now = settings().clock()
    with database().transaction() as session:
        pdf = gdpr.export_debtor_pdf(
            session, creditor_id=current_creditor_id(), debtor_id=debtor_id, now=now, actor=_actor()
        )
    return _download(pdf, "application/pdf", f"{debtor_id}.pdf")


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = FlaskResponse(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/privacy/debtors/<debtor_id>/erase")
@requires("owner")
def erase(debtor_id: str) -> Response:
    if request.form.get("confirm") != "1":
        return _debtor_page(debtor_id, 400, _("Tick the box to confirm the erasure."))
    now = settings().clock()
    try:
        with database().transaction() as session:
            gdpr.erase_debtor(session, creditor_id=current_creditor_id(), debtor_id=debtor_id, actor=_actor(), now=now)
    except gdpr.ErasureRefused:
        message = _(
            "The debtor still has open claims: their data is needed to collect them. Settle or cancel the claims first."
        )
        return _debtor_page(debtor_id, 409, message)
    return redirect(url_for("portal.privacy_debtor", debtor_id=debtor_id, notice="debtor_erased"), 303)
