"""The example webhook receivers, each driven by its framework's own test client.

Each receiver must accept a correctly signed event and run the shop's handler, answer 400 to a tampered
one without running anything, and acknowledge a duplicate without running the handler a second time.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

import inkasso
import pytest
from django.test import Client as DjangoClient
from django.test.utils import override_settings
from flask import Flask
from starlette.exceptions import StarletteDeprecationWarning

from examples import webhooks_django, webhooks_fastapi, webhooks_flask
from tests.factories.webhook_events import claim_snapshot, event_json

with warnings.catch_warnings():
    # Starlette's test client now prefers the httpx2 package and warns when it falls back to httpx.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_dGhlIG90aGVyIHNlY3JldCBvZiAzMiBieXRlcyEh"
PATH = "/inkasso/webhooks"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, str] | None
    """The JSON the receiver answered; None for a framework's own error page."""


Post = Callable[[bytes, dict[str, str]], Answer]


def answer(status: int, content_type: str | None, content: bytes) -> Answer:
    return Answer(status, json.loads(content) if content_type == "application/json" else None)


def flask_post(app: Flask) -> Post:
    client = app.test_client()  # app.testing stays off, so a failing view answers 500 as in production

    def post(body: bytes, headers: dict[str, str]) -> Answer:
        response = client.post(PATH, data=body, headers={**headers, "Content-Type": "application/json"})
        return answer(response.status_code, response.content_type, response.data)

    return post


def fastapi_post(client: TestClient) -> Post:
    def post(body: bytes, headers: dict[str, str]) -> Answer:
        response = client.post(PATH, content=body, headers={**headers, "Content-Type": "application/json"})
        return answer(response.status_code, response.headers.get("Content-Type"), response.content)

    return post


def django_post() -> Post:
    client = DjangoClient(raise_request_exception=False)

    def post(body: bytes, headers: dict[str, str]) -> Answer:
        response = client.post(PATH, data=body, content_type="application/json", headers=headers)
        return answer(response.status_code, response.headers.get("Content-Type"), response.content)

    return post


@pytest.fixture(params=["flask", "fastapi", "django"])
def receiver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, Post]]:
    """Each example with its own test client, reading the secrets from INKASSO_WEBHOOK_SECRET."""
    secrets = f"{SECRET} {OLD_SECRET}"  # both, as during a rotation
    monkeypatch.setenv("INKASSO_WEBHOOK_SECRET", secrets)
    if request.param == "flask":
        yield webhooks_flask, flask_post(webhooks_flask.create_app())
    elif request.param == "fastapi":
        with TestClient(webhooks_fastapi.create_app(), raise_server_exceptions=False) as client:
            yield webhooks_fastapi, fastapi_post(client)
    else:
        # The module read the environment when it configured Django; the test settings stand in for that.
        with override_settings(INKASSO_WEBHOOK_SECRET=secrets, ALLOWED_HOSTS=["testserver"]):
            yield webhooks_django, django_post()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    msg_id = json.loads(body)["id"]
    return inkasso.webhooks.headers(body, secret=secret, msg_id=msg_id)


def handled_messages(caplog: pytest.LogCaptureFixture, module: ModuleType) -> list[str]:
    """What the example's handlers logged (at INFO; refusals are warnings, Flask logs crashes as errors)."""
    return [r.getMessage() for r in caplog.records if r.name == module.__name__ and r.levelno == logging.INFO]


def warnings_logged(caplog: pytest.LogCaptureFixture, module: ModuleType) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == module.__name__ and r.levelno == logging.WARNING]


@pytest.fixture(autouse=True)
def capture_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def test_a_signed_claim_paid_event_runs_the_handler(
    receiver: tuple[ModuleType, Post], caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    claim = claim_snapshot()
    body = event_json("claim.paid", claim=claim)

    answer = post(body, signed(body))

    assert answer == Answer(200, {"status": "processed"})
    assert handled_messages(caplog, module) == [
        f"claim {claim.id} paid in full: mark order {claim.external_reference} as paid"
    ]


def test_payment_and_cancellation_events_reach_their_handlers_with_either_secret(
    receiver: tuple[ModuleType, Post], caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    claim = claim_snapshot("in_collection", paid=0)
    payment = event_json("claim.payment_succeeded", claim=claim)
    cancelled = event_json("claim.cancelled", claim=claim)

    assert post(payment, signed(payment, OLD_SECRET)).status == 200
    assert post(cancelled, signed(cancelled)).status == 200

    assert handled_messages(caplog, module) == [
        f"payment pay_01 of 12845 EUR booked for order {claim.external_reference}; 12845 outstanding",
        f"claim {claim.id} cancelled (paid at the counter): stop dunning order {claim.external_reference}",
    ]


def test_an_event_the_shop_does_not_act_on_is_acknowledged(
    receiver: tuple[ModuleType, Post], caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    body = event_json("claim.viewed")

    assert post(body, signed(body)) == Answer(200, {"status": "ignored"})
    assert handled_messages(caplog, module) == []


def test_a_tampered_event_is_refused_with_400(
    receiver: tuple[ModuleType, Post], caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    body = event_json("claim.paid")
    tampered = body.replace(b'"amount":12345', b'"amount":1')
    assert tampered != body

    answer = post(tampered, signed(body))

    assert answer.status == 400
    assert answer.body is not None and answer.body["error"].startswith("no valid signature")
    assert handled_messages(caplog, module) == []
    assert warnings_logged(caplog, module) == [f"webhook refused: {answer.body['error']}"]


def test_an_unsigned_event_is_refused_with_400(receiver: tuple[ModuleType, Post]) -> None:
    _, post = receiver
    body = event_json("claim.paid")

    answer = post(body, {})

    assert answer == Answer(400, {"error": "missing headers: webhook-id, webhook-timestamp, webhook-signature"})


def test_a_duplicate_is_acknowledged_without_running_the_handler_again(
    receiver: tuple[ModuleType, Post], caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    body = event_json("claim.paid")
    headers = signed(body)

    first = post(body, headers)
    retry = post(body, signed(body))  # a retry: same webhook-id, new timestamp and signature

    assert first == Answer(200, {"status": "processed"})
    assert retry == Answer(200, {"status": "duplicate"})
    assert len(handled_messages(caplog, module)) == 1


def test_a_failing_handler_answers_500_and_the_retry_runs_it_again(
    receiver: tuple[ModuleType, Post], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module, post = receiver
    body = event_json("claim.paid")
    calls: list[str] = []

    def failing(event: inkasso.types.events.ClaimPaidEvent) -> None:
        calls.append(event.id)
        raise RuntimeError("database down")

    original = module.on_claim_paid
    monkeypatch.setattr(module, "on_claim_paid", failing)
    assert post(body, signed(body)).status == 500
    monkeypatch.setattr(module, "on_claim_paid", original)

    assert post(body, signed(body)) == Answer(200, {"status": "processed"})
    assert calls == [json.loads(body)["id"]]
    assert len(handled_messages(caplog, module)) == 1


@pytest.mark.parametrize("module", [webhooks_flask, webhooks_fastapi])
def test_the_app_factories_name_the_missing_variable(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKASSO_WEBHOOK_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="INKASSO_WEBHOOK_SECRET"):
        module.create_app()
