"""Bearer API keys and the per-key rate limit, checked before every API view."""

from __future__ import annotations

from flask import current_app, g, request

from paypage.api import bp
from paypage.api.ratelimit import RateLimiter
from paypage.extensions import database, settings
from paypage.services import creditors
from paypage.services.errors import RequestError

PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})


def _limiter() -> RateLimiter:
    limiter = current_app.extensions.get("inkasso.ratelimit")
    if limiter is None:
        config = settings()
        limiter = RateLimiter(config.rate_limit, config.rate_limit_burst)
        current_app.extensions["inkasso.ratelimit"] = limiter
    assert isinstance(limiter, RateLimiter)  # noqa: S101 - only this module stores it
    return limiter


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise RequestError(
            401, "api_key_missing", "No API key: send 'Authorization: Bearer sk_test_...' with every request"
        )
    if scheme.lower() != "bearer" or not secret.strip():
        raise RequestError(401, "api_key_invalid", "Send the API key as 'Authorization: Bearer <key>'")
    with database().transaction() as session:
        found = creditors.authenticate(session, secret.strip(), settings().clock())
    if found is None:
        raise RequestError(401, "api_key_invalid", "This API key is not valid (unknown or revoked)")
    g.tenant, key_id = found
    g.api_key_id = key_id
    wait = _limiter().acquire(key_id)
    if wait:
        raise RequestError(
            429,
            "rate_limited",
            "Too many requests for this API key; slow down and retry after the delay",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )
