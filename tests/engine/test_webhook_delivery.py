"""Webhook delivery to a real HTTP receiver on 127.0.0.1, with the worker on an injected clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import inkasso
import pytest
from flask import Flask
from sqlalchemy import select

from paypage.engine import webhooks
from paypage.engine.worker import Worker
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import CreditorKeys, claim_body, new_creditor
from tests.functional.conftest import Api
from tests.receiver import Receiver


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta

    def catch_up(self) -> None:
        """Past every event the API stamped with the real time meanwhile (a busy machine may take seconds)."""
        self.now = max(self.now, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))


@pytest.fixture(scope="module")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A database of this module's own: the worker delivers every creditor's due events."""
    with fresh_app(backend, tmp_path_factory.mktemp("engine")) as application:
        yield application


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(app: Flask, clock: Clock) -> Iterator[Worker]:
    runner = Worker(
        app.extensions["inkasso.db"], clock, concurrency=4, webhook_timeout=0.5, webhook_lease=dt.timedelta(seconds=5)
    )
    yield runner
    runner.close()


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


@pytest.fixture
def api(app: Flask, creditor: CreditorKeys) -> Api:
    return Api(app.test_client(), creditor)


def endpoint(api: Api, receiver: Receiver, **extra: object) -> dict[str, str]:
    return dict(api.post("/v1/webhook_endpoints", {"url": receiver.url, **extra}).json)


def drain(worker: Worker) -> int:
    total = 0
    while done := worker.run_once():
        total += done
    return total


def verified(receiver: Receiver, secret: str | list[str]) -> list[inkasso.types.WebhookEvent]:
    """Verify each request as its receiver would have at the moment it arrived (the worker's clock)."""
    return [verify_at_arrival(r.body, r.headers, secret) for r in receiver.requests]


def verify_at_arrival(body: bytes, headers: dict[str, str], secret: str | list[str]) -> inkasso.types.WebhookEvent:
    sent_at = int(headers["webhook-timestamp"])
    return inkasso.webhooks.verify(body, headers, secret, now=lambda: sent_at + 2)


def test_failures_slow_answer_then_success_follow_the_schedule(
    api: Api, receiver: Receiver, worker: Worker, clock: Clock
) -> None:
    script = {0: (500, 0.0), 1: (503, 0.0), 2: (404, 0.0), 3: (200, 1.0)}
    receiver.script = lambda n, body: script.get(n, (200, 0.0))
    hook = endpoint(api, receiver)
    claim = api.post("/v1/claims", claim_body()).json
    attempts_at = []
    for wait in [dt.timedelta(0), *webhooks.BACKOFF[:4]]:
        clock.advance(wait - dt.timedelta(seconds=1))
        assert worker.run_once() == 0, "nothing may be sent before the retry is due"
        clock.advance(dt.timedelta(seconds=1))
        assert worker.run_once() == 1
        attempts_at.append(clock.now)
    assert worker.run_once() == 0
    assert [r.headers["webhook-id"] for r in receiver.requests] == [receiver.requests[0].headers["webhook-id"]] * 5
    events = verified(receiver, hook["secret"])
    assert {event.type for event in events} == {"claim.created"}
    assert events[0].data.claim.id == claim["id"]
    log = api.get(f"/v1/webhook_endpoints/{hook['id']}/attempts").json["data"]
    assert [(a["attempt"], a["status_code"], a["succeeded"]) for a in reversed(log)] == [
        (1, 500, False),
        (2, 503, False),
        (3, 404, False),
        (4, None, False),
        (5, 200, True),
    ]
    assert "no answer within 0.5 s" in log[1]["error"]
    assert log[0]["response_body"] == '{"received": true}'
    gaps = [later - earlier for earlier, later in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps == list(webhooks.BACKOFF[:4])


def test_every_event_arrives_signed_and_in_order_per_claim(
    api: Api, receiver: Receiver, worker: Worker, clock: Clock
) -> None:
    hook = endpoint(api, receiver)
    claims = [api.post("/v1/claims", claim_body()).json for _ in range(6)]
    for claim in claims:
        api.patch(f"/v1/claims/{claim['id']}", {"metadata": {"step": "2"}})
        api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "test"})
    clock.catch_up()
    assert drain(worker) == 18
    events = verified(receiver, hook["secret"])
    assert len({event.id for event in events}) == 18
    for claim in claims:
        types = [event.type for event in events if event.claim_id == claim["id"]]
        assert types == ["claim.created", "claim.updated", "claim.cancelled"]
    cancelled = next(event for event in events if event.type == "claim.cancelled")
    assert isinstance(cancelled, inkasso.types.events.ClaimCancelledEvent)
    assert cancelled.data.reason == "test"


