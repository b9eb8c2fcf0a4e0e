"""Every kind of bad input gets a specific 4xx in the one error shape, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import claim_body, debtor
from tests.functional.conftest import Api

CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (case, overrides, expected code, expected param, words the message must contain)
    ("zero amount", {"amount": 0}, "parameter_invalid", "amount", "greater than 0"),
    ("negative amount", {"amount": -100}, "parameter_invalid", "amount", "greater than 0"),
    ("float amount", {"amount": 123.45}, "parameter_invalid", "amount", "integer amount in minor units"),
    ("decimal string amount", {"amount": "123.450"}, "parameter_invalid", "amount", "integer amount"),
    ("boolean amount", {"amount": True}, "parameter_invalid", "amount", "integer"),
    ("unknown currency", {"currency": "XYZ"}, "parameter_invalid", "currency", "not an active ISO 4217"),
    ("four-letter currency", {"currency": "EURO"}, "parameter_invalid", "currency", "three-letter"),
    ("two-letter currency", {"currency": "EU"}, "parameter_invalid", "currency", "three-letter"),
    ("bad country", {"debtor": debtor(country="XX")}, "parameter_invalid", "debtor.country", "ISO 3166-1"),
    ("country as name", {"debtor": debtor(country="Germany")}, "parameter_invalid", "debtor.country", "ISO 3166"),
    ("malformed e-mail", {"debtor": debtor(email="erika@")}, "parameter_invalid", "debtor.email", "e-mail"),
    ("e-mail without at", {"debtor": debtor(email="erika.example.de")}, "parameter_invalid", "debtor.email", "e-mail"),
    ("national phone", {"debtor": debtor(phone="0151 1234567")}, "parameter_invalid", "debtor.phone", "E.164"),
    ("phone with letters", {"debtor": debtor(phone="+49151CALLME")}, "parameter_invalid", "debtor.phone", "E.164"),
    (
        "due before invoice",
        {"invoice_date": "2026-09-15", "due_date": "2026-09-01"},
        "parameter_invalid",
        "",
        "due_date must not be before invoice_date",
    ),
    ("bad date", {"invoice_date": "15.09.2026"}, "parameter_invalid", "invoice_date", "date"),
    ("unknown field", {"amount_eur": 12}, "parameter_unknown", "amount_eur", "not a known field"),
    ("unknown debtor field", {"debtor": debtor(salary=1)}, "parameter_unknown", "debtor.salary", "not a known"),
    ("missing amount", {"amount": None}, "parameter_invalid", "amount", ""),
    ("empty reference", {"external_reference": ""}, "parameter_invalid", "external_reference", "at least 1"),
    ("long reference", {"external_reference": "R" * 65}, "parameter_invalid", "external_reference", "at most 64"),
    (
        "unreachable debtor",
        {"debtor": debtor(email=None, phone=None, address=None)},
        "parameter_invalid",
        "debtor",
        "at least one of email, phone or address",
    ),
    (
        "line items not adding up",
        {"line_items": [{"description": "Shoes", "unit_amount": 100}]},
        "parameter_invalid",
        "",
        "line_items add up to 100",
    ),
    ("fee of zero", {"fees": [{"type": "reminder_fee", "amount": 0}]}, "parameter_invalid", "fees.0.amount", "0"),
    ("metadata not strings", {"metadata": {"n": 1}}, "parameter_invalid", "metadata.n", "string"),
    ("too much metadata", {"metadata": {f"k{i}": "v" for i in range(51)}}, "parameter_invalid", "metadata", "50"),
    (
        "birthday for a company",
        {"debtor": debtor(type="company", date_of_birth="1970-01-01")},
        "parameter_invalid",
        "debtor",
        "only allowed",
    ),
]


@pytest.mark.parametrize(("case", "overrides", "code", "param", "words"), CASES, ids=[c[0] for c in CASES])
def test_invalid_claim_is_refused_with_field_and_reason(
    api: Api, case: str, overrides: dict[str, Any], code: str, param: str, words: str
) -> None:
    body = claim_body(**overrides)
    if overrides.get("amount", 1) is None:
        del body["amount"]
        code = "parameter_missing"
    response = api.post("/v1/claims", body)
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code
    assert (error["param"] or "") == param
    assert words in error["message"]
    assert error["request_id"] == response.headers["Request-Id"]
    assert api.get("/v1/claims", external_reference=body["external_reference"]).json["data"] == []


def test_duplicate_external_reference_is_a_conflict(api: Api) -> None:
    body = claim_body()
    assert api.post("/v1/claims", body).status_code == 201
    again = api.post("/v1/claims", {**body, "amount": 1})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_external_reference"
    assert again.json["error"]["param"] == "external_reference"
    assert body["external_reference"] in again.json["error"]["message"]


def test_two_megabyte_body_is_413(api: Api) -> None:
    body = claim_body(description="x" * (2 * 1024 * 1024))
    response = api.post("/v1/claims", body)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"


def test_non_json_body_is_400(api: Api) -> None:
    response = api.client.post(
        "/v1/claims", data="{'amount': 1}", headers={**api.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "body_not_json"
    assert "line 1, column 2" in response.json["error"]["message"]


def test_json_that_is_not_an_object_is_400(api: Api) -> None:
    response = api.client.post("/v1/claims", json=[claim_body()], headers=api.headers)
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The body must be a JSON object"


def test_wrong_content_type_is_415(api: Api) -> None:
    response = api.client.post("/v1/claims", data="amount=1", headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert "text/csv" in response.json["error"]["message"]


def test_bad_idempotency_key_is_400(api: Api) -> None:
    response = api.post("/v1/claims", claim_body(), **{"Idempotency-Key": "k" * 256})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "idempotency_key_invalid"


def test_unknown_route_and_method_answer_in_the_error_shape(api: Api) -> None:
    assert api.get("/v1/debtors").json["error"]["code"] == "resource_missing"
    response = api.client.delete("/v1/claims", headers=api.headers)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_missing_and_invalid_keys_are_401(api: Api) -> None:
    missing = api.client.get("/v1/claims")
    assert missing.status_code == 401
    assert missing.json["error"]["code"] == "api_key_missing"
    for header in ["Bearer sk_test_nope", "Basic abc", "Bearer ", api.creditor.test_key]:
        response = api.client.get("/v1/claims", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["type"] == "authentication_error"
