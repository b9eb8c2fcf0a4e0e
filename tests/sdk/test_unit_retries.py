"""The request loop: which answers are retried, how long it waits, and what every attempt carries."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from typing import Any

import httpx
import inkasso
import pytest
from inkasso._base_client import _retry_after_seconds

CLAIM_FIELDS: dict[str, Any] = {
    "external_reference": "INV-1",
    "amount": 12345,
    "currency": "EUR",
    "invoice_date": "2026-10-01",
    "due_date": "2026-10-15",
    "debtor": {"name": "Max Muster", "email": "max@example.com", "country": "DE"},
}


def claim_json() -> dict[str, Any]:
    return {
        "id": "clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB",
        "object": "claim",
        "livemode": False,
        "state": "open",
        "external_reference": "INV-1",
        "amount": 12345,
        "currency": "EUR",
        "balance": {"principal": 12345, "interest": 0, "fees": 0, "paid": 0, "outstanding": 12345},
        "debtor": {"id": "dbt_1", "type": "person", "name": "Max Muster", "country": "DE"},
        "invoice_date": "2026-10-01",
        "due_date": "2026-10-15",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
    }


def error(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": {"type": "api_error", "code": code, "message": f"{code} happened", "request_id": "req_1"}}
    return httpx.Response(status, json=body, headers=headers)


Answer = httpx.Response | Exception


class Script:
    """A transport that plays a list of answers in order and records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def header(self, name: str) -> list[str | None]:
        return [request.headers.get(name) for request in self.requests]


def make_client(script: Script, *, jitter: float = 1.0, **options: Any) -> tuple[inkasso.Client, list[float]]:
    http = httpx.Client(transport=httpx.MockTransport(script))
    client = inkasso.Client(api_key="sk_test_k3y", base_url="http://api.test", http_client=http, **options)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    client._random = lambda: jitter
    return client, sleeps


def ok() -> httpx.Response:
    return httpx.Response(201, json=claim_json())


def submit(client: inkasso.Client, **extra: Any) -> inkasso.types.Claim:
    return client.claims.submit(**CLAIM_FIELDS, **extra)


# ------------------------------------------------------------------------------------------ retried answers


def test_retry_after_in_seconds_is_honoured() -> None:
    script = Script(
        error(429, "rate_limited", {"Retry-After": "3"}),
        error(503, "service_unavailable", {"Retry-After": "1.5"}),
        ok(),
    )
    client, sleeps = make_client(script)

    claim = submit(client)

    assert claim.id == "clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB"
    assert sleeps == [3.0, 1.5]
    assert len(script.requests) == 3


def test_retry_after_is_capped_at_sixty_seconds() -> None:
    script = Script(error(429, "rate_limited", {"Retry-After": "3600"}), ok())
    client, sleeps = make_client(script)

    submit(client)

    assert sleeps == [60.0]


def test_retry_after_as_http_date_is_honoured_and_capped() -> None:
    far_future = email.utils.formatdate(time.time() + 3 * 3600, usegmt=True)
    script = Script(error(503, "service_unavailable", {"Retry-After": far_future}), ok())
    client, sleeps = make_client(script)

    submit(client)

    assert sleeps == [60.0]


def test_retry_after_parsing() -> None:
    now = 1_800_000_000.0
    assert _retry_after_seconds("7", now=now) == 7.0
    assert _retry_after_seconds(email.utils.formatdate(now + 20, usegmt=True), now=now) == pytest.approx(20.0)
    assert _retry_after_seconds(email.utils.formatdate(now - 20, usegmt=True), now=now) == 0.0
    assert _retry_after_seconds("-5", now=now) == 0.0
    assert _retry_after_seconds("soon", now=now) is None
    assert _retry_after_seconds("nan", now=now) is None
    assert _retry_after_seconds(None, now=now) is None


def test_exponential_backoff_with_full_jitter_is_capped_at_eight_seconds() -> None:
    script = Script(*[error(500, "internal_error")] * 6, ok())
    client, sleeps = make_client(script, max_retries=6)

    submit(client)

    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_scales_the_backoff() -> None:
    script = Script(error(502, "internal_error"), error(500, "internal_error"), ok())
    client, sleeps = make_client(script, jitter=0.25)

    submit(client)

    assert sleeps == [0.125, 0.25]


def test_the_same_idempotency_key_is_sent_on_every_attempt() -> None:
    script = Script(error(500, "internal_error"), httpx.ReadTimeout("slow"), ok())
    client, _ = make_client(script)

    submit(client)

    keys = script.header("Idempotency-Key")
    assert len(keys) == 3
    assert keys[0] is not None and keys[0].startswith("ikey_") and len(keys[0]) == len("ikey_") + 32
    assert keys == [keys[0]] * 3
    assert script.header("X-Inkasso-Retry-Count") == ["0", "1", "2"]
    assert len({request.content for request in script.requests}) == 1


def test_a_given_idempotency_key_is_used_unchanged() -> None:
    script = Script(error(500, "internal_error"), ok())
    client, _ = make_client(script)

    submit(client, idempotency_key="order-4711")

    assert script.header("Idempotency-Key") == ["order-4711", "order-4711"]


def test_each_call_gets_its_own_automatic_key() -> None:
    script = Script(ok(), ok())
    client, _ = make_client(script)

    submit(client)
    submit(client)

    first, second = script.header("Idempotency-Key")
    assert first != second


def test_get_requests_carry_no_idempotency_key() -> None:
    script = Script(httpx.Response(200, json=claim_json()))
    client, _ = make_client(script)

    client.claims.get("clm_1")

    assert script.header("Idempotency-Key") == [None]
    assert script.header("X-Inkasso-Retry-Count") == ["0"]


