"""The claims API through the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api


def test_submit_returns_claim_with_balance_and_pay_link(api: Api) -> None:
    body = claim_body(fees=[{"type": "reminder_fee", "amount": 500, "description": "Second reminder"}])
    response = api.post("/v1/claims", body)
    assert response.status_code == 201, response.json
    claim = response.json
    assert claim["id"].startswith("clm_") and len(claim["id"]) == 30
    assert claim["state"] == "open"
    assert claim["balance"] == {"principal": 12_345, "interest": 0, "fees": 500, "paid": 0, "outstanding": 12_845}
    assert claim["debtor"]["id"].startswith("dbt_")
    assert claim["debtor"]["address"]["city"] == "Köln"
    assert claim["pay_url"].startswith("http://127.0.0.1:8000/p/")
    assert response.headers["Request-Id"].startswith("req_")
    fetched = api.get(f"/v1/claims/{claim['id']}")
    assert fetched.status_code == 200
    assert fetched.json == claim


def test_line_items_are_stored_with_their_totals(api: Api) -> None:
    items = [
        {"description": "Shoes", "quantity": 2, "unit_amount": 5_000},
        {"description": "Shipping", "unit_amount": 2_345},
    ]
    claim = api.post("/v1/claims", claim_body(line_items=items)).json
    assert [item["amount"] for item in claim["line_items"]] == [10_000, 2_345]


def test_pay_link_opens_a_page_and_stops_working_when_cancelled(api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    path = claim["pay_url"].removeprefix("http://127.0.0.1:8000")
    page = api.client.get(path)
    assert page.status_code == 200
    assert "123,45" in page.get_data(as_text=True) or "123.45" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "paid at the counter"})
    assert api.client.get(path).status_code == 404
    guessed = api.client.get("/p/AAAAAAAAAAAAAAAAAAAAAA")
    assert guessed.status_code == 404
    assert guessed.get_data(as_text=True) == api.client.get(path).get_data(as_text=True)


def test_list_walks_pages_newest_first(api: Api) -> None:
    ids = [api.post("/v1/claims", claim_body()).json["id"] for _ in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/claims", **params).json
        seen += [claim["id"] for claim in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3
    assert seen == list(reversed(ids))


def test_list_filters(api: Api) -> None:
    swiss = api.post("/v1/claims", claim_body(currency="CHF", debtor={**claim_body()["debtor"], "country": "CH"})).json
    german = api.post("/v1/claims", claim_body()).json
    api.post(f"/v1/claims/{german['id']}/cancel", {"reason": "duplicate invoice"})
    assert [c["id"] for c in api.get("/v1/claims", country="ch").json["data"]] == [swiss["id"]]
    assert [c["id"] for c in api.get("/v1/claims", state="cancelled").json["data"]] == [german["id"]]
    by_reference = api.get("/v1/claims", external_reference=swiss["external_reference"]).json["data"]
    assert [c["id"] for c in by_reference] == [swiss["id"]]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert api.get("/v1/claims", created_gte=later).json["data"] == []
    assert len(api.get("/v1/claims", created_lte=later).json["data"]) == 2


def test_list_rejects_bad_query(api: Api) -> None:
    for params, param in [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"state": "lost"}, "state"),
        ({"country": "XX"}, "country"),
        ({"created_gte": "yesterday"}, "created_gte"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"colour": "red"}, "colour"),
    ]:
        response = api.get("/v1/claims", **params)
        assert response.status_code == 400, params
        assert response.json["error"]["param"] == param


def test_update_corrects_contact_data_and_metadata(api: Api) -> None:
    claim = api.post("/v1/claims", claim_body(metadata={"order_id": "1", "channel": "web"})).json
    response = api.patch(
        f"/v1/claims/{claim['id']}",
        {"debtor": {"email": "erika.neu@example.de", "phone": None}, "metadata": {"channel": None, "note": "moved"}},
    )
    assert response.status_code == 200, response.json
    updated = response.json
    assert updated["debtor"]["email"] == "erika.neu@example.de"
    assert updated["debtor"]["phone"] is None
    assert updated["debtor"]["name"] == "Erika Mustermann"
    assert updated["metadata"] == {"order_id": "1", "note": "moved"}
    assert updated["amount"] == claim["amount"]
    timeline = api.get(f"/v1/claims/{claim['id']}/events").json["data"]
    assert [event["type"] for event in timeline] == ["claim.created", "claim.updated"]
    assert timeline[1]["data"]["changed"] == ["debtor.email", "debtor.phone", "metadata.channel", "metadata.note"]


def test_update_refuses_to_leave_debtor_unreachable_and_to_change_amount(api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    response = api.patch(f"/v1/claims/{claim['id']}", {"debtor": {"email": None, "phone": None, "address": None}})
    assert response.status_code == 400
    assert response.json["error"]["param"] == "debtor"
    assert api.get(f"/v1/claims/{claim['id']}").json["debtor"]["email"] == "erika@example.de"
    response = api.patch(f"/v1/claims/{claim['id']}", {"amount": 1})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "parameter_unknown"


def test_cancel_records_reason_and_refuses_twice(api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    response = api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "customer returned the goods"})
    assert response.status_code == 200
    assert response.json["state"] == "cancelled"
    assert response.json["cancellation_reason"] == "customer returned the goods"
    assert response.json["pay_url"] is None
    again = api.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "again"})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "invalid_state"
    missing_reason = api.post(f"/v1/claims/{claim['id']}/cancel", {})
    assert missing_reason.status_code == 400
    assert missing_reason.json["error"]["param"] == "reason"
    events = api.get(f"/v1/claims/{claim['id']}/events").json["data"]
    assert [e["type"] for e in events] == ["claim.created", "claim.cancelled"]
    assert events[1]["data"]["previous_state"] == "open"
    assert events[1]["data"]["claim"]["state"] == "cancelled"
    assert "pay_url" not in events[1]["data"]["claim"]


def test_events_paginate_oldest_first(api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    for number in range(4):
        api.patch(f"/v1/claims/{claim['id']}", {"metadata": {"n": str(number)}})
    first = api.get(f"/v1/claims/{claim['id']}/events", limit=2).json
    second = api.get(f"/v1/claims/{claim['id']}/events", limit=2, cursor=first["next_cursor"]).json
    third = api.get(f"/v1/claims/{claim['id']}/events", limit=2, cursor=second["next_cursor"]).json
    events = first["data"] + second["data"] + third["data"]
    assert [e["type"] for e in events] == ["claim.created"] + ["claim.updated"] * 4
    assert [e["data"]["claim"]["metadata"].get("n") for e in events[1:]] == ["0", "1", "2", "3"]
    assert third["has_more"] is False


def test_idempotent_replay_and_key_reuse(api: Api) -> None:
    body = claim_body()
    first = api.post("/v1/claims", body, **{"Idempotency-Key": "order-4711"})
    replay = api.post("/v1/claims", body, **{"Idempotency-Key": "order-4711"})
    assert first.status_code == replay.status_code == 201
    assert replay.json == first.json
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = api.post("/v1/claims", {**body, "amount": 999}, **{"Idempotency-Key": "order-4711"})
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    matching = api.get("/v1/claims", external_reference=body["external_reference"]).json["data"]
    assert len(matching) == 1


def test_validation_failure_does_not_burn_the_idempotency_key(api: Api) -> None:
    body = claim_body()
    bad = api.post("/v1/claims", {**body, "currency": "EURO"}, **{"Idempotency-Key": "retry-me"})
    assert bad.status_code == 400
    good = api.post("/v1/claims", body, **{"Idempotency-Key": "retry-me"})
    assert good.status_code == 201


def test_idempotency_keys_are_scoped_per_creditor(app: Flask, api: Api) -> None:
    other = Api(app.test_client(), new_creditor(app))
    mine = api.post("/v1/claims", claim_body(), **{"Idempotency-Key": "same-key"})
    theirs = other.post("/v1/claims", claim_body(), **{"Idempotency-Key": "same-key"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json["id"] != theirs.json["id"]


def test_openapi_document_lists_every_operation(api: Api) -> None:
    document = api.client.get("/v1/openapi.json").json
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == {
        "createClaim",
        "listClaims",
        "createClaimBatch",
        "getClaim",
        "updateClaim",
        "cancelClaim",
        "listClaimEvents",
        "createWebhookEndpoint",
        "listWebhookEndpoints",
        "getWebhookEndpoint",
        "updateWebhookEndpoint",
        "deleteWebhookEndpoint",
        "rotateWebhookSecret",
        "listWebhookAttempts",
        "listEvents",
        "getEvent",
        "resendEvent",
        "reportBankTransaction",
        "importBankStatement",
        "createExperiment",
        "listExperiments",
        "getExperiment",
        "stopExperiment",
    }
    schemas = document["components"]["schemas"]
    assert "amount" in schemas["ClaimCreateParams"]["required"]
    assert schemas["ClaimCreateParams"]["properties"]["external_reference"]["description"].startswith("The creditor")
