"""TwilioChannel against a local server that speaks Twilio's Messages API, and signed status callbacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from paypage.engine.channels.protocol import (
    CallbackChannel,
    CallbackSignatureError,
    Channel,
    ChannelUnavailable,
    Message,
    StatusUpdate,
)
from paypage.engine.channels.twilio import TwilioChannel
from paypage.engine.channels.twilio_signature import twilio_signature
from tests.conftest import free_port
from tests.engine.channels import twilio_api
from tests.engine.channels.twilio_api import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    INVALID_NUMBER,
    UNSUBSCRIBED_NUMBER,
    FakeTwilio,
    form_body,
    sign,
    status_callback,
)
from tests.payments.wire.server import Response

SENDER_NUMBER = "+4915799912345"
DEBTOR_NUMBER = "+4915712345678"
CALLBACK_URL = "https://hooks.inkasso.example/provider-hooks/twilio/status"
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
PAY_LINK = "https://pay.inkasso.example/p/Zm9vYmFy"


def sms(**changes: object) -> Message:
    fields: dict[str, object] = {
        "message_id": "msg_01JDQ7ZK4T9X2M5N8P0R3S6V",
        "channel": "sms",
        "language": "de",
        "to": DEBTOR_NUMBER,
        "subject": None,
        "text": f"Müller GmbH: Ihre Rechnung R-1 ist offen. Jetzt zahlen: {PAY_LINK}",
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.server.close()


def twilio(api_base: str, **options: object) -> TwilioChannel:
    settings: dict[str, object] = {
        "from_number": SENDER_NUMBER,
        "status_callback_url": CALLBACK_URL,
        "api_base": api_base,
        "timeout": 2,
        "clock": lambda: NOW,
    }
    settings.update(options)
    return TwilioChannel(ACCOUNT_SID, AUTH_TOKEN, **settings)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ send


def test_an_sms_is_a_form_post_with_basic_auth(fake_twilio: FakeTwilio) -> None:
    result = twilio(fake_twilio.url).send(sms())

    (form,) = fake_twilio.forms
    assert form["To"] == DEBTOR_NUMBER
    assert form["From"] == SENDER_NUMBER
    assert form["Body"] == sms().text
    callback = urlsplit(form["StatusCallback"])
    assert callback._replace(query="").geturl() == CALLBACK_URL
    assert dict(parse_qsl(callback.query)) == {"message_id": "msg_01JDQ7ZK4T9X2M5N8P0R3S6V"}
    assert result.status == "sent"
    assert result.provider_reference is not None and result.provider_reference.startswith("SM")
    assert result.segments == 1


def test_segments_come_from_twilios_answer(fake_twilio: FakeTwilio) -> None:
    result = twilio(fake_twilio.url).send(sms(text="x" * 200))
    assert result.segments == 2


def test_whatsapp_addresses_carry_the_channel_prefix(fake_twilio: FakeTwilio) -> None:
    channel = twilio(fake_twilio.url, channel="whatsapp")
    result = channel.send(sms(channel="whatsapp"))

    (form,) = fake_twilio.forms
    assert form["To"] == f"whatsapp:{DEBTOR_NUMBER}"
    assert form["From"] == f"whatsapp:{SENDER_NUMBER}"
    assert channel.name == "whatsapp"
    assert result.status == "sent"


def test_a_messaging_service_replaces_the_sender_number(fake_twilio: FakeTwilio) -> None:
    channel = twilio(fake_twilio.url, from_number=None, messaging_service_sid="MG" + "1" * 32, status_callback_url=None)
    result = channel.send(sms())

    (form,) = fake_twilio.forms
    assert form["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in form and "StatusCallback" not in form
    assert result.status == "sent"
    assert result.segments is None  # Twilio says "0" until the service has picked a sender


@pytest.mark.parametrize(
    ("number", "detail"),
    [
        (INVALID_NUMBER, "Twilio 21211: invalid 'To' phone number"),
        (UNSUBSCRIBED_NUMBER, "Twilio 21610: the recipient has unsubscribed (STOP)"),
    ],
)
def test_a_refused_number_fails_without_the_number_in_the_detail(
    fake_twilio: FakeTwilio, number: str, detail: str
) -> None:
    result = twilio(fake_twilio.url).send(sms(to=number))

    assert result.status == "failed"
    assert result.detail == detail
    assert number[1:] not in (result.detail or "")


def test_an_unknown_twilio_error_code_is_named_by_its_number(fake_twilio: FakeTwilio) -> None:
    fake_twilio.server.answer_next(twilio_api.twilio_error(400, 21617, "The concatenated message body exceeds 1600"))
    result = twilio(fake_twilio.url).send(sms())
    assert (result.status, result.detail) == ("failed", "Twilio error 21617")


def test_a_recipient_that_is_not_e164_fails_without_a_request(fake_twilio: FakeTwilio) -> None:
    result = twilio(fake_twilio.url).send(sms(to="0151 1234567"))
    assert (result.status, result.detail) == ("failed", "the recipient is not an E.164 phone number")
    assert fake_twilio.server.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        twilio_api.twilio_error(429, 20429, "Too Many Requests"),
        twilio_api.twilio_error(500, 20500, "Internal Server Error"),
        Response(503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"}),
    ],
)
def test_rate_limits_and_outages_are_retried_later(fake_twilio: FakeTwilio, answer: Response) -> None:
    fake_twilio.server.answer_next(answer)
    with pytest.raises(ChannelUnavailable, match=f"HTTP {answer.status}"):
        twilio(fake_twilio.url).send(sms())


def test_wrong_credentials_are_unavailable_not_a_failed_message(fake_twilio: FakeTwilio) -> None:
    channel = TwilioChannel(ACCOUNT_SID, "wrong-token", from_number=SENDER_NUMBER, api_base=fake_twilio.url)
    with pytest.raises(ChannelUnavailable, match="HTTP 401, Twilio 20003") as raised:
        channel.send(sms())
    assert "wrong-token" not in str(raised.value)


def test_an_unreachable_twilio_is_unavailable() -> None:
    with pytest.raises(ChannelUnavailable, match="not reachable: ConnectError"):
        twilio(f"http://127.0.0.1:{free_port()}").send(sms())


def test_the_channel_talks_only_to_the_local_server(
    fake_twilio: FakeTwilio, loopback_only: list[tuple[str, int]]
) -> None:
    twilio(fake_twilio.url).send(sms())
    assert loopback_only and set(loopback_only) == {("127.0.0.1", fake_twilio.server.port)}


# ------------------------------------------------------------------------------------- callbacks


def deliver(channel: TwilioChannel, params: dict[str, str], url: str | None = None) -> list[StatusUpdate]:
    url = url or f"{CALLBACK_URL}?message_id=msg_01JDQ7ZK4T9X2M5N8P0R3S6V"
    headers = {"X-Twilio-Signature": sign(url, params), "Content-Type": "application/x-www-form-urlencoded"}
    return list(channel.parse_callback(url, form_body(params), headers))


@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [("sent", "sent"), ("delivered", "delivered"), ("read", "delivered"), ("failed", "failed")],
)
def test_a_status_callback_becomes_a_status_update(twilio_status: str, ours: str) -> None:
    updates = deliver(twilio("http://127.0.0.1:9"), status_callback("SM" + "a" * 32, twilio_status))
    assert updates == [
        StatusUpdate(
            provider_reference="SM" + "a" * 32,
            message_id="msg_01JDQ7ZK4T9X2M5N8P0R3S6V",
            status=ours,  # type: ignore[arg-type]
            occurred_at=NOW,
        )
    ]


def test_undelivered_is_a_bounce_with_the_error_code_in_our_words() -> None:
    params = status_callback("SM" + "b" * 32, "undelivered", ErrorCode="30003")
    (update,) = deliver(twilio("http://127.0.0.1:9"), params)
    assert update.status == "bounced"
    assert update.detail == "Twilio 30003: unreachable destination handset"


@pytest.mark.parametrize("twilio_status", ["queued", "sending", "accepted", "scheduled"])
def test_statuses_before_the_carrier_change_nothing(twilio_status: str) -> None:
    assert deliver(twilio("http://127.0.0.1:9"), status_callback("SM" + "c" * 32, twilio_status)) == []


def test_a_wrong_signature_is_refused() -> None:
    url = f"{CALLBACK_URL}?message_id=msg_1"
    params = status_callback("SM" + "d" * 32, "delivered")
    headers = {"X-Twilio-Signature": sign(url, params, auth_token="someone-elses-token")}
    with pytest.raises(CallbackSignatureError, match="does not match"):
        twilio("http://127.0.0.1:9").parse_callback(url, form_body(params), headers)


def test_a_tampered_body_is_refused() -> None:
    url = f"{CALLBACK_URL}?message_id=msg_1"
    params = status_callback("SM" + "d" * 32, "undelivered")
    headers = {"X-Twilio-Signature": sign(url, params)}
    tampered = form_body({**params, "MessageStatus": "delivered"})
    with pytest.raises(CallbackSignatureError):
        twilio("http://127.0.0.1:9").parse_callback(url, tampered, headers)


def test_a_callback_for_another_message_id_is_refused() -> None:
    # The message id rides in the signed URL: it cannot be swapped for another message's.
    params = status_callback("SM" + "d" * 32, "delivered")
    signed_for = f"{CALLBACK_URL}?message_id=msg_1"
    headers = {"X-Twilio-Signature": sign(signed_for, params)}
    with pytest.raises(CallbackSignatureError):
        twilio("http://127.0.0.1:9").parse_callback(f"{CALLBACK_URL}?message_id=msg_2", form_body(params), headers)


def test_a_missing_signature_is_refused() -> None:
    params = status_callback("SM" + "d" * 32, "delivered")
    with pytest.raises(CallbackSignatureError, match="no X-Twilio-Signature"):
        twilio("http://127.0.0.1:9").parse_callback(CALLBACK_URL, form_body(params), {})


def test_the_signature_header_is_found_in_any_case() -> None:
    params = status_callback("SM" + "e" * 32, "delivered")
    headers = {"x-twilio-signature": sign(CALLBACK_URL, params)}
    assert len(twilio("http://127.0.0.1:9").parse_callback(CALLBACK_URL, form_body(params), headers)) == 1


def test_twilio_may_sign_the_url_with_or_without_the_default_port() -> None:
    params = status_callback("SM" + "f" * 32, "delivered")
    signed_with_port = "https://hooks.inkasso.example:443/provider-hooks/twilio/status"
    headers = {"X-Twilio-Signature": sign(signed_with_port, params)}
    updates = twilio("http://127.0.0.1:9").parse_callback(CALLBACK_URL, form_body(params), headers)
    assert [update.status for update in updates] == ["delivered"]


# ------------------------------------------------------------------------------------- signature


def test_the_signature_matches_twilios_published_example() -> None:
    # The example of Twilio's security documentation: token 12345, this URL and these parameters.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert sign(url, params, auth_token="12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_signature_matches_twilios_own_validator() -> None:
    validator_module = pytest.importorskip("twilio.request_validator")
    validator = validator_module.RequestValidator(AUTH_TOKEN)
    params = status_callback("SM" + "0" * 32, "undelivered", ErrorCode="30005", Body="Grüße & ünïcødé €")
    url = f"{CALLBACK_URL}?message_id=msg_01JDQ7ZK4T9X2M5N8P0R3S6V"
    ours = twilio_signature(AUTH_TOKEN, url, params.items())
    assert ours == validator.compute_signature(url, params)
    assert validator.validate(url, params, ours)


# ---------------------------------------------------------------------------------- the contract


def test_twilio_channel_is_a_callback_channel() -> None:
    channel = twilio("http://127.0.0.1:9")
    assert isinstance(channel, Channel)
    assert isinstance(channel, CallbackChannel)
    assert channel.name == "sms"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"from_number": "015799912345"}, "E.164"),
        ({"from_number": None}, "either from_number"),
        ({"messaging_service_sid": "MG1"}, "either from_number"),
        ({"channel": "telegram"}, "sms or whatsapp"),
    ],
)
def test_configuration_mistakes_fail_at_start(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        twilio("http://127.0.0.1:9", **options)