def test_conflict_idempotency_key_in_use_is_retried() -> None:
    script = Script(error(409, "idempotency_key_in_use", {"Retry-After": "1"}), ok())
    client, sleeps = make_client(script)

    submit(client)

    assert sleeps == [1.0]
    assert len(script.requests) == 2


@pytest.mark.parametrize("code", ["idempotency_key_reused", "duplicate_external_reference", "invalid_state"])
def test_other_conflicts_are_not_retried(code: str) -> None:
    script = Script(error(409, code), ok())
    client, sleeps = make_client(script)

    with pytest.raises(inkasso.ConflictError) as caught:
        submit(client)

    assert caught.value.code == code
    assert len(script.requests) == 1
    assert sleeps == []


def test_request_timeout_status_is_retried() -> None:
    script = Script(error(408, "request_timeout"), ok())
    client, sleeps = make_client(script)

    submit(client)

    assert sleeps == [0.5]


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, inkasso.BadRequestError),
        (401, inkasso.AuthenticationError),
        (403, inkasso.PermissionDeniedError),
        (404, inkasso.NotFoundError),
        (422, inkasso.UnprocessableEntityError),
    ],
)
def test_client_errors_are_not_retried(status: int, exception: type[inkasso.APIStatusError]) -> None:
    script = Script(error(status, "some_code"), ok())
    client, sleeps = make_client(script)

    with pytest.raises(exception) as caught:
        submit(client)

    assert caught.value.status_code == status
    assert len(script.requests) == 1
    assert sleeps == []


def test_server_errors_are_raised_after_the_last_retry() -> None:
    script = Script(*[error(503, "service_unavailable")] * 3)
    client, sleeps = make_client(script)

    with pytest.raises(inkasso.InternalServerError) as caught:
        submit(client)

    assert caught.value.code == "service_unavailable"
    assert len(script.requests) == 3
    assert len(sleeps) == 2


def test_max_retries_zero_makes_one_attempt() -> None:
    script = Script(error(503, "service_unavailable"), ok())
    client, sleeps = make_client(script, max_retries=0)

    with pytest.raises(inkasso.InternalServerError):
        submit(client)

    assert len(script.requests) == 1
    assert sleeps == []


def test_with_options_changes_max_retries() -> None:
    script = Script(*[error(500, "internal_error")] * 5, ok())
    client, sleeps = make_client(script)

    submit(client.with_options(max_retries=5))

    assert len(sleeps) == 5


# ------------------------------------------------------------------------------------------ transport errors


def test_connection_errors_are_retried_then_raised_as_api_connection_error() -> None:
    script = Script(*[httpx.ConnectError("connection refused")] * 3)
    client, sleeps = make_client(script)

    with pytest.raises(inkasso.APIConnectionError) as caught:
        submit(client)

    assert not isinstance(caught.value, inkasso.APITimeoutError)
    assert "connection refused" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_a_connection_error_then_success_returns_the_result() -> None:
    script = Script(httpx.RemoteProtocolError("server disconnected"), ok())
    client, sleeps = make_client(script)

    assert submit(client).external_reference == "INV-1"
    assert sleeps == [0.5]


def test_timeouts_raise_api_timeout_error() -> None:
    script = Script(*[httpx.ReadTimeout("timed out")] * 3)
    client, _ = make_client(script)

    with pytest.raises(inkasso.APITimeoutError) as caught:
        submit(client)

    assert isinstance(caught.value, inkasso.APIConnectionError)
    assert "POST /v1/claims timed out" in str(caught.value)
    assert len(script.requests) == 3


def test_unsupported_protocol_is_not_retried() -> None:
    script = Script(httpx.UnsupportedProtocol("no"), ok())
    client, sleeps = make_client(script)

    with pytest.raises(inkasso.APIConnectionError):
        submit(client)

    assert len(script.requests) == 1
    assert sleeps == []


# ------------------------------------------------------------------------------------------------- async


def make_async_client(script: Script, **options: Any) -> tuple[inkasso.AsyncClient, list[float]]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(script))
    client = inkasso.AsyncClient(api_key="sk_test_k3y", base_url="http://api.test", http_client=http, **options)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client._sleep = fake_sleep
    client._random = lambda: 1.0
    return client, sleeps


def run(factory: Callable[[], Any]) -> Any:
    return asyncio.run(factory())


def test_async_retries_with_the_same_key_and_honours_retry_after() -> None:
    script = Script(error(429, "rate_limited", {"Retry-After": "2"}), httpx.ConnectError("refused"), ok())
    client, sleeps = make_async_client(script)

    async def scenario() -> inkasso.types.Claim:
        async with client:
            return await client.claims.submit(**CLAIM_FIELDS)

    claim = run(scenario)

    assert claim.state == "open"
    assert sleeps == [2.0, 1.0]
    keys = script.header("Idempotency-Key")
    assert keys[0] is not None and keys == [keys[0]] * 3


def test_async_timeout_and_no_retry_on_404() -> None:
    timeouts = Script(*[httpx.ConnectTimeout("slow")] * 2)
    client, _ = make_async_client(timeouts, max_retries=1)
    missing = Script(error(404, "resource_missing"))
    other, sleeps = make_async_client(missing)

    async def scenario() -> None:
        with pytest.raises(inkasso.APITimeoutError):
            await client.claims.get("clm_1")
        with pytest.raises(inkasso.NotFoundError):
            await other.claims.get("clm_1")

    run(scenario)

    assert len(timeouts.requests) == 2
    assert len(missing.requests) == 1
    assert sleeps == []
