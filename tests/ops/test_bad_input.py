"""Hostile and broken input to the API: SQL in every filter and identifier the OpenAPI document lists,
bodies that are too big, malformed, nested too deep, of the wrong type or not UTF-8, and query strings
that are huge. Every answer is a 4xx in the API's error shape; nothing is stored, nothing leaks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from paypage.extensions import database
from paypage.store import models
from tests.factories import CreditorKeys, claim_body, new_creditor

SQL = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "x'; DROP TABLE claims; --",
    "1 UNION SELECT id FROM creditors --",
    '" OR ""="',
    "%' OR 1=1 OR '%'='",
    "clm_x') OR ('a'='a",
]
PAGING = {"limit", "cursor"}


def _spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/v1/openapi.json").get_json()
    assert document["paths"], "no paths in the OpenAPI document"
    return dict(document)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]], dict[str, Any]]]:
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method, path, shared + operation.get("parameters", []), operation))
    return found


def _count(app: Flask, model: type[models.Base]) -> int:
    with app.app_context(), database().transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _error_shaped(response: Any, where: str) -> dict[str, Any]:
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), f"{where}: {response.get_data()[:300]!r}"
    error = body["error"]
    assert error["type"] and error["code"] and error["message"], where
    assert str(error["request_id"]).startswith("req_"), where
    assert "Traceback" not in response.get_data(as_text=True), where
    return dict(error)


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


def test_sql_in_every_list_filter_is_refused_or_matches_nothing(app: Flask, creditor: CreditorKeys) -> None:
    client = app.test_client()
    headers = creditor.headers()
    canary = client.post("/v1/claims", json=claim_body(), headers=headers)
    assert canary.status_code == 201
    endpoint = client.post("/v1/webhook_endpoints", json={"url": "http://127.0.0.1:9/x"}, headers=headers)
    assert endpoint.status_code == 201
    claims_before, events_before = _count(app, models.Claim), _count(app, models.Event)
    tried: set[tuple[str, str]] = set()
    for method, path, parameters, _ in _operations(_spec(app)):
        if method != "get" or "{" in path:
            continue
        for parameter in (p for p in parameters if p["in"] == "query"):
            name = parameter["name"]
            for value in SQL:
                response = client.get(path, query_string={name: value}, headers=headers)
                where = f"GET {path}?{name}={value!r} -> {response.status_code}"
                assert response.status_code in (200, 400), where
                if response.status_code == 400:
                    assert _error_shaped(response, where)["param"] == name, where
                else:
                    assert name not in PAGING, where
                    assert response.get_json()["data"] == [], where  # matches nothing, never everything
            tried.add((path, name))
    # Every filter the document lists was tried; the known ones are there.
    assert {("/v1/claims", "external_reference"), ("/v1/claims", "state"), ("/v1/events", "claim_id")} <= tried
    assert len(tried) >= 15
    assert (_count(app, models.Claim), _count(app, models.Event)) == (claims_before, events_before)
    assert client.get(f"/v1/claims/{canary.get_json()['id']}", headers=headers).status_code == 200


def test_sql_in_every_identifier_finds_nothing(app: Flask, creditor: CreditorKeys) -> None:
    client = app.test_client()
    headers = {**creditor.headers(), "Idempotency-Key": "sql-in-path"}
    claims_before = _count(app, models.Claim)
    operations = [op for op in _operations(_spec(app)) if "{" in op[1]]
    assert len(operations) >= 10
    for method, path, parameters, _ in operations:
        names = [p["name"] for p in parameters if p["in"] == "path"]
        for value in SQL:
            target = path
            for name in names:
                target = target.replace("{" + name + "}", value.replace("/", "%2F"))
            response = client.open(target, method=method.upper(), headers=headers, json={})
            where = f"{method.upper()} {target} -> {response.status_code}"
            assert response.status_code in (400, 404, 405), where
            _error_shaped(response, where)
    for value in SQL:  # the pay page's token is an identifier too
        for suffix in ("", "/plan", "/contact"):
            assert client.get(f"/p/{value}{suffix}").status_code == 404, value
    assert _count(app, models.Claim) == claims_before


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"amount": 1,', "application/json", 400, "body_not_json"),
        (b"[1, 2, 3]", "application/json", 400, "body_not_json"),
        (b'"just a string"', "application/json", 400, "body_not_json"),
        (b'{"amount": NaN}', "application/json", 400, None),
        (b'{"amount": 1e999}', "application/json", 400, None),
        (b'{"external_reference": "\xff\xfe"}', "application/json", 400, "body_not_json"),
        (b"\xef\xbb\xbf{}", "application/json", 400, None),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "body_not_json"),
        (b"amount=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"{}", "text/plain", 415, "unsupported_media_type"),
        (b"<claim/>", "application/xml", 415, "unsupported_media_type"),
        (b"{}", "", 415, "unsupported_media_type"),
    ],
)
def test_broken_bodies_get_a_specific_4xx(
    app: Flask, creditor: CreditorKeys, body: bytes, content_type: str, status: int, code: str | None
) -> None:
    client = app.test_client()
    before = _count(app, models.Claim)
    for path in ("/v1/claims", "/v1/claims/batch", "/v1/webhook_endpoints"):
        headers = {**creditor.headers(), "Content-Type": content_type} if content_type else creditor.headers()
        response = client.post(path, data=body, headers=headers)
        where = f"POST {path} {content_type or 'no type'} {body[:30]!r} -> {response.status_code}"
        assert response.status_code == status, f"{where}: {response.get_data()[:200]!r}"
        error = _error_shaped(response, where)
        if code is not None:
            assert error["code"] == code, where
    assert _count(app, models.Claim) == before


def test_a_body_over_the_limit_is_refused_before_it_is_read(app: Flask, creditor: CreditorKeys) -> None:
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    huge = json.dumps({**claim_body(), "description": "x" * (limit + 10)}).encode()
    response = app.test_client().post(
        "/v1/claims", data=huge, headers={**creditor.headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    error = _error_shaped(response, "413")
    assert str(limit) in error["message"]


def test_a_field_over_its_length_names_the_field(app: Flask, creditor: CreditorKeys) -> None:
    response = app.test_client().post(
        "/v1/claims", json=claim_body(external_reference="R" * 10_000), headers=creditor.headers()
    )
    assert response.status_code == 400
    assert _error_shaped(response, "long reference")["param"] == "external_reference"


def test_huge_and_broken_query_strings(app: Flask, creditor: CreditorKeys) -> None:
    client = app.test_client()
    headers = creditor.headers()
    cases = [
        "external_reference=" + "A" * 200_000,
        "&".join(f"p{i}=1" for i in range(5_000)),
        "external_reference=%ff%fe%fd",
        "state=%00",
        "limit=99999999999999999999999",
        "limit=-1",
        "created_gte=not-a-date",
        "created_gte=" + "9" * 5_000,
    ]
    for query in cases:
        response = client.get(f"/v1/claims?{query}", headers=headers)
        where = f"GET /v1/claims?{query[:40]} -> {response.status_code}"
        assert response.status_code in (200, 400, 414), where
        if response.status_code == 200:
            assert response.get_json()["data"] == [], where
        else:
            _error_shaped(response, where)


def test_invalid_utf8_in_paths_and_headers(app: Flask, creditor: CreditorKeys) -> None:
    client = app.test_client()
    for path in ("/v1/claims/%ff%fe", "/v1/events/%c0%af", "/p/%ff%00"):
        response = client.get(path, headers=creditor.headers())
        assert response.status_code in (400, 404), path
        if path.startswith("/v1/"):
            _error_shaped(response, path)
    response = client.get(
        "/v1/claims",
        headers={"Authorization": "Bearer sk_test_\udcff".encode("utf-8", "surrogateescape").decode("latin-1")},
    )
    assert response.status_code == 401
    _error_shaped(response, "bad key bytes")
    keyed = {**creditor.headers(), "Idempotency-Key": "k\x00\x01"}
    response = client.post("/v1/claims", json=claim_body(), headers=keyed)
    assert response.status_code == 400
    assert _error_shaped(response, "idempotency key")["param"] == "Idempotency-Key"