def test_a_failing_event_holds_back_later_events_of_the_same_claim(
    api: Api, receiver: Receiver, worker: Worker, clock: Clock
) -> None:
    endpoint(api, receiver)
    claim = api.post("/v1/claims", claim_body()).json
    first_try = {"failed": False}

    def fail_first_delivery_of_claim(n: int, body: bytes) -> tuple[int, float]:
        if json.loads(body)["claim_id"] == claim["id"] and not first_try["failed"]:
            first_try["failed"] = True
            return 500, 0.0
        return 200, 0.0

    receiver.script = fail_first_delivery_of_claim
    api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "test"})
    other = api.post("/v1/claims", claim_body()).json
    assert drain(worker) == 2  # the first attempt of claim.created fails; the other claim is not held up
    sent = sorted((json.loads(r.body)["claim_id"], json.loads(r.body)["type"]) for r in receiver.requests)
    assert sent == sorted([(claim["id"], "claim.created"), (other["id"], "claim.created")])
    clock.advance(webhooks.BACKOFF[0])
    assert drain(worker) == 2
    assert [json.loads(r.body)["type"] for r in receiver.requests[2:]] == ["claim.created", "claim.cancelled"]


def test_subscriptions_filter_event_types(api: Api, receiver: Receiver, worker: Worker) -> None:
    endpoint(api, receiver, events=["claim.cancelled"])
    claim = api.post("/v1/claims", claim_body()).json
    api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "test"})
    drain(worker)
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["claim.cancelled"]


def test_rotation_signs_with_both_secrets_for_a_day(api: Api, receiver: Receiver, worker: Worker, clock: Clock) -> None:
    hook = endpoint(api, receiver)
    rotated = api.post(f"/v1/webhook_endpoints/{hook['id']}/rotate_secret").json
    api.post("/v1/claims", claim_body())
    drain(worker)
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert int(request.headers["webhook-timestamp"]) == int(clock.now.timestamp())
    for secret in (hook["secret"], rotated["secret"]):
        verify_at_arrival(request.body, request.headers, secret)
    clock.advance(dt.timedelta(hours=25))
    api.post("/v1/claims", claim_body())
    drain(worker)
    late = receiver.requests[-1]
    assert len(late.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(inkasso.WebhookVerificationError):
        verify_at_arrival(late.body, late.headers, hook["secret"])
    verify_at_arrival(late.body, late.headers, rotated["secret"])


def test_failed_for_good_then_endpoint_disabled_after_five_days_with_a_notice(
    app: Flask, api: Api, receiver: Receiver, worker: Worker, clock: Clock, creditor: CreditorKeys
) -> None:
    receiver.script = lambda n, body: (500, 0.0)
    hook = endpoint(api, receiver)
    api.post("/v1/claims", claim_body())
    for wait in [dt.timedelta(0), *webhooks.BACKOFF]:
        clock.advance(wait)
        assert worker.run_once() == 1
    clock.advance(dt.timedelta(days=30))
    assert worker.run_once() == 0
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS
    assert api.get(f"/v1/webhook_endpoints/{hook['id']}").json["status"] == "enabled"
    api.post("/v1/claims", claim_body())
    assert worker.run_once() == 1
    after = api.get(f"/v1/webhook_endpoints/{hook['id']}").json
    assert after["status"] == "disabled"
    assert "every delivery failed since" in after["disabled_reason"]
    with app.extensions["inkasso.db"].transaction() as session:
        notices = session.scalars(select(models.Notice).where(models.Notice.creditor_id == creditor.id)).all()
        assert [(n.kind, n.subject_id) for n in notices] == [("webhook_endpoint.disabled", hook["id"])]
        statuses = session.scalars(
            select(models.WebhookDelivery.status).where(models.WebhookDelivery.creditor_id == creditor.id)
        ).all()
        assert sorted(statuses) == ["failed", "pending"]
    api.post("/v1/claims", claim_body())
    assert worker.run_once() == 0, "a disabled endpoint gets no new deliveries"


def test_deleting_an_endpoint_cancels_its_pending_deliveries(api: Api, receiver: Receiver, worker: Worker) -> None:
    hook = endpoint(api, receiver)
    api.post("/v1/claims", claim_body())
    api.client.delete(f"/v1/webhook_endpoints/{hook['id']}", headers=api.headers)
    assert drain(worker) == 0
    assert receiver.requests == []


def test_resend_delivers_the_same_event_id_again(api: Api, receiver: Receiver, worker: Worker) -> None:
    hook = endpoint(api, receiver)
    api.post("/v1/claims", claim_body())
    drain(worker)
    event_id = receiver.requests[0].headers["webhook-id"]
    api.post(f"/v1/events/{event_id}/resend", {"endpoint": hook["id"]})
    assert drain(worker) == 1
    assert receiver.ids() == [event_id, event_id]
