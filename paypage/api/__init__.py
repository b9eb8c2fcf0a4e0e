"""The JSON API, `/v1`: thin views that parse, call a service, render with the `inkasso.types` models."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from paypage.api import (  # noqa: E402, F401
    auth,
    bank_transactions,
    claims,
    errors,
    experiments,
    openapi,
    webhook_endpoints,
)
