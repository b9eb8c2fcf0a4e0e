"""The creditor's branding for the pay page, served from our own origin so the CSP stays `'self'`.

The colour arrives as a stylesheet (`/brand/<creditor>/<colour>.css`), not as an inline style; the logo
as the stored PNG or JPEG with its checked content type. Both URLs carry their version (the colour, the
logo's digest), so they can be cached for long and change the moment the creditor changes them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, url_for

from paypage.extensions import database
from paypage.services import creditor_settings
from paypage.store import models

bp = Blueprint("brand", __name__, url_prefix="/brand")
CACHE = "public, max-age=31536000, immutable"


@bp.get("/<creditor_id>/<colour>.css")
def stylesheet(creditor_id: str, colour: str) -> Response:
    with database().transaction() as session:
        creditor = session.get(models.Creditor, creditor_id[:32])
        current = creditor_settings.brand_colour(creditor.settings) if creditor else None
    if current is None or current.removeprefix("#") != colour:
        abort(404)
    response = Response(creditor_settings.brand_css(current), mimetype="text/css")
    response.headers["Cache-Control"] = CACHE
    return response


@bp.get("/<creditor_id>/logo/<digest>")
def logo(creditor_id: str, digest: str) -> Response:
    with database().transaction() as session:
        found = session.get(models.BrandLogo, creditor_id[:32])
        if found is None or found.sha256 != digest:
            abort(404)
        content, content_type = found.content, found.content_type
    response = Response(content, mimetype=content_type)
    response.headers["Cache-Control"] = CACHE
    response.headers["Content-Disposition"] = "inline"
    return response


def urls(session: Any, creditor: models.Creditor) -> dict[str, str | None]:
    """What a page of this creditor links to: its stylesheet and its logo, None where it has none."""
    colour = creditor_settings.brand_colour(creditor.settings)
    found = session.get(models.BrandLogo, creditor.id)
    return {
        "stylesheet": url_for("brand.stylesheet", creditor_id=creditor.id, colour=colour[1:]) if colour else None,
        "logo": url_for("brand.logo", creditor_id=creditor.id, digest=found.sha256) if found else None,
    }
