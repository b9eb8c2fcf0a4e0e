"""The one error that use cases raise for a request they refuse; each face renders it its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


@dataclass
class RequestError(Exception):
    status: int
    code: str
    message: str
    param: str | None = None
    items: list[dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return _TYPES.get(self.status, "api_error")

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def not_found(kind: str, object_id: str) -> RequestError:
    return RequestError(404, "resource_missing", f"No such {kind}: '{object_id[:64]}'", param="id")
