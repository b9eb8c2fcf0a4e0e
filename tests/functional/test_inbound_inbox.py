"""The human inbox service the portal builds on: list, assign, answer with a template, close; tenants apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.decisions.intents.model import IntentModel
from paypage.engine.channel_registry import channels_for
from paypage.extensions import database, links
from paypage.services import inbound, inbox
from paypage.services.errors import RequestError
from paypage.store import models
from tests.functional.inbound_setup import WEDNESDAY_MORNING, Case, Clock, inbound_app_for, new_case, trained_model

HARDSHIP = "Ich habe meinen Job verloren und kann im Moment gar nichts zahlen."


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)


@pytest.fixture(scope="module")
def inbound_app(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, clock: Clock
) -> Iterator[Flask]:
    with inbound_app_for(backend, request, tmp_path_factory.mktemp("inbox"), clock) as app:
        yield app


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return trained_model()


def hardship_item(case: Case, model: IntentModel, clock: Clock, number: int = 0) -> str:
    incoming = inbound.Incoming(channel="email", sender=case.email, body=HARDSHIP, provider_reference=f"<h{number}@x>")
    handled = case.receive(incoming, model, clock.now)
    assert len(handled.items) == 1
    return handled.items[0].id


def test_open_items_come_newest_first_with_the_message_and_page_by_cursor(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    ids = [hardship_item(case, model, clock, number) for number in range(3)]
    with inbound_app.app_context(), database().transaction() as session:
        first = inbox.open_items(session, creditor_id=case.creditor.id, livemode=False, limit=2)
        assert [entry.item.id for entry in first.entries] == ids[::-1][:2]
        assert first.entries[0].message is not None and first.entries[0].message.body == HARDSHIP
        assert first.entries[0].claim_reference == case.claim["external_reference"]
        assert first.next_cursor is not None
        second = inbox.open_items(
            session, creditor_id=case.creditor.id, livemode=False, limit=2, cursor=first.next_cursor
        )
        assert [entry.item.id for entry in second.entries] == [ids[0]]
        assert second.next_cursor is None
        assert inbox.open_items(session, creditor_id=case.creditor.id, livemode=True).entries == []


def test_assign_filters_and_close(inbound_app: Flask, model: IntentModel, clock: Clock) -> None:
    case = new_case(inbound_app)
    mine, other = hardship_item(case, model, clock, 10), hardship_item(case, model, clock, 11)
    with inbound_app.app_context(), database().transaction() as session:
        inbox.assign(
            session, creditor_id=case.creditor.id, item_id=mine, assignee="usr_anna", actor="usr_anna", now=clock.now
        )

        def ids(**filters: str) -> list[str]:
            page = inbox.open_items(session, creditor_id=case.creditor.id, livemode=False, **filters)  # type: ignore[arg-type]
            return [entry.item.id for entry in page.entries]

        assert ids(assignee="usr_anna") == [mine]
        assert ids(assignee="") == [other]
        closed = inbox.close(
            session,
            creditor_id=case.creditor.id,
            item_id=mine,
            actor="usr_anna",
            now=clock.now,
            resolution="called back",
        )
        assert (closed.status, closed.resolution, closed.closed_at) == ("closed", "called back", clock.now)
        assert ids() == [other]
        assert ids(status="closed") == [mine]
        with pytest.raises(RequestError) as refused:
            inbox.assign(
                session, creditor_id=case.creditor.id, item_id=mine, assignee="usr_b", actor="usr_b", now=clock.now
            )
        assert refused.value.status == 409
        with pytest.raises(RequestError) as bad:
            inbox.open_items(session, creditor_id=case.creditor.id, livemode=False, status="pending")
        assert (bad.value.status, bad.value.param) == (400, "status")


def test_a_reply_goes_out_in_the_debtors_language_on_the_channel_they_wrote_on(
    inbound_app: Flask, model: IntentModel, clock: Clock
) -> None:
    case = new_case(inbound_app)
    item_id = hardship_item(case, model, clock, 20)
    with inbound_app.app_context(), database().transaction() as session:
        creditor = session.get(models.Creditor, case.creditor.id)
        assert creditor is not None
        sent = inbox.reply(
            session,
            creditor_id=case.creditor.id,
            item_id=item_id,
            template="hardship",
            actor="usr_anna",
            now=clock.now,
            links=links(),
            channels=channels_for(creditor, False),
        )
        assert (sent.channel, sent.recipient, sent.status, sent.template) == (
            "email",
            case.email,
            "sent",
            "answer_hardship",
        )
        assert "Schuldnerberatung" in sent.body_text
        item = inbox.get_item(session, creditor_id=case.creditor.id, item_id=item_id).item
        assert (item.status, item.reply_message_id, item.resolution) == ("closed", sent.id, "answered: hardship")
        with pytest.raises(RequestError) as again:
            inbox.reply(
                session,
                creditor_id=case.creditor.id,
                item_id=item_id,
                template="hardship",
                actor="usr_anna",
                now=clock.now,
                links=links(),
                channels=channels_for(creditor, False),
            )
        assert again.value.status == 409


def test_an_unknown_template_is_refused_by_name(inbound_app: Flask, model: IntentModel, clock: Clock) -> None:
    case = new_case(inbound_app)
    item_id = hardship_item(case, model, clock, 30)
    with inbound_app.app_context(), database().transaction() as session, pytest.raises(RequestError) as refused:
        inbox.reply(
            session,
            creditor_id=case.creditor.id,
            item_id=item_id,
            template="threat",
            actor="usr",
            now=clock.now,
            links=links(),
            channels={},
        )
    assert (refused.value.status, refused.value.param) == (400, "template")
    assert "question, instalment, pause" in refused.value.message


def test_another_creditors_item_does_not_exist(inbound_app: Flask, model: IntentModel, clock: Clock) -> None:
    case, stranger = new_case(inbound_app), new_case(inbound_app)
    item_id = hardship_item(case, model, clock, 40)
    with inbound_app.app_context(), database().transaction() as session:
        for call in (
            lambda: inbox.get_item(session, creditor_id=stranger.creditor.id, item_id=item_id),
            lambda: inbox.assign(
                session, creditor_id=stranger.creditor.id, item_id=item_id, assignee="x", actor="x", now=clock.now
            ),
            lambda: inbox.close(session, creditor_id=stranger.creditor.id, item_id=item_id, actor="x", now=clock.now),
        ):
            with pytest.raises(RequestError) as hidden:
                call()
            assert hidden.value.status == 404
        assert inbox.open_items(session, creditor_id=stranger.creditor.id, livemode=False).entries == []
