"""`inkasso.webhooks`: Standard Webhooks signing and verification, and typed parsing of the event catalog."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Mapping

import httpx
import inkasso
import pytest
import standardwebhooks
from django.http.request import HttpHeaders
from inkasso import webhooks
from inkasso.types import EVENT_TYPES, events
from pydantic import BaseModel
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import Headers as WerkzeugHeaders

from tests.factories.webhook_events import claim_snapshot, event_json

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_dGhlIG90aGVyIHNlY3JldCBvZiAzMiBieXRlcyEh"
MSG_ID = "evt_01m8a4r67gjhtb2f1gap1k3pfd"
NOW = 1_795_632_000


def clock() -> float:
    return float(NOW)


def signed(
    body: bytes, *, secret: str | list[str] = SECRET, msg_id: str = MSG_ID, timestamp: int = NOW
) -> dict[str, str]:
    return webhooks.headers(body, secret=secret, msg_id=msg_id, timestamp=timestamp)


def rejection(body: bytes | str, headers: Mapping[str, str], secret: str | list[str] = SECRET) -> str:
    """The message of the `WebhookVerificationError` that `verify` raises."""
    with pytest.raises(inkasso.WebhookVerificationError) as caught:
        webhooks.verify(body, headers, secret, now=clock)
    return str(caught.value)


# ---------------------------------------------------------------------------------------------- signing


def test_sign_matches_the_standard_webhooks_reference_vector() -> None:
    # The example from the Standard Webhooks specification and its reference libraries.
    signature = webhooks.sign(
        b'{"test": 2432232314}', secret=SECRET, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_several_secrets_give_space_separated_signatures_in_order() -> None:
    both = webhooks.sign(b"{}", secret=[SECRET, OTHER_SECRET], msg_id=MSG_ID, timestamp=NOW)
    first = webhooks.sign(b"{}", secret=SECRET, msg_id=MSG_ID, timestamp=NOW)
    second = webhooks.sign(b"{}", secret=OTHER_SECRET, msg_id=MSG_ID, timestamp=NOW)
    assert both == f"{first} {second}"
    assert first != second


def test_headers_carry_id_timestamp_and_signature() -> None:
    body = event_json()
    assert signed(body) == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(NOW),
        "webhook-signature": webhooks.sign(body, secret=SECRET, msg_id=MSG_ID, timestamp=NOW),
    }


def test_headers_are_timestamped_now_by_default() -> None:
    before = int(time.time())
    stamped = int(webhooks.headers(b"{}", secret=SECRET, msg_id=MSG_ID)["webhook-timestamp"])
    assert before <= stamped <= int(time.time())


def test_a_float_timestamp_is_refused_rather_than_signed_as_text() -> None:
    with pytest.raises(TypeError, match="Unix seconds"):
        webhooks.sign(b"{}", secret=SECRET, msg_id=MSG_ID, timestamp=1795632000.0)  # type: ignore[arg-type]


def test_new_secret_is_32_random_bytes_behind_the_prefix() -> None:
    first, second = webhooks.new_secret(), webhooks.new_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second
    body = event_json()
    assert webhooks.verify(body, signed(body, secret=first), first, now=clock).type == "claim.paid"


# -------------------------------------------------------------------------------------------- verifying


def test_verify_returns_the_typed_event_with_the_claim_snapshot() -> None:
    claim = claim_snapshot()
    body = event_json("claim.paid", claim=claim)

    event = webhooks.verify(body, signed(body), SECRET, now=clock)

    assert isinstance(event, events.ClaimPaidEvent)
    assert event.data.claim == claim
    assert event.data.claim.debtor.address is not None
    assert event.data.claim.debtor.address.city == "Köln"
    assert event.data.previous_state == "in_collection"
    assert event.id == json.loads(body)["id"]


def test_an_event_type_newer_than_the_package_comes_back_untyped() -> None:
    envelope = json.loads(event_json("claim.paid"))
    envelope["type"] = "claim.teleported"
    body = json.dumps(envelope).encode()

    event = webhooks.verify(body, signed(body), SECRET, now=clock)

    assert type(event) is inkasso.types.Event
    assert event.type == "claim.teleported"
    assert event.data["claim"]["id"] == envelope["claim_id"]


def test_verify_accepts_the_body_as_text() -> None:
    body = event_json()
    assert webhooks.verify(body.decode(), signed(body), SECRET, now=clock).type == "claim.paid"


def test_a_changed_body_is_rejected() -> None:
    body = event_json()
    tampered = body.replace(b'"outstanding":0', b'"outstanding":1')
    assert tampered != body
    assert rejection(tampered, signed(body)).startswith("no valid signature")


def test_a_reserialised_body_is_rejected() -> None:
    # The pitfall the module docstring warns about: same data, different bytes.
    body = event_json()
    reserialised = json.dumps(json.loads(body)).encode()
    assert rejection(reserialised, signed(body)).startswith("no valid signature")


def test_a_changed_timestamp_is_rejected() -> None:
    body = event_json()
    headers = {**signed(body), "webhook-timestamp": str(NOW - 1)}
    assert rejection(body, headers).startswith("no valid signature")


def test_a_changed_id_is_rejected() -> None:
    body = event_json()
    headers = {**signed(body), "webhook-id": "evt_someone_else"}
    assert rejection(body, headers).startswith("no valid signature")


def test_a_timestamp_ten_minutes_old_is_rejected() -> None:
    body = event_json()
    assert rejection(body, signed(body, timestamp=NOW - 600)) == "timestamp too old: 600 s ago, more than 300 s"


def test_a_timestamp_ten_minutes_ahead_is_rejected() -> None:
    body = event_json()
    message = rejection(body, signed(body, timestamp=NOW + 600))
    assert message.startswith("timestamp too far in the future: 600 s ahead")


def test_timestamps_within_the_tolerance_are_accepted_and_the_tolerance_can_be_set() -> None:
    body = event_json()
    for offset in (-300, 300):
        assert webhooks.verify(body, signed(body, timestamp=NOW + offset), SECRET, now=clock).type == "claim.paid"
    with pytest.raises(inkasso.WebhookVerificationError, match="too old"):
        webhooks.verify(body, signed(body, timestamp=NOW - 61), SECRET, tolerance=60, now=clock)


@pytest.mark.parametrize("value", ["", "soon", "1795632000.0", "-1795632000", "1.8e9", "١٧٩٥٦٣٢٠٠٠"])
def test_a_malformed_timestamp_is_rejected(value: str) -> None:
    body = event_json()
    message = rejection(body, {**signed(body), "webhook-timestamp": value})
    expected = "missing header: webhook-timestamp" if not value else "malformed webhook-timestamp"
    assert message.startswith(expected)


def test_a_wrong_secret_is_rejected() -> None:
    body = event_json()
    assert rejection(body, signed(body, secret=OTHER_SECRET)).startswith("no valid signature")


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_each_missing_header_is_named(header: str) -> None:
    body = event_json()
    headers = {name: value for name, value in signed(body).items() if name != header}
    assert rejection(body, headers) == f"missing header: {header}"


def test_all_missing_headers_are_named_at_once() -> None:
    assert rejection(event_json(), {}) == "missing headers: webhook-id, webhook-timestamp, webhook-signature"


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "starts with 'whsec_'"),
        ("sk_test_51Hsecret", "starts with 'whsec_'"),
        ("whsec_not base64!", "followed by base64"),
        ("whsec_", "empty"),
        ([], "no webhook secret"),
        ([SECRET, "whsec_%%"], "followed by base64"),
    ],
)
def test_a_malformed_secret_is_rejected(secret: str | list[str], reason: str) -> None:
    body = event_json()
    assert reason in rejection(body, signed(body), secret)


def test_a_malformed_secret_is_a_value_error_when_signing() -> None:
    with pytest.raises(ValueError, match="starts with 'whsec_'"):
        webhooks.sign(b"{}", secret="sk_test_51H", msg_id=MSG_ID, timestamp=NOW)


def test_a_secret_without_padding_or_with_a_trailing_newline_works() -> None:
    padded = "whsec_" + base64.b64encode(b"\x01" * 31).decode()
    assert padded.endswith("=")
    body = event_json()
    headers = signed(body, secret=padded)
    for variant in (padded.rstrip("="), padded + "\n"):
        assert webhooks.verify(body, headers, variant, now=clock).type == "claim.paid"


# -------------------------------------------------------------------------------------------- rotation


def test_either_of_two_secrets_is_accepted_during_a_rotation() -> None:
    body = event_json()
    for signer in (SECRET, OTHER_SECRET):
        event = webhooks.verify(body, signed(body, secret=signer), [OTHER_SECRET, SECRET], now=clock)
        assert event.type == "claim.paid"


def test_a_header_with_two_signatures_verifies_with_either_secret() -> None:
    body = event_json()
    headers = signed(body, secret=[OTHER_SECRET, SECRET])
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (SECRET, OTHER_SECRET):
        assert webhooks.verify(body, headers, secret, now=clock).type == "claim.paid"


def test_other_signature_versions_are_ignored() -> None:
    body = event_json()
    good = signed(body)["webhook-signature"]
    digest = good.removeprefix("v1,")
    mixed = {**signed(body), "webhook-signature": f"v1a,bm9wZQ== {good}"}
    assert webhooks.verify(body, mixed, SECRET, now=clock).type == "claim.paid"
    for header in (f"v2,{digest}", f"v1a,{digest}", digest, "v1,not base64!"):
        assert rejection(body, {**signed(body), "webhook-signature": header}).startswith("no valid signature")


# ---------------------------------------------------------------------------------------------- headers


def header_mappings(headers: dict[str, str]) -> list[webhooks.HeadersLike]:
    """The same headers as each framework hands them over, and as a dict in another case."""
    title_case = {name.title(): value for name, value in headers.items()}
    django_meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return [
        title_case,
        WerkzeugHeaders(title_case),
        StarletteHeaders(headers=title_case),
        HttpHeaders(django_meta),
        httpx.Headers(title_case),
    ]


def test_headers_are_looked_up_without_regard_to_case_in_every_framework() -> None:
    body = event_json()
    for mapping in header_mappings(signed(body)):
        assert webhooks.verify(body, mapping, SECRET, now=clock).type == "claim.paid", type(mapping)


# ------------------------------------------------------------------------------------------------ bodies


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
        (b"[1, 2]", "not a valid event (type None)"),
        (b'{"type": "claim.teleported"}', "not a valid event (type 'claim.teleported')"),
        (b'{"type": "claim.paid", "id": "evt_1"}', "not a valid event (type 'claim.paid')"),
    ],
)
def test_a_body_that_is_not_a_known_event_is_rejected_after_its_signature_passed(body: bytes, reason: str) -> None:
    assert reason in rejection(body, signed(body))


def test_verify_signature_checks_without_parsing() -> None:
    body = b'{"anything": "at all"}'
    webhooks.verify_signature(body, signed(body), SECRET, now=clock)  # a body that is no event: no error
    with pytest.raises(inkasso.WebhookVerificationError, match="no valid signature"):
        webhooks.verify_signature(body + b" ", signed(body), SECRET, now=clock)


EVENT_CLASSES: dict[str, type[BaseModel]] = {
    "claim.created": events.ClaimCreatedEvent,
    "claim.updated": events.ClaimUpdatedEvent,
    "claim.contacted": events.ClaimContactedEvent,
    "claim.viewed": events.ClaimViewedEvent,
    "claim.payment_succeeded": events.ClaimPaymentSucceededEvent,
    "claim.payment_failed": events.ClaimPaymentFailedEvent,
    "claim.payment_refunded": events.ClaimPaymentRefundedEvent,
    "claim.paid": events.ClaimPaidEvent,
    "claim.plan_created": events.ClaimPlanCreatedEvent,
    "claim.plan_instalment_missed": events.ClaimPlanInstalmentMissedEvent,
    "claim.plan_defaulted": events.ClaimPlanDefaultedEvent,
    "claim.paused": events.ClaimPausedEvent,
    "claim.resumed": events.ClaimResumedEvent,
    "claim.disputed": events.ClaimDisputedEvent,
    "claim.dispute_resolved": events.ClaimDisputeResolvedEvent,
    "claim.cancelled": events.ClaimCancelledEvent,
    "claim.escalated": events.ClaimEscalatedEvent,
    "claim.written_off": events.ClaimWrittenOffEvent,
    "debtor.message_received": events.DebtorMessageReceivedEvent,
}


def test_the_table_of_event_classes_covers_the_catalog() -> None:
    assert set(EVENT_CLASSES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_verifies_to_its_own_class(event_type: str) -> None:
    body = event_json(event_type)

    event = webhooks.verify(body, signed(body), SECRET, now=clock)

    assert type(event) is EVENT_CLASSES[event_type]
    assert event.type == event_type
    assert event.data.claim.id == event.claim_id


# ------------------------------------------------------------------------------------ interoperability


def test_signatures_made_here_verify_with_the_standardwebhooks_package() -> None:
    body = event_json()
    headers = webhooks.headers(body, secret=SECRET, msg_id=MSG_ID)  # their verify reads the real clock

    assert standardwebhooks.Webhook(SECRET).verify(body, headers) == json.loads(body)


def test_both_rotation_signatures_made_here_verify_with_the_standardwebhooks_package() -> None:
    body = event_json()
    headers = webhooks.headers(body, secret=[SECRET, OTHER_SECRET], msg_id=MSG_ID)

    for secret in (SECRET, OTHER_SECRET):
        assert standardwebhooks.Webhook(secret).verify(body, headers) == json.loads(body)


def test_signatures_made_by_the_standardwebhooks_package_verify_here() -> None:
    body = event_json()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signature = standardwebhooks.Webhook(SECRET).sign(MSG_ID, now, body.decode())
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}

    event = webhooks.verify(body, headers, SECRET)

    assert isinstance(event, events.ClaimPaidEvent)
    assert event.data.claim.balance.outstanding == 0


def test_the_standardwebhooks_package_rejects_what_is_rejected_here() -> None:
    body = event_json()
    headers = webhooks.headers(body, secret=OTHER_SECRET, msg_id=MSG_ID)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(body, headers)
