"""The agent inbox: list and filter, assign, answer from a template in the debtor's language, close; roles,
CSRF, and another creditor's items are not there."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from paypage.domain.ids import new_id
from paypage.extensions import database
from paypage.services import inbox
from paypage.store import models
from tests.portal.conftest import Portal, Team, signed_in
from tests.portal.test_integrations_pages import audit_actions


def inbox_item(
    app: Flask,
    team: Team,
    body: str = "Ich kann gerade nicht zahlen, ich habe meine Arbeit verloren.",
    intent: str | None = "hardship",
    livemode: bool = False,
    confidence: float = 0.93,
    reason: str = "human_only",
) -> str:
    """An inbound e-mail about the team's first claim, routed to the inbox; the inbox item's id."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), database().transaction() as session:
        message = models.InboundMessage(
            creditor_id=team.creditor.id,
            id=new_id("inm", now),
            livemode=livemode,
            claim_id=team.claim_ids[0],
            channel="email",
            provider_reference=None,
            sender="erika@example.de",
            subject="Rechnung",
            body=body,
            language="de",
            matched_by="reference",
            intent=intent,
            confidence=confidence,
            outcome="human",
            reason=reason,
            answer_message_id=None,
            received_at=now,
        )
        session.add(message)
        session.flush()
        item = inbox.route_to_human(
            session,
            creditor_id=team.creditor.id,
            livemode=livemode,
            kind="message",
            reason=reason,
            now=now,
            claim_id=team.claim_ids[0],
            intent=intent,
            inbound_message_id=message.id,
        )
        return item.id


def test_an_agent_assigns_answers_and_closes(portal_app: Flask, agent_client: Portal, team_a: Team) -> None:
    item_id = inbox_item(portal_app, team_a)
    listing = agent_client.get("/portal/inbox").get_data(as_text=True)
    assert f"/portal/inbox/{item_id}" in listing and "Hardship" in listing and "urgent" in listing
    assert f"/portal/inbox/{item_id}" in agent_client.get("/portal/inbox?view=unassigned").get_data(as_text=True)
    page = agent_client.get(f"/portal/inbox/{item_id}").get_data(as_text=True)
    assert "meine Arbeit verloren" in page and 'value="hardship"' in page
    assigned = agent_client.post(f"/portal/inbox/{item_id}/assign", {"to": "me"})
    assert assigned.status_code == 303
    mine = agent_client.get("/portal/inbox?view=mine").get_data(as_text=True)
    assert f"/portal/inbox/{item_id}" in mine and "Agent" in mine
    answered = agent_client.post(f"/portal/inbox/{item_id}/reply", {"template": "hardship"})
    assert answered.status_code == 303, answered.get_data(as_text=True)
    with portal_app.app_context(), database().transaction() as session:
        item = session.get(models.InboxItem, (team_a.creditor.id, item_id))
        assert item is not None and item.status == "closed" and item.reply_message_id
        reply = session.get(models.ContactMessage, (team_a.creditor.id, item.reply_message_id))
        assert reply is not None and reply.language == "de" and reply.channel == "email"
        body = reply.body_text
    shown = agent_client.get(f"/portal/inbox/{item_id}").get_data(as_text=True)
    assert "Our answer" in shown and body.split("\n")[0][:40] in shown.replace("&#39;", "'")
    assert f"/portal/inbox/{item_id}" in agent_client.get("/portal/inbox?view=closed").get_data(as_text=True)
    actor = f"user:{team_a.user_ids['agent']}"
    actions = audit_actions(portal_app, team_a)
    assert (actor, "inbox.assigned", item_id) in actions and (actor, "inbox.answered", item_id) in actions
    again = agent_client.post(f"/portal/inbox/{item_id}/reply", {"template": "hardship"})
    assert again.status_code == 409 and "This item is closed." in again.get_data(as_text=True)


def test_closing_without_an_answer_and_giving_back(portal_app: Flask, agent_client: Portal, team_a: Team) -> None:
    item_id = inbox_item(portal_app, team_a, "Wer sind Sie überhaupt?", intent=None)
    agent_client.get(f"/portal/inbox/{item_id}")
    agent_client.post(f"/portal/inbox/{item_id}/assign", {"to": "me"})
    back = agent_client.post(f"/portal/inbox/{item_id}/assign", {"to": "pool"})
    assert back.status_code == 303 and "notice=inbox_released" in back.headers["Location"]
    assert agent_client.post(f"/portal/inbox/{item_id}/reply", {"template": "nonsense"}).status_code == 400
    closed = agent_client.post(f"/portal/inbox/{item_id}/close", {"resolution": "called back"})
    assert closed.status_code == 303
    with portal_app.app_context(), database().transaction() as session:
        item = session.get(models.InboxItem, (team_a.creditor.id, item_id))
        assert item is not None and item.status == "closed" and item.resolution == "called back"
        assert item.reply_message_id is None


def test_read_only_sees_but_cannot_work(portal_app: Flask, readonly_client: Portal, team_a: Team) -> None:
    item_id = inbox_item(portal_app, team_a)
    page = readonly_client.get(f"/portal/inbox/{item_id}")
    assert page.status_code == 200 and "Assign to me" not in page.get_data(as_text=True)
    for action, form in (("assign", {"to": "me"}), ("reply", {"template": "received"}), ("close", {})):
        assert readonly_client.post(f"/portal/inbox/{item_id}/{action}", form).status_code == 403


def test_another_creditors_item_and_the_other_mode_are_not_there(
    portal_app: Flask, owner_client: Portal, team_a: Team, team_b: Team
) -> None:
    theirs = inbox_item(portal_app, team_b)
    assert owner_client.get(f"/portal/inbox/{theirs}").status_code == 404
    owner_client.get("/portal/inbox")
    for action, form in (("assign", {"to": "me"}), ("reply", {"template": "received"}), ("close", {})):
        assert owner_client.post(f"/portal/inbox/{theirs}/{action}", form).status_code == 404
    assert theirs not in owner_client.get("/portal/inbox").get_data(as_text=True)
    live = inbox_item(portal_app, team_a, livemode=True)
    assert owner_client.get(f"/portal/inbox/{live}").status_code == 404  # the switch shows test data
    beta = signed_in(portal_app, team_b.users["agent"])
    assert beta.get(f"/portal/inbox/{theirs}").status_code == 200


def test_inbox_forms_need_the_csrf_token(portal_app: Flask, agent_client: Portal, team_a: Team) -> None:
    item_id = inbox_item(portal_app, team_a)
    agent_client.get("/portal/inbox")
    assert agent_client.post(f"/portal/inbox/{item_id}/close", {}, token="forged").status_code == 400
