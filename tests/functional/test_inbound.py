"""The inbound pipeline on both databases: match a message to its claim, classify it, answer or hand over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.decisions.intents.model import IntentModel
from paypage.services import inbound
from paypage.store import models
from tests.functional.inbound_setup import WEDNESDAY_MORNING, Clock, inbound_app_for, new_case, trained_model
from tests.pay.conftest import csrf, path_of


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)


@pytest.fixture(scope="module")
def inbound_app(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, clock: Clock
) -> Iterator[Flask]:
    with inbound_app_for(backend, request, tmp_path_factory.mktemp("inbound"), clock) as app:
        yield app


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return trained_model()


def email(case_sender: str, body: str, subject: str = "AW: Zahlungserinnerung", **extra: str) -> inbound.Incoming:
    return inbound.Incoming(channel="email", sender=case_sender, body=body, subject=subject, **extra)  # type: ignore[arg-type]


def test_a_question_from_the_debtors_address_is_answered_in_german_with_the_pay_link(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    handled = case.receive(email(case.email, "Hallo, wo finde ich den Link zum Bezahlen? Danke"), model, clock.now)
    record = handled.message
    assert (record.matched_by, record.intent, record.outcome, record.language) == (
        "sender",
        "question",
        "answered",
        "de",
    )
    [answer] = case.rows(models.ContactMessage, template="answer_question")
    assert (answer.channel, answer.status, answer.recipient, answer.language) == (
        "email",
        "sent",
        case.email,
        "de",
    ), answer.detail
    assert answer.subject == f"Ihre Nachricht zur Rechnung {case.claim['external_reference']}"
    assert "Sehr geehrte" in answer.body_text or "Erika" in answer.body_text
    assert case.claim["pay_url"] in answer.body_text
    assert record.answer_message_id == answer.id
    assert case.rows(models.InboxItem) == []
    [event] = case.rows(models.Event, type="debtor.message_received")
    assert (event.data["intent"], event.data["channel"], event.data["message_id"]) == ("question", "email", record.id)


def test_hardship_goes_to_a_person_with_high_priority_and_gets_no_template(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    sms = inbound.Incoming(
        channel="sms",
        sender=case.phone,
        body="Ich habe meinen Job verloren und kann im Moment gar nichts zahlen.",
        provider_reference="SM" + "1" * 32,
    )
    handled = case.receive(sms, model, clock.now)
    assert (handled.message.intent, handled.message.outcome, handled.message.reason) == (
        "hardship",
        "human",
        "hardship_or_dispute",
    )
    [item] = case.rows(models.InboxItem)
    assert (item.kind, item.priority, item.claim_id, item.status) == ("message", "high", case.claim["id"], "open")
    assert case.rows(models.ContactMessage, template="answer_hardship") == []


def test_a_stranger_quoting_the_reference_gets_no_pay_link(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    reference = case.claim["external_reference"]
    handled = case.receive(
        email("someone@else.example", f"Wie kann ich bezahlen? Rechnung {reference}"), model, clock.now
    )
    assert (handled.message.matched_by, handled.message.claim_id) == ("reference", case.claim["id"])
    assert (handled.message.outcome, handled.message.reason) == ("human", "sender_unverified")
    assert handled.answer is None
    assert [item.reason for item in case.rows(models.InboxItem)] == ["sender_unverified"]


def test_a_pause_request_pauses_collection_like_the_pay_page_and_says_until_when(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    text = "Können Sie die Forderung für 14 Tage ruhen lassen? Ich zahle dann komplett."
    handled = case.receive(email(case.email, text), model, clock.now)
    assert handled.message.outcome == "answered"
    claim = case.claim_row()
    assert claim.state == "paused"
    until = clock.now.date() + dt.timedelta(days=inbound.PAUSE_DAYS)
    assert claim.next_action_at is not None and claim.next_action_at.date() == until
    [answer] = case.rows(models.ContactMessage, template="answer_pause")
    assert "9. Dezember 2026" in answer.body_text
    assert [r.kind for r in case.rows(models.DebtorRequest)] == ["pause"]


def test_already_paid_asks_for_proof_and_always_opens_a_check(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    handled = case.receive(email(case.email, "Ich habe den Betrag bereits am Montag überwiesen."), model, clock.now)
    assert handled.message.outcome == "answered"
    [answer] = case.rows(models.ContactMessage, template="answer_already_paid")
    assert case.claim["pay_url"] + "/already-paid" in answer.body_text
    assert [(i.kind, i.status) for i in case.rows(models.InboxItem)] == [("verify_payment", "open")]
    assert case.claim_row().state == "open"  # a debtor's word alone does not stop collection


def test_an_address_change_is_confirmed_and_handed_over_to_apply(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    text = "Ich bin umgezogen, meine neue Adresse lautet Lindenstraße 12, 50674 Köln."
    case.receive(email(case.email, text), model, clock.now)
    assert [i.kind for i in case.rows(models.InboxItem)] == ["apply_address_change"]
    assert len(case.rows(models.ContactMessage, template="answer_address_change")) == 1


def test_an_instalment_request_gets_the_plan_page_with_the_months_allowed(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app, language="en")
    sms = inbound.Incoming(channel="sms", sender=case.phone, body="Can I pay this in instalments?")
    handled = case.receive(sms, model, clock.now)
    assert handled.message.outcome == "answered", handled.message.reason
    [answer] = case.rows(models.ContactMessage, template="answer_instalment")
    assert answer.channel == "sms" and answer.recipient == case.phone and answer.subject is None
    assert case.claim["pay_url"] + "/plan" in answer.body_text
    assert "monthly instalments" in answer.body_text


def test_an_unmatched_message_is_kept_and_goes_to_a_person(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    handled = case.receive(email("nobody@nowhere.example", "Wie kann ich bezahlen?"), model, clock.now)
    assert (handled.message.claim_id, handled.message.matched_by, handled.message.reason) == (None, "none", "unmatched")
    assert [i.reason for i in case.rows(models.InboxItem)] == ["unmatched"]


def test_a_redelivered_message_is_stored_once(inbound_app: Flask, model: IntentModel, clock: Clock) -> None:
    case = new_case(inbound_app)
    sms = inbound.Incoming(channel="sms", sender=case.phone, body="Wie kann ich bezahlen?", provider_reference="SMdup")
    first = case.receive(sms, model, clock.now)
    again = case.receive(sms, model, clock.now)
    assert again.duplicate and again.message.id == first.message.id
    assert len(case.rows(models.InboundMessage)) == 1
    assert len(case.rows(models.ContactMessage, template="answer_question")) == 1


def test_while_the_model_is_training_every_message_goes_to_a_person(inbound_app: Flask, clock: Clock) -> None:
    case = new_case(inbound_app)
    handled = case.receive(email(case.email, "Wie kann ich bezahlen?"), None, clock.now)
    assert (handled.message.intent, handled.message.reason) == (None, "model_not_ready")
    assert len(case.rows(models.InboxItem)) == 1


def test_an_answer_outside_contact_hours_waits_for_the_morning(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    from paypage.engine.channel_registry import channels_for
    from paypage.extensions import database, links
    from paypage.services import answers

    case = new_case(inbound_app)
    late = dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC)  # 23:30 in Germany
    case.receive(email(case.email, "Wie kann ich bezahlen?"), model, late)
    [held] = case.rows(models.ContactMessage, template="answer_question")
    assert (held.status, held.sent_at) == ("held", None)
    with inbound_app.app_context():
        with database().transaction() as session:
            creditor = session.get(models.Creditor, case.creditor.id)
            assert creditor is not None
            assert answers.send_held(session, case.creditor.id, late, links(), channels_for(creditor, False)) == 0
        morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
        # The worker's round over all creditors (Worker.send_held_answers) sends it once the window opens.
        assert answers.send_all_held(database(), morning, links(), channels_for) >= 1
    [sent] = case.rows(models.ContactMessage, template="answer_question")
    assert sent.status == "sent" and sent.sent_at is not None and sent.sent_at.hour == 8


def test_the_pay_page_contact_form_goes_through_the_same_pipeline(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    client = inbound_app.test_client()
    page = path_of(case.claim["pay_url"]) + "/contact"
    form = client.get(page)
    response = client.post(
        page,
        data={
            "message": "Hallo, wo finde ich den Link zum Bezahlen? Danke",
            "reply_to": "victim@third-party.example",
            "csrf_token": csrf(form.get_data(as_text=True)),
        },
    )
    assert response.status_code == 200
    [record] = case.rows(models.InboundMessage)
    assert (record.channel, record.matched_by, record.intent, record.outcome) == (
        "pay_page",
        "pay_page",
        "question",
        "answered",
    )
    [answer] = case.rows(models.ContactMessage, template="answer_question")
    assert answer.recipient == case.email  # the address on file, never one typed into the form
    assert [r.kind for r in case.rows(models.DebtorRequest)] == ["contact"]
    assert len(case.rows(models.Event, type="debtor.message_received")) == 1
