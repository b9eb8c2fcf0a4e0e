"""A creditor never sees another creditor's claims, and test keys never see live data: always 404."""

from __future__ import annotations

from flask import Flask

from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api


def test_creditor_b_cannot_touch_creditor_a_claims(app: Flask, api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    other = Api(app.test_client(), new_creditor(app, "Other Shop AG"))
    claim_path = f"/v1/claims/{claim['id']}"
    attempts = [
        other.get(claim_path),
        other.get(f"{claim_path}/events"),
        other.patch(claim_path, {"metadata": {"x": "y"}}),
        other.post(f"{claim_path}/cancel", {"reason": "mine now"}),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json["error"]["code"] == "resource_missing"
        assert "Erika" not in response.get_data(as_text=True)
    assert other.get("/v1/claims").json["data"] == []
    assert other.get("/v1/claims", external_reference=claim["external_reference"]).json["data"] == []
    after = api.get(claim_path).json
    assert after["state"] == "open"
    assert after["metadata"] == claim["metadata"]


def test_a_missing_claim_and_a_foreign_claim_look_the_same(app: Flask, api: Api) -> None:
    claim = api.post("/v1/claims", claim_body()).json
    other = Api(app.test_client(), new_creditor(app))
    foreign = other.get(f"/v1/claims/{claim['id']}").json["error"]
    missing = other.get("/v1/claims/clm_00000000000000000000000000").json["error"]
    assert (foreign["code"], foreign["message"].split(":")[0]) == (missing["code"], missing["message"].split(":")[0])


def test_test_and_live_data_are_apart(app: Flask, api: Api) -> None:
    live = Api(app.test_client(), api.creditor, live=True)
    test_claim = api.post("/v1/claims", claim_body()).json
    live_claim = live.post("/v1/claims", claim_body(external_reference=test_claim["external_reference"])).json
    assert test_claim["livemode"] is False and live_claim["livemode"] is True
    assert live.get(f"/v1/claims/{test_claim['id']}").status_code == 404
    assert api.get(f"/v1/claims/{live_claim['id']}").status_code == 404
    assert api.post(f"/v1/claims/{live_claim['id']}/cancel", {"reason": "x"}).status_code == 404
    assert [c["id"] for c in api.get("/v1/claims").json["data"]] == [test_claim["id"]]
    assert [c["id"] for c in live.get("/v1/claims").json["data"]] == [live_claim["id"]]
