"""Signing and verifying webhooks after the [Standard Webhooks](https://www.standardwebhooks.com/) spec.

A delivery carries three headers: `webhook-id` (the event id, the same on every retry), `webhook-timestamp`
(Unix seconds) and `webhook-signature`, one or more space-separated `v1,<base64>` values. Each value is
`base64(HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}." + body))`, where `key` is the base64-decoded
part of the endpoint's secret after `whsec_`.

In your receiver, hand `verify` the raw request body, byte for byte, as it came off the wire:

```python
import inkasso

event = inkasso.webhooks.verify(request.get_data(), request.headers, secret="whsec_...")
if event.type == "claim.paid":
    mark_order_paid(event.data.claim.external_reference)
```

The pitfall: a body that was parsed and serialised again (`json.dumps(request.get_json())`, or a
framework's parsed `request.json`/`request.data`) differs from what was signed in whitespace, key order
or escaping, and will never verify. Read the bytes first (`request.get_data()` in Flask,
`await request.body()` in Starlette and FastAPI, `request.body` in Django) and parse nothing before
`verify` has passed. The typed event it returns is the parsed body.

The service signs its deliveries with `sign` and `headers` of this very module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Final, Protocol

from pydantic import ValidationError

from inkasso._exceptions import WebhookVerificationError
from inkasso.types.events import EVENT_TYPES, WebhookEvent, parse_event
from inkasso.types.shared import Event

__all__ = [
    "DEFAULT_TOLERANCE",
    "ID_HEADER",
    "SECRET_PREFIX",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "HeadersLike",
    "headers",
    "new_secret",
    "sign",
    "verify",
    "verify_signature",
]

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 (a prefix, not a secret)
DEFAULT_TOLERANCE: Final = 300
"""Seconds a delivery's timestamp may lie before or after the receiver's clock (Standard Webhooks: 5 min)."""

ID_HEADER: Final = "webhook-id"
TIMESTAMP_HEADER: Final = "webhook-timestamp"
SIGNATURE_HEADER: Final = "webhook-signature"

_SIGNATURE_VERSION: Final = "v1"
_SECRET_BYTES: Final = 32
# Unix seconds as the sender wrote them: digits only, no sign, no fraction, no exponent.
_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")

SecretInput = str | Sequence[str]


class HeadersLike(Protocol):
    """Request headers as any framework hands them over: a `Mapping[str, str]`, or Werkzeug's `Headers`.

    Werkzeug's class is no `Mapping` (iterating it yields pairs), but it has `items()` like every other.
    """

    def items(self) -> Iterable[tuple[str, str]]: ...


# ------------------------------------------------------------------------------------------------- signing


def new_secret() -> str:
    """A fresh endpoint secret: `whsec_` and the base64 of 32 random bytes.

    ```python
    secret = inkasso.webhooks.new_secret()  # "whsec_3q2+7w..."
    ```
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def sign(payload: bytes, *, secret: SecretInput, msg_id: str, timestamp: int) -> str:
    """The `webhook-signature` header value for a body: `v1,<base64>`, one per secret, space-separated.

    `payload` must be the exact bytes that are sent. Raises `ValueError` for a malformed secret.

    ```python
    value = inkasso.webhooks.sign(body, secret="whsec_...", msg_id="evt_01...", timestamp=1795632000)
    ```
    """
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        # A float would be written as "1795632000.0" and verify nowhere.
        raise TypeError(f"timestamp must be an int of Unix seconds, not {timestamp!r}")
    content = _signed_content(msg_id, str(timestamp), payload)
    return " ".join(f"{_SIGNATURE_VERSION},{_b64(_digest(key, content))}" for key in _keys(secret))


