"""Every error the SDK raises.

```
InkassoError
├── APIError
│   ├── APIStatusError                 the API answered with an error status
│   │   ├── BadRequestError            400, 413, 415
│   │   ├── AuthenticationError        401
│   │   ├── PermissionDeniedError      403
│   │   ├── NotFoundError              404
│   │   ├── ConflictError              409
│   │   ├── UnprocessableEntityError   422 (a rejected batch, with `.items`)
│   │   ├── RateLimitError             429
│   │   └── InternalServerError        500 and above
│   └── APIConnectionError             no answer: DNS, refused, reset ...
│       └── APITimeoutError            no answer in time
└── WebhookVerificationError           a webhook's signature does not check out
```

Catch `APIStatusError` and look at `.code` (stable, machine-readable) rather than at the message.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from inkasso.types import BatchItemError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InkassoError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "make_status_error",
    "status_error_class",
]

# A rejected batch may list up to 1,000 items; the message shows the first few, `.items` has all.
_ITEMS_IN_MESSAGE = 5


class InkassoError(Exception):
    """Base class of every error raised by the SDK."""


class WebhookVerificationError(InkassoError):
    """A webhook's signature, timestamp or payload does not verify."""


class APIError(InkassoError):
    """A request to the API did not succeed."""

    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The API could not be reached, or the connection broke before an answer arrived."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The API did not answer within the configured timeout."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status.

    ```python
    try:
        client.claims.get("clm_missing")
    except inkasso.NotFoundError as exc:
        print(exc.code, exc.request_id)
    ```
    """

    status_code: int
    response: httpx.Response
    body: Any
    """The parsed JSON body, or None when the body was not JSON."""
    request_id: str | None
    code: str | None
    """Stable, machine-readable reason: `parameter_invalid`, `idempotency_key_reused`, ..."""
    param: str | None
    """The request field at fault, dotted (`debtor.email`)."""
    type: str | None
    items: list[BatchItemError] | None
    """For a rejected batch: every claim that failed, by index."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: Any,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,  # mirrors the wire field `error.type`
        items: list[BatchItemError] | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.status_code = response.status_code
        self.response = response
        self.body = body
        self.request_id = request_id
        self.code = code
        self.param = param
        self.type = type
        self.items = items


class BadRequestError(APIStatusError):
    """400, 413 or 415: the request is malformed or a parameter is invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such resource (also for another creditor's claim)."""


class ConflictError(APIStatusError):
    """409: an idempotency key clash, a duplicate external reference, or a claim in the wrong state."""


class UnprocessableEntityError(APIStatusError):
    """422: a batch was rejected as a whole; `.items` lists each failing claim."""


class RateLimitError(APIStatusError):
    """429: too many requests; the SDK has already waited and retried `max_retries` times."""


class InternalServerError(APIStatusError):
    """500 and above: the API failed; the SDK has already retried `max_retries` times."""


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status: the one place that maps statuses to classes."""
    if status_code in (400, 413, 415):
        return BadRequestError
    if status_code >= 500:
        return InternalServerError
    return {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        422: UnprocessableEntityError,
        429: RateLimitError,
    }.get(status_code, APIStatusError)


def make_status_error(response: httpx.Response) -> APIStatusError:
    """Build the exception for an error answer, reading the API's `{"error": {...}}` body leniently.

    The body may come from a proxy rather than the API (an HTML 502 page), so nothing in it is assumed.
    """
    body = _json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = _str_or_none(error.get("code"))
    message = _str_or_none(error.get("message")) or _fallback_message(response)
    request_id = _str_or_none(error.get("request_id")) or response.headers.get("Request-Id")
    items = _batch_items(error.get("items"))

    text = f"{response.status_code} {code}: {message}" if code else f"{response.status_code}: {message}"
    if request_id:
        text += f" (request id: {request_id})"
    if items:
        text += "".join(f"\n  claims[{item.index}]: {item.message}" for item in items[:_ITEMS_IN_MESSAGE])
        if len(items) > _ITEMS_IN_MESSAGE:
            text += f"\n  ... and {len(items) - _ITEMS_IN_MESSAGE} more in .items"

    return status_error_class(response.status_code)(
        text,
        response=response,
        body=body,
        request_id=request_id,
        code=code,
        param=_str_or_none(error.get("param")),
        type=_str_or_none(error.get("type")),
        items=items,
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _fallback_message(response: httpx.Response) -> str:
    text = response.text.strip()
    if text and len(text) <= 200 and "<" not in text:
        return text
    return response.reason_phrase or "error"


def _batch_items(raw: Any) -> list[BatchItemError] | None:
    if not isinstance(raw, list):
        return None
    try:
        return [BatchItemError.model_validate(item) for item in raw]
    except ValidationError:
        return None
