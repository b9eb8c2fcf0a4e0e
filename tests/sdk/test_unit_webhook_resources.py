"""`client.webhook_endpoints` and `client.events`: the requests they send and what they make of the answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import inkasso
import pytest
from inkasso.resources.events import AsyncEvents, Events
from inkasso.resources.webhook_endpoints import AsyncWebhookEndpoints, WebhookEndpoints
from inkasso.types import DeletedObject, Event, EventResend, WebhookAttempt, WebhookEndpoint

ENDPOINT_ID = "whe_01m8a4r67gjhtb2f1gap1k3pfd"
EVENT_ID = "evt_01m8a4r67gjhtb2f1gap1k3pfd"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def endpoint_json(**changes: Any) -> dict[str, Any]:
    return {
        "id": ENDPOINT_ID,
        "object": "webhook_endpoint",
        "livemode": False,
        "url": "https://shop.example/inkasso/webhooks",
        "events": ["claim.paid"],
        "description": "order system",
        "status": "enabled",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
        **changes,
    }


def attempt_json(number: int) -> dict[str, Any]:
    return {
        "id": f"wha_{number:026d}",
        "object": "webhook_attempt",
        "endpoint_id": ENDPOINT_ID,
        "event_id": EVENT_ID,
        "event_type": "claim.paid",
        "attempt": number,
        "status_code": 500 if number == 1 else 200,
        "duration_ms": 42,
        "succeeded": number != 1,
        "created_at": "2026-11-01T10:00:00Z",
    }


def event_json(number: int = 1) -> dict[str, Any]:
    return {
        "id": f"evt_{number:026d}",
        "object": "event",
        "type": "claim.paid",
        "claim_id": "clm_1",
        "livemode": False,
        "api_version": "2026-11-01",
        "created_at": "2026-11-01T10:00:00Z",
        "data": {"claim": {"id": "clm_1", "state": "paid"}},
    }


def list_json(items: list[dict[str, Any]], cursor: str | None = None) -> dict[str, Any]:
    return {"object": "list", "data": items, "has_more": cursor is not None, "next_cursor": cursor}


def two_pages(item: Callable[[int], dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(200, json=list_json([item(1), item(2)], "c1"))
        return httpx.Response(200, json=list_json([item(3)]))

    return answer


class Recorder:
    """A mock transport that records each request and answers with a fixed body or a function of the request."""

    def __init__(self, answer: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer if isinstance(self.answer, httpx.Response) else self.answer(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def make_client(recorder: Recorder) -> inkasso.Client:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    return inkasso.Client(api_key="sk_test_k3y", base_url="http://api.test", http_client=http)


def make_async_client(recorder: Recorder) -> inkasso.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return inkasso.AsyncClient(api_key="sk_test_k3y", base_url="http://api.test", http_client=http)


def test_the_clients_expose_both_resources_once() -> None:
    client = inkasso.Client(api_key="sk_test_a")
    async_client = inkasso.AsyncClient(api_key="sk_test_a")

    assert isinstance(client.webhook_endpoints, WebhookEndpoints)
    assert isinstance(client.events, Events)
    assert isinstance(async_client.webhook_endpoints, AsyncWebhookEndpoints)
    assert isinstance(async_client.events, AsyncEvents)
    assert client.webhook_endpoints is client.webhook_endpoints


# ------------------------------------------------------------------------------------- webhook endpoints


def test_create_posts_the_wire_fields_and_returns_the_secret() -> None:
    recorder = Recorder(httpx.Response(201, json=endpoint_json(secret=SECRET)))
    client = make_client(recorder)

    endpoint = client.webhook_endpoints.create(
        url="https://shop.example/inkasso/webhooks",
        events=["claim.paid", "claim.cancelled"],
        description="order system",
        idempotency_key="endpoint-1",
    )

    assert isinstance(endpoint, WebhookEndpoint)
    assert endpoint.secret == SECRET
    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v1/webhook_endpoints")
    assert recorder.body() == {
        "url": "https://shop.example/inkasso/webhooks",
        "events": ["claim.paid", "claim.cancelled"],
        "description": "order system",
    }
    assert recorder.last.headers["Idempotency-Key"] == "endpoint-1"


def test_create_leaves_out_what_was_not_given_so_the_api_default_applies() -> None:
    recorder = Recorder(httpx.Response(201, json=endpoint_json(events=["*"], secret=SECRET)))
    client = make_client(recorder)

    client.webhook_endpoints.create(url="https://shop.example/hooks")

    assert recorder.body() == {"url": "https://shop.example/hooks"}
    assert recorder.last.headers["Idempotency-Key"].startswith("ikey_")


def test_get_quotes_the_id() -> None:
    recorder = Recorder(httpx.Response(200, json=endpoint_json()))
    client = make_client(recorder)

    endpoint = client.webhook_endpoints.get("whe_1/../x")

    assert endpoint.secret is None
    assert recorder.last.method == "GET"
    assert recorder.last.url.raw_path == b"/v1/webhook_endpoints/whe_1%2F..%2Fx"


def test_list_walks_all_pages_with_the_limit() -> None:
    recorder = Recorder(two_pages(lambda n: endpoint_json(id=f"whe_{n}")))
    client = make_client(recorder)

    paginator = client.webhook_endpoints.list(limit=2)
    assert recorder.requests == []

    assert [endpoint.id for endpoint in paginator] == ["whe_1", "whe_2", "whe_3"]
    assert [(r.method, r.url.path) for r in recorder.requests] == [("GET", "/v1/webhook_endpoints")] * 2
    assert [dict(r.url.params) for r in recorder.requests] == [{"limit": "2"}, {"limit": "2", "cursor": "c1"}]


def test_update_sends_only_the_fields_given() -> None:
    recorder = Recorder(httpx.Response(200, json=endpoint_json()))
    client = make_client(recorder)

    client.webhook_endpoints.update(ENDPOINT_ID, status="enabled")
    client.webhook_endpoints.update(ENDPOINT_ID, url="https://new.example/hooks", events=["*"], description=None)
    client.webhook_endpoints.update(ENDPOINT_ID)

    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("PATCH", f"/v1/webhook_endpoints/{ENDPOINT_ID}")
    ] * 3
    assert recorder.body(0) == {"status": "enabled"}
    assert recorder.body(1) == {"url": "https://new.example/hooks", "events": ["*"], "description": None}
    assert recorder.body(2) == {}
    assert "Idempotency-Key" not in recorder.last.headers


def test_delete_returns_the_deleted_object() -> None:
    answer = {"id": ENDPOINT_ID, "object": "webhook_endpoint", "deleted": True}
    recorder = Recorder(httpx.Response(200, json=answer))
    client = make_client(recorder)

    deleted = client.webhook_endpoints.delete(ENDPOINT_ID)

    assert deleted == DeletedObject(id=ENDPOINT_ID, object="webhook_endpoint", deleted=True)
    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", f"/v1/webhook_endpoints/{ENDPOINT_ID}")
    assert recorder.last.content == b""


def test_rotate_secret_posts_without_a_body_and_returns_the_new_secret() -> None:
    recorder = Recorder(httpx.Response(200, json=endpoint_json(secret=SECRET), headers={"Request-Id": "req_r"}))
    client = make_client(recorder)

    endpoint = client.webhook_endpoints.rotate_secret(ENDPOINT_ID)
    raw = client.webhook_endpoints.with_raw_response.rotate_secret(ENDPOINT_ID, idempotency_key="rotate-1")

    assert endpoint.secret == SECRET
    assert raw.request_id == "req_r"
    assert raw.parse().secret == SECRET
    first, second = recorder.requests
    assert (first.method, first.url.path) == ("POST", f"/v1/webhook_endpoints/{ENDPOINT_ID}/rotate_secret")
    assert first.content == b""
    assert first.headers["Idempotency-Key"].startswith("ikey_")
    assert second.headers["Idempotency-Key"] == "rotate-1"


def test_attempts_walk_the_delivery_log() -> None:
    recorder = Recorder(two_pages(attempt_json))
    client = make_client(recorder)

    attempts = list(client.webhook_endpoints.attempts(ENDPOINT_ID, limit=2))

    assert all(isinstance(attempt, WebhookAttempt) for attempt in attempts)
    assert [(a.attempt, a.status_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 200, True),
        (3, 200, True),
    ]
    assert recorder.requests[0].url.path == f"/v1/webhook_endpoints/{ENDPOINT_ID}/attempts"
    assert recorder.requests[0].url.params["limit"] == "2"
    assert recorder.requests[1].url.params["cursor"] == "c1"


def test_an_unknown_endpoint_raises_not_found() -> None:
    answer = {"error": {"type": "not_found_error", "code": "resource_missing", "message": "no such", "request_id": "r"}}
    client = make_client(Recorder(httpx.Response(404, json=answer)))

    with pytest.raises(inkasso.NotFoundError) as caught:
        client.webhook_endpoints.get("whe_missing")
    assert caught.value.code == "resource_missing"


# ------------------------------------------------------------------------------------------------ events


def test_events_list_sends_the_filters_and_walks_all_pages() -> None:
    recorder = Recorder(two_pages(event_json))
    client = make_client(recorder)

    listed = list(client.events.list(limit=2, type="claim.paid", claim_id="clm_1"))

    assert all(isinstance(event, Event) for event in listed)
    assert [event.id for event in listed] == [event_json(n)["id"] for n in (1, 2, 3)]
    assert recorder.requests[0].url.path == "/v1/events"
    assert dict(recorder.requests[0].url.params) == {"limit": "2", "type": "claim.paid", "claim_id": "clm_1"}
    assert recorder.requests[1].url.params["cursor"] == "c1"


def test_events_list_without_filters_sends_no_query() -> None:
    recorder = Recorder(httpx.Response(200, json=list_json([])))
    client = make_client(recorder)

    assert list(client.events.list()) == []
    assert recorder.last.url.query == b""


def test_events_get_returns_the_generic_event() -> None:
    recorder = Recorder(httpx.Response(200, json=event_json()))
    client = make_client(recorder)

    event = client.events.get(EVENT_ID)

    assert type(event) is Event
    assert event.data["claim"]["state"] == "paid"
    assert (recorder.last.method, recorder.last.url.path) == ("GET", f"/v1/events/{EVENT_ID}")


def test_resend_posts_the_endpoint_and_returns_the_queued_delivery() -> None:
    answer = {"object": "delivery", "event_id": EVENT_ID, "endpoint_id": ENDPOINT_ID, "status": "pending"}
    recorder = Recorder(httpx.Response(202, json=answer))
    client = make_client(recorder)

    resend = client.events.resend(EVENT_ID, endpoint=ENDPOINT_ID)

    assert resend == EventResend(object="delivery", event_id=EVENT_ID, endpoint_id=ENDPOINT_ID, status="pending")
    assert (recorder.last.method, recorder.last.url.path) == ("POST", f"/v1/events/{EVENT_ID}/resend")
    assert recorder.body() == {"endpoint": ENDPOINT_ID}
    assert recorder.last.headers["Idempotency-Key"].startswith("ikey_")


# ------------------------------------------------------------------------------------------------- async


def test_async_methods_send_the_same_requests() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/attempts"):
            return httpx.Response(200, json=list_json([attempt_json(1)]))
        if path == "/v1/webhook_endpoints" and request.method == "GET":
            return httpx.Response(200, json=list_json([endpoint_json()]))
        if request.method == "DELETE":
            return httpx.Response(200, json={"id": ENDPOINT_ID, "object": "webhook_endpoint", "deleted": True})
        if path.endswith("/resend"):
            return httpx.Response(
                202, json={"object": "delivery", "event_id": EVENT_ID, "endpoint_id": ENDPOINT_ID, "status": "pending"}
            )
        if path == "/v1/events":
            return httpx.Response(200, json=list_json([event_json()]))
        if path.startswith("/v1/events/"):
            return httpx.Response(200, json=event_json())
        return httpx.Response(200, json=endpoint_json(secret=SECRET))

    recorder = Recorder(answer)
    client = make_async_client(recorder)

    async def scenario() -> list[str]:
        async with client:
            endpoints = client.webhook_endpoints
            created = await endpoints.create(url="https://shop.example/hooks", events=["claim.paid"])
            await endpoints.get(ENDPOINT_ID)
            listed = [endpoint.id async for endpoint in endpoints.list(limit=5)]
            await endpoints.update(ENDPOINT_ID, description=None)
            rotated = await endpoints.with_raw_response.rotate_secret(ENDPOINT_ID)
            attempts = [attempt.id async for attempt in endpoints.attempts(ENDPOINT_ID)]
            deleted = await endpoints.delete(ENDPOINT_ID)
            events = [event.type async for event in client.events.list(type="claim.paid")]
            event = await client.events.get(EVENT_ID)
            resend = await client.events.resend(EVENT_ID, endpoint=ENDPOINT_ID)
            return [
                str(created.secret),
                *listed,
                str(rotated.parse().secret),
                *attempts,
                str(deleted.deleted),
                *events,
                event.id,
                resend.status,
            ]

    results = asyncio.run(scenario())

    assert results == [
        SECRET,
        ENDPOINT_ID,
        SECRET,
        attempt_json(1)["id"],
        "True",
        "claim.paid",
        event_json()["id"],
        "pending",
    ]
    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("POST", "/v1/webhook_endpoints"),
        ("GET", f"/v1/webhook_endpoints/{ENDPOINT_ID}"),
        ("GET", "/v1/webhook_endpoints"),
        ("PATCH", f"/v1/webhook_endpoints/{ENDPOINT_ID}"),
        ("POST", f"/v1/webhook_endpoints/{ENDPOINT_ID}/rotate_secret"),
        ("GET", f"/v1/webhook_endpoints/{ENDPOINT_ID}/attempts"),
        ("DELETE", f"/v1/webhook_endpoints/{ENDPOINT_ID}"),
        ("GET", "/v1/events"),
        ("GET", f"/v1/events/{EVENT_ID}"),
        ("POST", f"/v1/events/{EVENT_ID}/resend"),
    ]
    assert recorder.body(0) == {"url": "https://shop.example/hooks", "events": ["claim.paid"]}
    assert recorder.body(3) == {"description": None}
    assert recorder.requests[2].url.params["limit"] == "5"
    assert recorder.requests[7].url.params["type"] == "claim.paid"
    assert recorder.body(9) == {"endpoint": ENDPOINT_ID}
