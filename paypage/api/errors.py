"""The API's one error shape: `{"error": {type, code, message, param, request_id}}`."""

from __future__ import annotations

import logging

from flask import Response, g, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from paypage.api import bp
from paypage.services.errors import RequestError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    404: ("resource_missing", "No such API route"),
    405: ("method_not_allowed", "This method is not allowed on this route"),
    413: ("body_too_large", "The request body is larger than the limit"),
    415: ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json"),
}


def error_response(error: RequestError) -> Response:
    body: dict[str, object] = {
        "type": error.type,
        "code": error.code,
        "message": error.message,
        "param": error.param,
        "request_id": g.get("request_id", ""),
    }
    if error.items is not None:
        body["items"] = error.items
    response = jsonify({"error": body})
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


@bp.errorhandler(RequestError)
def _request_error(error: RequestError) -> Response:
    return error_response(error)


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code, message = _HTTP_CODES.get(status, ("http_error", error.description or "Request refused"))
    if status == 413:
        message = f"{message}; send at most {g.get('max_body_bytes', 0)} bytes"
    return error_response(RequestError(status, code, message))


# What the database said, and what an operator or client should read instead of a generic 500.
_DATABASE_TROUBLE = (
    (("readonly", "read-only"), "The database is read-only; no changes can be stored until it is writable again"),
    (("disk is full", "no space left"), "The database's disk is full; no changes can be stored until it has room"),
    (("database is locked", "database is busy"), "The database is busy; retry in a moment"),
    (
        ("connection", "server closed", "shutting down", "starting up", "terminating"),
        "The database is unreachable; retry in a moment",
    ),
)


def database_unavailable(error: Exception) -> str | None:
    """A message for a database that cannot serve (read-only, full, busy, down), or None."""
    if not isinstance(error, OperationalError):
        return None
    said = str(error.orig).lower()
    return next((message for words, message in _DATABASE_TROUBLE if any(word in said for word in words)), None)


def internal_error(error: Exception) -> Response:
    log.exception("unhandled error in API request %s", g.get("request_id"))
    unavailable = database_unavailable(error)
    if unavailable is not None:
        return error_response(RequestError(503, "service_unavailable", unavailable, headers={"Retry-After": "1"}))
    return error_response(
        RequestError(500, "internal_error", "Something went wrong on our side; the request ID helps us find it")
    )
