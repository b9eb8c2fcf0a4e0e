"""Debtors' SMS and WhatsApp replies over real HTTP: Twilio's signed webhook in, the answer out to Twilio's API.

Requests are signed with Twilio's own helper library (`twilio.request_validator`), not with our code, and
the answer is sent to a local stand-in of Twilio's Messages API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from paypage.extensions import database
from paypage.store import models
from tests.conftest import Served, site
from tests.engine.channels.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.functional.inbound_setup import WEDNESDAY_MORNING, Case, Clock, new_case, trained_model

SENDER_NUMBER = "+4915799912345"


@dataclass
class Hooked:
    app: Flask
    served: Served
    twilio: FakeTwilio


@pytest.fixture(scope="module")
def hooked(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hooked]:
    trained_model()  # the hook never waits for training; train before the first message
    url = request.getfixturevalue(f"{backend}_url")
    twilio = FakeTwilio()
    with site(url, tmp_path_factory.mktemp("twilio"), clock=Clock(WEDNESDAY_MORNING)) as (app, served):
        yield Hooked(app, served, twilio)
    twilio.server.close()


def twilio_case(hooked: Hooked) -> Case:
    case = new_case(hooked.app)
    options = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "from_number": SENDER_NUMBER}
    options["api_base"] = hooked.twilio.url
    with hooked.app.app_context(), database().transaction() as session:
        creditor = session.get(models.Creditor, case.creditor.id)
        assert creditor is not None
        creditor.settings = {"channels": {"sms": {"twilio": options}, "whatsapp": {"twilio": options}}}
    return case


def post(
    hooked: Hooked, case: Case, params: dict[str, str], channel: str = "sms", token: str = AUTH_TOKEN
) -> httpx.Response:
    url = f"{hooked.served.url}/hooks/inbound/twilio/{channel}/{case.creditor.id}"
    signature = RequestValidator(token).compute_signature(url, params)
    return httpx.post(
        url,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        timeout=30,
    )


def inbound_sms(case: Case, body: str, sid: str, prefix: str = "") -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": prefix + case.phone,
        "MessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "To": prefix + SENDER_NUMBER,
    }


def test_a_signed_sms_question_is_answered_through_twilio(hooked: Hooked) -> None:
    case = twilio_case(hooked)
    before = len(hooked.twilio.forms)
    response = post(hooked, case, inbound_sms(case, "Wie kann ich bezahlen?", "SM" + "a" * 32))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.text.endswith("<Response></Response>")
    [form] = hooked.twilio.forms[before:]
    assert (form["To"], form["From"]) == (case.phone, SENDER_NUMBER)
    assert case.claim["pay_url"] in form["Body"]
    [record] = case.rows(models.InboundMessage)
    assert (record.channel, record.matched_by, record.intent, record.outcome) == (
        "sms",
        "sender",
        "question",
        "answered",
    )
    [answer] = case.rows(models.ContactMessage, template="answer_question")
    assert answer.provider_reference is not None and answer.provider_reference.startswith("SM")


def test_a_whatsapp_reply_is_answered_on_whatsapp(hooked: Hooked) -> None:
    case = twilio_case(hooked)
    before = len(hooked.twilio.forms)
    response = post(
        hooked, case, inbound_sms(case, "Can I pay this in instalments?", "SM" + "b" * 32, "whatsapp:"), "whatsapp"
    )
    assert response.status_code == 200
    [form] = hooked.twilio.forms[before:]
    assert form["To"] == "whatsapp:" + case.phone
    assert case.claim["pay_url"] + "/plan" in form["Body"]


def test_a_bad_signature_changes_nothing(hooked: Hooked) -> None:
    case = twilio_case(hooked)
    response = post(hooked, case, inbound_sms(case, "Wie kann ich bezahlen?", "SM" + "c" * 32), token="0" * 32)
    assert response.status_code == 400
    assert case.rows(models.InboundMessage) == []
    unsigned = httpx.post(
        f"{hooked.served.url}/hooks/inbound/twilio/sms/{case.creditor.id}",
        content=urlencode(inbound_sms(case, "x", "SMd")),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert unsigned.status_code == 400


def test_a_message_delivered_twice_is_stored_and_answered_once(hooked: Hooked) -> None:
    case = twilio_case(hooked)
    params = inbound_sms(case, "Wie kann ich bezahlen?", "SM" + "e" * 32)
    assert post(hooked, case, params).status_code == 200
    assert post(hooked, case, params).status_code == 200
    assert len(case.rows(models.InboundMessage)) == 1
    assert len(case.rows(models.ContactMessage, template="answer_question")) == 1


def test_unknown_accounts_and_creditors_without_twilio_are_not_found(hooked: Hooked) -> None:
    case = new_case(hooked.app)  # no Twilio settings
    assert post(hooked, case, inbound_sms(case, "x", "SMf")).status_code == 404
    response = httpx.post(f"{hooked.served.url}/hooks/inbound/twilio/sms/cred_nobody", content=b"Body=x")
    assert response.status_code == 404
