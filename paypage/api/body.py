"""Reading request bodies and query strings, with a clear error for each way they can be wrong."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import request

from paypage.services.errors import RequestError


def json_object() -> dict[str, Any]:
    mimetype = request.mimetype
    if mimetype != "application/json":
        got = f"'{mimetype}'" if mimetype else "none"
        raise RequestError(415, "unsupported_media_type", f"Content-Type must be application/json (got {got})")
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw)
    except RecursionError:
        raise RequestError(400, "body_not_json", "The body nests arrays or objects too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise RequestError(400, "body_not_json", f"The body is not valid JSON{where}") from None
    if not isinstance(body, dict):
        raise RequestError(400, "body_not_json", "The body must be a JSON object")
    return body


def optional_json_object() -> dict[str, Any]:
    """For POSTs whose body may be empty."""
    if not request.get_data(cache=True):
        return {}
    return json_object()


def query_datetime(name: str) -> dt.datetime | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise RequestError(
            400, "parameter_invalid", f"{name}: must be an ISO 8601 timestamp such as 2026-11-01T00:00:00Z", name
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def known_query(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise RequestError(400, "parameter_unknown", f"{unknown[0]}: is not a known query parameter", unknown[0])
