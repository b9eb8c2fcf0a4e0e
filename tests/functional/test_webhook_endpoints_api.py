"""`/v1/webhook_endpoints` and `/v1/events` through the Flask test client."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api


def _create(api: Api, url: str = "http://127.0.0.1:9/hooks", **extra: object) -> dict[str, object]:
    response = api.post("/v1/webhook_endpoints", {"url": url, **extra})
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_create_shows_secret_once_and_defaults_to_all_events(api: Api) -> None:
    endpoint = _create(api, description="ERP")
    assert str(endpoint["id"]).startswith("whe_")
    assert str(endpoint["secret"]).startswith("whsec_")
    assert endpoint["events"] == ["*"]
    assert endpoint["status"] == "enabled"
    fetched = api.get(f"/v1/webhook_endpoints/{endpoint['id']}").json
    assert fetched["secret"] is None
    assert [e["id"] for e in api.get("/v1/webhook_endpoints").json["data"]] == [endpoint["id"]]


def test_update_delete_and_rotate(api: Api) -> None:
    endpoint = _create(api, events=["claim.paid"])
    path = f"/v1/webhook_endpoints/{endpoint['id']}"
    updated = api.patch(path, {"events": ["claim.paid", "claim.cancelled"], "status": "disabled"}).json
    assert updated["events"] == ["claim.cancelled", "claim.paid"]
    assert updated["status"] == "disabled"
    assert api.patch(path, {"status": "enabled"}).json["disabled_reason"] is None
    rotated = api.post(f"{path}/rotate_secret").json
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]
    deleted = api.client.delete(path, headers=api.headers)
    assert deleted.json == {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}
    assert api.get(path).status_code == 404


def test_unknown_event_type_is_refused(api: Api) -> None:
    response = api.post("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/", "events": ["claim.exploded"]})
    assert response.status_code == 400
    assert response.json["error"]["param"] == "events"
    assert "claim.exploded" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/x", "https in live mode"),
        ("https://127.0.0.1/x", "private or local address"),
        ("https://10.1.2.3/x", "private or local address"),
        ("https://192.168.0.10/x", "private or local address"),
        ("https://169.254.169.254/latest/meta-data", "private or local address"),
        ("https://[::1]/x", "private or local address"),
        ("https://[::ffff:127.0.0.1]/x", "private or local address"),
        ("https://localhost/x", "must not point at this machine"),
        ("https://user:pw@8.8.8.8/x", "user name or password"),
        ("ftp://8.8.8.8/x", "must start with https://"),
    ],
)
def test_live_mode_refuses_unsafe_urls(app: Flask, api: Api, url: str, words: str) -> None:
    live = Api(app.test_client(), api.creditor, live=True)
    response = live.post("/v1/webhook_endpoints", {"url": url})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "url_not_allowed"
    assert words in response.json["error"]["message"]


def test_live_mode_accepts_a_public_https_address(app: Flask, api: Api) -> None:
    live = Api(app.test_client(), api.creditor, live=True)
    assert live.post("/v1/webhook_endpoints", {"url": "https://8.8.8.8/hooks"}).status_code == 201


def test_test_mode_allows_local_http_for_development(api: Api) -> None:
    assert _create(api, url="http://localhost:5000/webhooks")["url"] == "http://localhost:5000/webhooks"


def test_endpoints_and_events_are_isolated_per_creditor(app: Flask, api: Api) -> None:
    endpoint = _create(api)
    claim = api.post("/v1/claims", claim_body()).json
    event_id = api.get("/v1/events").json["data"][0]["id"]
    other = Api(app.test_client(), new_creditor(app))
    assert other.get(f"/v1/webhook_endpoints/{endpoint['id']}").status_code == 404
    assert other.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret").status_code == 404
    assert other.get(f"/v1/events/{event_id}").status_code == 404
    assert other.get("/v1/events", claim_id=claim["id"]).json["data"] == []
    assert other.post(f"/v1/events/{event_id}/resend", {"endpoint": endpoint["id"]}).status_code == 404


def test_event_log_filters_and_resend(api: Api) -> None:
    endpoint = _create(api)
    claim = api.post("/v1/claims", claim_body()).json
    api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "returned"})
    log = api.get("/v1/events").json["data"]
    assert [e["type"] for e in log] == ["claim.cancelled", "claim.created"]
    assert [e["type"] for e in api.get("/v1/events", type="claim.created").json["data"]] == ["claim.created"]
    assert api.get("/v1/events", type="claim.exploded").status_code == 400
    event = api.get(f"/v1/events/{log[0]['id']}").json
    assert event["data"]["reason"] == "returned"
    resent = api.post(f"/v1/events/{event['id']}/resend", {"endpoint": endpoint["id"]})
    assert resent.status_code == 202
    assert resent.json["status"] == "pending"
