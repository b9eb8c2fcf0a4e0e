"""Creditor- and debtor-supplied text in the dunning e-mail's HTML is escaped, in every template and tone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from markupsafe import escape

from paypage.domain.countries import get_country
from paypage.domain.strategies import Step
from paypage.engine import messages
from paypage.extensions import database
from paypage.services import claims
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.factories import claim_body, debtor, new_creditor

PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.mark.parametrize("template", ["reminder", "notice", "final_notice", "cost_warning"])
def test_every_field_is_escaped_in_the_email_html(app: Flask, template: str) -> None:
    creditor = new_creditor(app, name=f"Shop {PAYLOAD}")
    body = claim_body(
        external_reference="R<b>1</b>'\"&",
        description=f"desc {PAYLOAD}",
        fees=[{"type": "reminder_fee", "amount": 500, "description": f"fee {PAYLOAD}"}],
        debtor=debtor(name=f"name {PAYLOAD}"),
    )
    answer = app.test_client().post("/v1/claims", json=body, headers=creditor.headers())
    assert answer.status_code == 201, answer.get_json()
    with app.app_context(), database().transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        record.settings = {**record.settings, "sender_name": f"sender {PAYLOAD}", "address": f"addr {PAYLOAD}"}
        row = claims.get(session, Tenant(creditor.id, False), answer.get_json()["id"])
        country = get_country("DE")
        step = Step(key="s", day=0, channels=("email",), template=template, tone="firm", stage="reminder")
        values = messages.context(*row, record, country, step, "https://pay.example/p/x", dt.date(2026, 11, 1), "en")
        rendered = messages.render("email", values)
    html = rendered.html or ""
    assert html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>1</b>" not in html
    assert re.search(r"<script\b", html, re.IGNORECASE) is None
    assert str(escape("<script>alert(2)</script>")) in html  # the text is there, shown as text
    assert str(escape("R<b>1</b>")) in html or "R&lt;b&gt;1&lt;/b&gt;" in html
    # Plain-text parts are not HTML and carry the text as given.
    assert f"desc {PAYLOAD}" in rendered.text or f"Shop {PAYLOAD}" in rendered.text
