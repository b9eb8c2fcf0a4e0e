"""Integration pages through the portal: keys shown once and revoked, webhook secrets rotated, events resent,
a CSV imported by the background runner with its report, settings and branding forms; roles, CSRF, tenants."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from paypage.extensions import database
from paypage.services import audit, webhook_endpoints
from paypage.store import models
from tests.portal.conftest import BASE_URL, Portal, Team, tenant_of
from tests.portal.test_integrations_settings_service import png


def audit_actions(app: Flask, team: Team) -> list[tuple[str, str, str | None]]:
    with app.app_context(), database().transaction() as session:
        return [(e.actor, e.action, e.subject) for e in audit.entries(session, creditor_id=team.creditor.id, limit=200)]


def upload(portal: Portal, path: str, files: dict[str, tuple[bytes, str]], **fields: str) -> TestResponse:
    """Post a multipart form as a browser does. The body is built here, so that the test client does not
    spool a large one into a temporary file it never closes."""
    portal.get(path)
    boundary = "----inkasso-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {"csrf_token": portal.token, **fields}.items()
    ]
    for name, (content, filename) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return portal.client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}", base_url=BASE_URL
    )


def new_endpoint(app: Flask, team: Team, url: str = "https://hooks.example.com/inkasso") -> models.WebhookEndpoint:
    from inkasso import types as wire

    with app.app_context(), database().transaction() as session:
        params = wire.WebhookEndpointCreateParams(url=url, events=["*"])
        return webhook_endpoints.create(session, tenant_of(team), params, dt.datetime.now(dt.UTC))


# ---------------------------------------------------------------------------------------------------- keys


def test_a_new_key_is_shown_once_works_and_is_revoked(portal_app: Flask, owner_client: Portal, team_a: Team) -> None:
    owner_client.get("/portal/integrations")
    shown = owner_client.post("/portal/integrations/keys", {"name": "ERP export"})
    assert shown.status_code == 200
    secret = re.search(r"<code data-new-key>(sk_test_[A-Za-z0-9]+)</code>", shown.get_data(as_text=True))
    assert secret, "the new key is on the page once"
    api = portal_app.test_client()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.get("/v1/claims", headers=headers).status_code == 200
    again = owner_client.get("/portal/integrations").get_data(as_text=True)
    assert secret.group(1) not in again and "ERP export" in again and secret.group(1)[-4:] in again
    with portal_app.app_context(), database().transaction() as session:
        key = session.scalars(select(models.ApiKey).where(models.ApiKey.name == "ERP export")).one()
        key_id = key.id
    revoked = owner_client.post(f"/portal/integrations/keys/{key_id}/revoke")
    assert revoked.status_code == 303 and "notice=key_revoked" in revoked.headers["Location"]
    assert api.get("/v1/claims", headers=headers).status_code == 401
    actor = f"user:{team_a.user_ids['owner']}"
    actions = audit_actions(portal_app, team_a)
    assert (actor, "api_key.created", key_id) in actions and (actor, "api_key.revoked", key_id) in actions


def test_a_key_needs_a_name(owner_client: Portal) -> None:
    owner_client.get("/portal/integrations")
    refused = owner_client.post("/portal/integrations/keys", {"name": "  "})
    assert refused.status_code == 400
    assert 'aria-describedby="key-name-error"' in refused.get_data(as_text=True)


@pytest.mark.parametrize("who", ["agent", "read_only"])
def test_only_owners_manage_keys_and_webhooks(
    who: str, agent_client: Portal, readonly_client: Portal, team_a: Team, portal_app: Flask
) -> None:
    portal = agent_client if who == "agent" else readonly_client
    page = portal.get("/portal/integrations")
    assert page.status_code == 200 and "Create key" not in page.get_data(as_text=True)
    endpoint = new_endpoint(portal_app, team_a)
    for path, form in [
        ("/portal/integrations/keys", {"name": "mine"}),
        (f"/portal/integrations/keys/{'key_' + '0' * 26}/revoke", {}),
        ("/portal/integrations/webhooks", {"url": "https://hooks.example.com/x"}),
        (f"/portal/integrations/webhooks/{endpoint.id}/rotate", {}),
        (f"/portal/integrations/webhooks/{endpoint.id}/resend", {"event_id": "evt_x"}),
        ("/portal/settings/countries/DE", {"methods": "card", "channels": "email"}),
        ("/portal/settings/payments", {"provider": "sandbox"}),
        ("/portal/settings/branding", {"colour": "#000000"}),
        ("/portal/settings/branding/logo/remove", {}),
    ]:
        assert portal.post(path, form).status_code == 403, path


def test_every_form_needs_its_csrf_token(owner_client: Portal) -> None:
    owner_client.get("/portal/integrations")
    assert owner_client.post("/portal/integrations/keys", {"name": "x"}, token="forged").status_code == 400
    assert owner_client.post("/portal/settings/branding", {"colour": "#000000"}, token="").status_code == 400


# ------------------------------------------------------------------------------------------------ webhooks


def test_webhook_secret_rotation_and_resend(portal_app: Flask, owner_client: Portal, team_a: Team) -> None:
    owner_client.get("/portal/integrations")
    created = owner_client.post(
        "/portal/integrations/webhooks", {"url": "https://hooks.example.com/alpha", "description": "ERP"}
    )
    body = created.get_data(as_text=True)
    first = re.search(r"<code data-new-secret>(whsec_[^<]+)</code>", body)
    assert created.status_code == 200 and first
    with portal_app.app_context(), database().transaction() as session:
        endpoint = session.scalars(
            select(models.WebhookEndpoint).where(models.WebhookEndpoint.url == "https://hooks.example.com/alpha")
        ).one()
        event = session.scalars(select(models.Event).where(models.Event.creditor_id == team_a.creditor.id)).first()
        assert event is not None
        session.add(
            models.WebhookAttempt(
                creditor_id=team_a.creditor.id,
                id="wat_" + "1" * 26,
                delivery_id="wdl_" + "1" * 26,
                endpoint_id=endpoint.id,
                event_id=event.id,
                event_type=event.type,
                attempt=1,
                status_code=500,
                duration_ms=42,
                response_body="oops",
                error=None,
                succeeded=False,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        endpoint_id, event_id = endpoint.id, event.id
    page = owner_client.get(f"/portal/integrations/webhooks/{endpoint_id}").get_data(as_text=True)
    assert first.group(1) not in page and event_id in page and "42 ms" in page
    current = re.search(r'name="current" value="([0-9a-f]{16})"', page)
    assert current
    rotated = owner_client.post(f"/portal/integrations/webhooks/{endpoint_id}/rotate", {"current": current.group(1)})
    second = re.search(r"<code data-new-secret>(whsec_[^<]+)</code>", rotated.get_data(as_text=True))
    assert second and second.group(1) != first.group(1)
    # The same form again (a reload of the answer) finds the secret changed already and leaves it.
    twice = owner_client.post(f"/portal/integrations/webhooks/{endpoint_id}/rotate", {"current": current.group(1)})
    assert twice.status_code == 303 and "notice=secret_rotated_already" in twice.headers["Location"]
    with portal_app.app_context(), database().transaction() as session:
        stored = session.get(models.WebhookEndpoint, (team_a.creditor.id, endpoint_id))
        assert stored is not None and stored.secret == second.group(1) and stored.previous_secret == first.group(1)
    resent = owner_client.post(f"/portal/integrations/webhooks/{endpoint_id}/resend", {"event_id": event_id})
    assert resent.status_code == 303 and "notice=event_resent" in resent.headers["Location"]
    with portal_app.app_context(), database().transaction() as session:
        pending = session.scalars(
            select(models.WebhookDelivery).where(
                models.WebhookDelivery.endpoint_id == endpoint_id, models.WebhookDelivery.event_id == event_id
            )
        ).all()
        assert [delivery.status for delivery in pending] == ["pending"]
    actions = [action for _, action, _ in audit_actions(portal_app, team_a)]
    assert {"webhook_endpoint.created", "webhook_endpoint.secret_rotated", "webhook_event.resent"} <= set(actions)


def test_a_webhook_address_that_is_not_https_is_refused(owner_client: Portal) -> None:
    owner_client.get("/portal/integrations")
    refused = owner_client.post("/portal/integrations/webhooks", {"url": "ftp://hooks.example.com/hook"})
    assert refused.status_code == 400
    assert 'aria-describedby="webhook-url-error"' in refused.get_data(as_text=True)


def test_another_creditors_objects_answer_404(portal_app: Flask, owner_client: Portal, team_b: Team) -> None:
    endpoint = new_endpoint(portal_app, team_b, "https://hooks.example.com/beta")
    with portal_app.app_context(), database().transaction() as session:
        key = session.scalars(select(models.ApiKey).where(models.ApiKey.creditor_id == team_b.creditor.id)).first()
        assert key is not None
        key_id = key.id
    assert owner_client.get(f"/portal/integrations/webhooks/{endpoint.id}").status_code == 404
    owner_client.get("/portal/integrations")
    assert owner_client.post(f"/portal/integrations/webhooks/{endpoint.id}/rotate").status_code == 404
    assert owner_client.post(f"/portal/integrations/keys/{key_id}/revoke").status_code == 404
    with portal_app.app_context(), database().transaction() as session:
        still = session.get(models.ApiKey, (team_b.creditor.id, key_id))
        assert still is not None and still.revoked_at is None


# ------------------------------------------------------------------------------------------------- imports

HEADER = "external_reference,amount,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country\n"


def wait_finished(portal: Portal, job_path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        status = portal.client.get(f"{job_path}/status", base_url=BASE_URL)
        assert status.status_code == 200 and status.mimetype == "application/json"
        data: dict[str, Any] = status.get_json()
        if data["finished"]:
            return data
        assert time.monotonic() < deadline, data
        time.sleep(0.05)


def test_an_agent_imports_a_csv_and_reads_the_report(
    portal_app: Flask, agent_client: Portal, readonly_client: Portal, team_a: Team, team_b: Team
) -> None:
    lines = [
        "PORTAL-1,10000,EUR,2026-09-01,2026-09-15,Erika Mustermann,erika@example.de,DE",
        "PORTAL-2,ten,EUR,2026-09-01,2026-09-15,Max Muster,max@example.de,DE",
        "PORTAL-3,20000,EUR,2026-09-01,2026-09-15,Jan Jansen,jan@example.nl,NL",
        "PORTAL-4,30000,EUR,2026-09-01,2026-09-40,Anna Schmidt,anna@example.de,DE",
    ]
    content = (HEADER + "\n".join(lines) + "\n").encode()
    sent = upload(agent_client, "/portal/integrations/imports", {"file": (content, "claims.csv")}, partial="1")
    assert sent.status_code == 303
    job_path = sent.headers["Location"].replace(BASE_URL, "")
    status = wait_finished(agent_client, job_path)
    assert status == {
        "status": "done",
        "total": 4,
        "processed": 4,
        "created": 2,
        "failed": 2,
        "percent": 100,
        "finished": True,
    }
    report = agent_client.get(job_path).get_data(as_text=True)
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td></tr>', report)
    assert rows == [
        (
            "3",
            "amount: &#39;ten&#39; is not a whole number of minor units (for 123.45 write 12345, or use the column "
            "amount_decimal)",
        ),
        ("5", "due_date: &#39;2026-09-40&#39; is not a date in the form YYYY-MM-DD"),
    ]
    assert "<progress" in report and 'value="100"' in report
    assert readonly_client.get(job_path).status_code == 200  # read-only sees ...
    assert upload(readonly_client, "/portal/integrations/imports", {"file": (content, "c.csv")}).status_code == 403
    job_id = job_path.rsplit("/", 1)[1]
    other = Portal(portal_app)
    from tests.portal.conftest import signed_in

    other = signed_in(portal_app, team_b.users["owner"])
    assert other.get(job_path).status_code == 404
    assert other.get(f"{job_path}/status").status_code == 404
    assert ("user:" + team_a.user_ids["agent"], "import.submitted", job_id) in audit_actions(portal_app, team_a)


def test_an_upload_without_a_file_is_refused(agent_client: Portal) -> None:
    refused = upload(agent_client, "/portal/integrations/imports", {}, partial="1")
    assert refused.status_code == 400 and 'id="file-error"' in refused.get_data(as_text=True)
    empty = upload(agent_client, "/portal/integrations/imports", {"file": (b"", "empty.csv")})
    assert empty.status_code == 400


# ------------------------------------------------------------------------------------------------ settings


def test_country_settings_are_checked_and_saved(portal_app: Flask, owner_client: Portal, team_a: Team) -> None:
    owner_client.get("/portal/settings/countries/DE")
    refused = owner_client.client.post(
        "/portal/settings/countries/DE",
        data={"csrf_token": owner_client.token, "methods": ["sepa_debit", "ideal"], "channels": ["email"]},
        base_url=BASE_URL,
    )
    assert refused.status_code == 400
    assert "Not offered in this country: ideal." in refused.get_data(as_text=True)
    saved = owner_client.client.post(
        "/portal/settings/countries/DE",
        data={
            "csrf_token": owner_client.token,
            "methods": ["card", "sepa_debit"],
            "channels": ["email", "letter"],
            "instalments_allowed": "1",
            "min_instalment": "5000",
            "max_months": "6",
            "experiments": "1",
        },
        base_url=BASE_URL,
    )
    assert saved.status_code == 303
    with portal_app.app_context(), database().transaction() as session:
        creditor = session.get(models.Creditor, team_a.creditor.id)
        assert creditor is not None
        assert creditor.settings["countries"]["DE"]["methods"] == ["sepa_debit", "card"]
        assert creditor.settings["countries"]["DE"]["instalments"]["max_months"] == 6
    assert owner_client.get("/portal/settings/countries/XX").status_code == 404


def test_provider_secrets_never_come_back(owner_client: Portal) -> None:
    owner_client.get("/portal/settings/payments")
    saved = owner_client.post(
        "/portal/settings/payments",
        {
            "provider": "stripe",
            "stripe_api_key": "sk_test_supersecretvalue9876",
            "stripe_webhook_secret": "whsec_s3cr3tABCD",
        },
    )
    assert saved.status_code == 303
    page = owner_client.get("/portal/settings/payments").get_data(as_text=True)
    assert "supersecret" not in page and "s3cr3t" not in page and "••••••••9876" in page
    owner_client.post("/portal/settings/payments", {"provider": "sandbox"})


def test_branding_refuses_svg_and_low_contrast_and_takes_a_png(
    portal_app: Flask, owner_client: Portal, team_a: Team
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    refused = upload(owner_client, "/portal/settings/branding", {"logo": (svg, "logo.png")}, colour="#0b57a4")
    assert refused.status_code == 400 and "SVG files are not accepted" in refused.get_data(as_text=True)
    pale = upload(owner_client, "/portal/settings/branding", {}, colour="#ffee00")
    assert pale.status_code == 400 and "too light" in pale.get_data(as_text=True)
    saved = upload(owner_client, "/portal/settings/branding", {"logo": (png(), "logo.png")}, colour="#7a1f5c")
    assert saved.status_code == 303
    page = owner_client.get("/portal/settings/branding").get_data(as_text=True)
    logo = re.search(r'src="(/brand/[^"]+)"', page)
    assert logo and "#7a1f5c" in page
    assert portal_app.test_client().get(logo.group(1)).mimetype == "image/png"
    assert owner_client.post("/portal/settings/branding/logo/remove").status_code == 303
    assert portal_app.test_client().get(logo.group(1)).status_code == 404


def test_an_upload_may_be_larger_than_an_api_request(portal_app: Flask, agent_client: Portal) -> None:
    limit = portal_app.config["MAX_CONTENT_LENGTH"]
    content = b"reference;amount\n" + b"R-1;100\n" * (limit // 8 + 1000)  # above the app's body limit
    assert len(content) > limit
    sent = upload(agent_client, "/portal/integrations/imports", {"file": (content, "big.csv")}, partial="1")
    assert sent.status_code == 303
    status = wait_finished(agent_client, sent.headers["Location"].replace(BASE_URL, ""))
    assert status["status"] == "failed"  # refused for its header, after it was accepted
    assert agent_client.get("/portal/claims").status_code == 200
