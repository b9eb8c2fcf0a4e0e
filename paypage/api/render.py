"""Helpers every API view uses: the tenant of the request, JSON answers, list pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, g, jsonify, request
from pydantic import BaseModel

from paypage.services import idempotency
from paypage.services.pagination import encode_cursor
from paypage.services.tenancy import Tenant


def tenant() -> Tenant:
    value = g.tenant
    assert isinstance(value, Tenant)  # noqa: S101 - set by the auth hook for every API view
    return value


def api_actor() -> str:
    """The audit log's actor for this request: the API key, by id."""
    return f"api_key:{g.api_key_id}"


def json_response(body: BaseModel | dict[str, Any], status: int = 200, replayed: bool = False) -> Response:
    response = jsonify(body.model_dump(mode="json") if isinstance(body, BaseModel) else body)
    response.status_code = status
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def page(data: Sequence[BaseModel], has_more: bool, last_id: str | None) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [item.model_dump(mode="json") for item in data],
        "has_more": has_more,
        "next_cursor": encode_cursor(last_id) if has_more and last_id else None,
    }


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    return None if key is None else idempotency.check_key(key)