def headers(payload: bytes, *, secret: SecretInput, msg_id: str, timestamp: int | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for a delivery of `payload`, timestamped now unless told.

    ```python
    signed = inkasso.webhooks.headers(body, secret="whsec_...", msg_id="evt_01...")
    httpx.post(url, content=body, headers={**signed, "Content-Type": "application/json"})
    ```
    """
    when = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(when),
        SIGNATURE_HEADER: sign(payload, secret=secret, msg_id=msg_id, timestamp=when),
    }


# --------------------------------------------------------------------------------------------- verifying


def verify(
    payload: bytes | str,
    headers: HeadersLike,
    secret: SecretInput,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Callable[[], float] | None = None,
) -> WebhookEvent | Event:
    """Check a delivery's signature and timestamp, then return it as its typed event class.

    An event type newer than this package comes back as the generic `inkasso.types.Event`, so an older
    integration keeps acknowledging deliveries it does not act on.

    `payload` is the raw request body; `headers` any mapping of the request headers (looked up without
    regard to case: Flask's, Django's `request.headers`, Starlette's, a dict). `secret` may be a list
    of secrets, to accept the old and the new one while a rotation rolls out. `now` returns Unix
    seconds (for tests; `time.time` by default).

    Raises `inkasso.WebhookVerificationError`, saying why, when a header is missing, the timestamp is
    malformed or more than `tolerance` seconds from now, no signature matches, the secret is malformed,
    or the body is not an event.

    ```python
    try:
        event = inkasso.webhooks.verify(request.get_data(), request.headers, secret=SECRET)
    except inkasso.WebhookVerificationError:
        abort(400)
    if event.type == "claim.paid":
        mark_order_paid(event.data.claim.external_reference)
    ```
    """
    verify_signature(payload, headers, secret, tolerance=tolerance, now=now)
    return _parse(_as_bytes(payload))


def verify_signature(
    payload: bytes | str,
    headers: HeadersLike,
    secret: SecretInput,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Callable[[], float] | None = None,
) -> None:
    """Like `verify`, but only checks the signature and timestamp; the body is left to you.

    ```python
    inkasso.webhooks.verify_signature(request.body, request.headers, secret=SECRET)
    data = json.loads(request.body)
    ```
    """
    try:
        keys = _keys(secret)
    except ValueError as exc:
        raise WebhookVerificationError(str(exc)) from None
    msg_id, timestamp, signatures = _required_headers(headers)
    _check_timestamp(timestamp, tolerance, time.time() if now is None else now())
    content = _signed_content(msg_id, timestamp, _as_bytes(payload))
    expected = [_digest(key, content) for key in keys]
    if not _any_signature_matches(signatures, expected):
        raise WebhookVerificationError(
            "no valid signature: check the secret and that the body is the raw request body, not re-serialised"
        )


# ---------------------------------------------------------------------------------------------- helpers


def _keys(secret: SecretInput) -> list[bytes]:
    # A str is a Sequence[str] too: it is one secret, not a list of one-letter ones.
    candidates = [secret] if isinstance(secret, str) else list(secret)
    if not candidates:
        raise ValueError("no webhook secret given")
    return [_key(candidate) for candidate in candidates]


def _key(secret: str) -> bytes:
    # Secrets pasted into environment variables often bring a trailing newline along.
    secret = secret.strip() if isinstance(secret, str) else ""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a webhook secret starts with '{SECRET_PREFIX}' (it is not the API key)")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        # Padding is optional in secrets copied by hand; b64decode insists on it.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"a webhook secret is '{SECRET_PREFIX}' followed by base64") from None
    if not key:
        raise ValueError(f"the webhook secret is empty after '{SECRET_PREFIX}'")
    return key


def _required_headers(headers: HeadersLike) -> tuple[str, str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    wanted = (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
    missing = [name for name in wanted if not lowered.get(name)]
    if missing:
        raise WebhookVerificationError(f"missing header{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    msg_id, timestamp, signatures = (lowered[name] for name in wanted)
    return msg_id, timestamp, signatures


def _check_timestamp(timestamp: str, tolerance: int, now: float) -> None:
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookVerificationError(f"malformed {TIMESTAMP_HEADER} {timestamp[:20]!r}: expected Unix seconds")
    age = now - int(timestamp)
    if age > tolerance:
        raise WebhookVerificationError(f"timestamp too old: {int(age)} s ago, more than {tolerance} s")
    if -age > tolerance:
        raise WebhookVerificationError(
            f"timestamp too far in the future: {int(-age)} s ahead, more than {tolerance} s (check the clock)"
        )


def _any_signature_matches(header: str, expected: list[bytes]) -> bool:
    matched = False
    for entry in header.split():
        version, _, encoded = entry.partition(",")
        if version != _SIGNATURE_VERSION:
            continue  # other schemes (v1a, asymmetric) are not ours to check
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        for digest in expected:
            # No early exit: the time taken does not tell which signature or secret came close.
            matched |= hmac.compare_digest(given, digest)
    return matched


def _parse(body: bytes) -> WebhookEvent | Event:
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    event_type = data.get("type") if isinstance(data, dict) else None
    try:
        if event_type in EVENT_TYPES:
            return parse_event(data)
        # A type newer than this package: still authentic, so hand it over untyped instead of refusing it
        # (a refusal would be retried for days and finally disable the endpoint).
        return Event.model_validate(data)
    except ValidationError as exc:
        raise WebhookVerificationError(f"the body is not a valid event (type {event_type!r}): {exc}") from None


def _signed_content(msg_id: str, timestamp: str, payload: bytes) -> bytes:
    return f"{msg_id}.{timestamp}.".encode() + payload


def _digest(key: bytes, content: bytes) -> bytes:
    return hmac.new(key, content, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _as_bytes(payload: bytes | str) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else payload
