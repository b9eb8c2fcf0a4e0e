"""`POST /v1/claims/batch`: all or nothing by default, partial on request, per-item results."""

from __future__ import annotations

from tests.factories import claim_body, debtor
from tests.functional.conftest import Api


def _batch(bad_at: set[int], size: int = 5) -> list[dict[str, object]]:
    return [claim_body(debtor=debtor(email="broken@")) if index in bad_at else claim_body() for index in range(size)]


def test_all_or_nothing_rejects_whole_batch_and_names_each_bad_row(api: Api) -> None:
    claims = _batch({1, 3})
    response = api.post("/v1/claims/batch", {"claims": claims})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "batch_rejected"
    assert "2 of 5 claims are invalid; nothing was stored" in error["message"]
    assert [(item["index"], item["param"]) for item in error["items"]] == [(1, "debtor.email"), (3, "debtor.email")]
    assert api.get("/v1/claims").json["data"] == []


def test_partial_stores_the_valid_rows(api: Api) -> None:
    claims = _batch({2})
    response = api.post("/v1/claims/batch", {"claims": claims, "partial": True})
    assert response.status_code == 200, response.json
    result = response.json
    assert (result["created"], result["failed"]) == (4, 1)
    assert [item["status"] for item in result["results"]] == ["created", "created", "failed", "created", "created"]
    assert result["results"][2]["error"]["param"] == "debtor.email"
    stored = {claim["external_reference"] for claim in api.get("/v1/claims", limit=100).json["data"]}
    assert stored == {claims[i]["external_reference"] for i in (0, 1, 3, 4)}


def test_duplicates_inside_the_batch_and_against_stored_claims(api: Api) -> None:
    existing = claim_body()
    api.post("/v1/claims", existing)
    fresh = claim_body()
    claims = [fresh, {**claim_body(), "external_reference": fresh["external_reference"]}, existing]
    response = api.post("/v1/claims/batch", {"claims": claims, "partial": True})
    assert response.json["created"] == 1
    errors = {item["index"]: item["error"]["message"] for item in response.json["results"] if item.get("error")}
    assert "appears already at index 0" in errors[1]
    assert "exists already" in errors[2]


def test_batch_replays_with_its_idempotency_key(api: Api) -> None:
    body = {"claims": _batch({0}, size=3), "partial": True}
    first = api.post("/v1/claims/batch", body, **{"Idempotency-Key": "batch-1"})
    again = api.post("/v1/claims/batch", body, **{"Idempotency-Key": "batch-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert len(api.get("/v1/claims").json["data"]) == 2


def test_batch_limits(api: Api) -> None:
    too_many = api.post("/v1/claims/batch", {"claims": [claim_body() for _ in range(1001)]})
    assert too_many.status_code in (400, 413)
    assert api.post("/v1/claims/batch", {"claims": []}).json["error"]["param"] == "claims"
    assert api.post("/v1/claims/batch", {"claims": [claim_body()], "extra": 1}).json["error"]["param"] == "extra"
    assert api.post("/v1/claims/batch", {"claims": [claim_body()], "partial": "yes"}).json["error"]["param"] == (
        "partial"
    )


def test_a_full_batch_of_1000_is_accepted(api: Api) -> None:
    claims = [claim_body(description=None, metadata={}) for _ in range(1000)]
    response = api.post("/v1/claims/batch", {"claims": claims})
    assert response.status_code == 200, response.json
    assert response.json["created"] == 1000
