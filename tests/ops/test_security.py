"""Security checks across the whole app: headers on every route, escaping of creditor-supplied text on the
pay page, and no secrets in the logs. SQL in every filter and identifier of the OpenAPI document is in
test_bad_input.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.routing import AnyConverter

from tests.factories import CreditorKeys, claim_body, debtor, new_creditor

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
JUNK = "junk'\"<>%20..%2F"


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        values: dict[str, Any] = {}
        for name, converter in rule._converters.items():
            values[name] = sorted(converter.items)[0] if isinstance(converter, AnyConverter) else JUNK
        path = adapter.build(rule.endpoint, values, force_external=False)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _check_headers(method: str, path: str, response: Any) -> None:
    where = f"{method} {path} -> {response.status_code}"
    assert response.status_code < 500, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy"), where
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src" in csp and "frame-ancestors" in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where


def test_every_route_sends_security_headers_and_never_fails(app: Flask) -> None:
    creditor = new_creditor(app)
    client = app.test_client()
    routes = _routes(app)
    assert len(routes) > 20
    for method, path in routes:
        for headers in ({}, creditor.headers()):
            response = client.open(path, method=method, headers=headers, json={"junk": JUNK})
            _check_headers(method, path, response)
            response = client.open(path, method=method, headers=headers, data=JUNK)
            _check_headers(method, path, response)


def test_unknown_paths_send_security_headers(app: Flask) -> None:
    client = app.test_client()
    for path in ("/nowhere", "/v1/nowhere", "/p/", "/static/../../etc/passwd", "/%00", "/v1/claims/%ff"):
        _check_headers("GET", path, client.get(path))


# ------------------------------------------------------------------------------------------------- XSS


def _xss_claim(payload: str) -> dict[str, Any]:
    tagged = {field: f"{payload}{field}" for field in ("name", "description", "line1", "line2", "city", "item")}
    return claim_body(
        external_reference=payload,
        description=tagged["description"],
        amount=12_345,
        line_items=[{"description": tagged["item"], "quantity": 1, "unit_amount": 12_345}],
        metadata={"note": payload, payload[:40]: "value"},
        debtor=debtor(
            name=tagged["name"],
            address={
                "line1": tagged["line1"],
                "line2": tagged["line2"],
                "postal_code": "51147",
                "city": tagged["city"],
                "region": payload,
                "country": "DE",
            },
        ),
    )


@pytest.mark.parametrize("payload", XSS)
def test_creditor_text_is_escaped_on_the_pay_page(app: Flask, payload: str) -> None:
    creditor = new_creditor(app)
    client = app.test_client()
    response = client.post("/v1/claims", json=_xss_claim(payload), headers=creditor.headers())
    assert response.status_code == 201, response.get_json()
    claim = response.get_json()
    assert claim["description"].startswith(payload)  # the API stores and returns text as given
    path = "/p/" + claim["pay_url"].split("/p/", 1)[1]
    pages = {}
    for suffix in ("", "/plan", "/already-paid", "/pause", "/dispute", "/contact"):
        page = client.get(path + suffix, headers={"Accept-Language": "en"})
        assert page.status_code == 200, (suffix, page.status_code)
        assert page.content_type.startswith("text/html")
        pages[suffix] = page.get_data(as_text=True)
    escaped = str(escape(payload))
    for suffix, text in pages.items():
        assert payload not in text, f"raw payload on {path}{suffix}"
        assert "<script>alert" not in text and "<img src=x" not in text, suffix
    # The pay page shows the invoice number and the description (not the debtor's name, address, lines or
    # metadata); the request forms show none of them. Raw markup is absent from all of them.
    assert escaped in pages[""]
    assert f"{escaped}description" in pages[""]


# ------------------------------------------------------------------------------------- secrets in the logs


def _pay_page_visit(client: FlaskClient, creditor: CreditorKeys) -> tuple[str, str]:
    response = client.post("/v1/claims", json=claim_body(), headers=creditor.headers())
    assert response.status_code == 201
    claim = response.get_json()
    token = claim["pay_url"].split("/p/", 1)[1]
    for suffix in ("", "/plan", "/contact", "/already-paid"):
        assert client.get(f"/p/{token}{suffix}").status_code == 200
    # A form post without its CSRF token, and a bad link: both are logged paths.
    assert client.post(f"/p/{token}/contact", data={"message": "hi"}).status_code in (400, 403)
    assert client.get(f"/p/{token}x").status_code == 404
    return claim["id"], token


def test_logs_carry_no_api_key_and_no_pay_token(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creditor = new_creditor(app)
    client = app.test_client()
    headers = creditor.headers()
    claim_id, token = _pay_page_visit(client, creditor)
    client.get("/v1/claims", query_string={"limit": 5}, headers=headers)
    client.get(f"/v1/claims/{claim_id}/events", headers=headers)
    client.patch(f"/v1/claims/{claim_id}", json={"metadata": {"x": "y"}}, headers=headers)
    client.post("/v1/claims", json={"bad": "body"}, headers=headers)
    client.get("/v1/claims", headers={"Authorization": "Bearer sk_test_wrongwrongwrong"})
    client.post(f"/v1/claims/{claim_id}/cancel", json={}, headers=headers)
    client.get(f"/p/{token}")
    text = "\n".join(
        [caplog.text]
        + [record.getMessage() for record in caplog.records]
        + [str(record.__dict__) for record in caplog.records]
    )
    for secret in (creditor.test_key, creditor.live_key, token, "sk_test_wrongwrongwrong"):
        assert secret not in text
