"""`/v1/experiments` through the Flask test client: create, replay, list, report, stop, bad input,
and tenant isolation."""

from __future__ import annotations

from flask import Flask

from tests.factories import new_creditor
from tests.functional.conftest import Api

CHALLENGER = {"strategy": "nl"}


def test_create_returns_the_experiment_with_its_plan_and_report(api: Api) -> None:
    response = api.post(
        "/v1/experiments",
        {
            "name": "Dutch flow for German consumers",
            "challenger": CHALLENGER,
            "segment": {"countries": ["de"], "debtor_types": ["person"], "amount_bands": ["50-250"]},
            "challenger_percent": 30,
            "minimum_detectable_effect": 0.1,
            "baseline_rate": 0.4,
        },
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"].startswith("exp_") and body["object"] == "experiment" and body["status"] == "running"
    assert body["champion"] == {"strategy": "country", "definition": None}
    assert body["challenger"] == {"strategy": "nl", "definition": None}
    assert body["segment"] == {"countries": ["DE"], "debtor_types": ["person"], "amount_bands": ["50-250"]}
    report = body["report"]
    assert report["decision"] == "continue"
    assert report["sample_size_per_arm"] == 388  # 40 % against 50 %, alpha 0.05, power 0.8
    assert [arm["claims"] for arm in report["arms"]] == [0, 0]


def test_the_same_idempotency_key_replays_the_same_experiment(api: Api) -> None:
    body = {"name": "replayed", "challenger": CHALLENGER}
    first = api.post("/v1/experiments", body, **{"Idempotency-Key": "exp-key-1"})
    again = api.post("/v1/experiments", body, **{"Idempotency-Key": "exp-key-1"})
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.post("/v1/experiments", {**body, "name": "changed"}, **{"Idempotency-Key": "exp-key-1"})
    assert other.status_code == 409 and other.json["error"]["code"] == "idempotency_key_reused"


def test_list_newest_first_without_reports_and_filter_by_status(api: Api) -> None:
    ids = [api.post("/v1/experiments", {"name": f"e{n}", "challenger": CHALLENGER}).json["id"] for n in range(3)]
    api.post(f"/v1/experiments/{ids[0]}/stop")
    listed = api.get("/v1/experiments", limit=2)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json["data"]] == [ids[2], ids[1]]
    assert listed.json["has_more"] is True and all(item["report"] is None for item in listed.json["data"])
    following = api.get("/v1/experiments", limit=2, cursor=listed.json["next_cursor"]).json["data"]
    assert following[0]["id"] == ids[0]
    stopped = api.get("/v1/experiments", status="stopped").json["data"]
    assert ids[0] in [item["id"] for item in stopped] and ids[1] not in [item["id"] for item in stopped]
    assert api.get("/v1/experiments", status="paused").status_code == 400


def test_stop_records_the_reason_once(api: Api) -> None:
    experiment = api.post("/v1/experiments", {"name": "to stop", "challenger": CHALLENGER}).json
    stopped = api.post(f"/v1/experiments/{experiment['id']}/stop", {"reason": "budget"})
    assert stopped.status_code == 200
    assert stopped.json["status"] == "stopped" and stopped.json["stop_reason"] == "budget"
    assert stopped.json["stopped_at"] is not None and stopped.json["report"] is not None
    again = api.post(f"/v1/experiments/{experiment['id']}/stop")
    assert again.status_code == 409 and again.json["error"]["code"] == "experiment_stopped"
    fetched = api.get(f"/v1/experiments/{experiment['id']}").json
    assert fetched["status"] == "stopped" and fetched["report"]["decision"] == "continue"


def test_bad_input_gets_a_specific_error(api: Api) -> None:
    cases = [
        ({"name": "x"}, "challenger"),
        ({"name": "x", "challenger": {}}, "challenger"),
        ({"name": "x", "challenger": {"strategy": "nl", "definition": {}}}, "challenger"),
        ({"name": "x", "challenger": {"strategy": "mars"}}, "challenger.strategy"),
        (
            {"name": "x", "challenger": {"definition": {"id": "d", "steps": [], "final_day": 3}}},
            "challenger.definition.steps",
        ),
        ({"name": "x", "challenger": CHALLENGER, "challenger_percent": 100}, "challenger_percent"),
        ({"name": "x", "challenger": CHALLENGER, "segment": {"countries": ["XX"]}}, "segment.countries.0"),
        ({"name": "x", "challenger": CHALLENGER, "colour": "red"}, "colour"),
        ({"name": "x", "challenger": {"strategy": "country"}}, "challenger"),
    ]
    for body, param in cases:
        response = api.post("/v1/experiments", body)
        assert response.status_code == 400, (body, response.json)
        error = response.json["error"]
        assert error["type"] == "invalid_request_error"
        assert error["param"] == param, (body, error)
        assert error["message"]


def test_another_creditors_experiment_is_not_found(app: Flask, api: Api) -> None:
    experiment = api.post("/v1/experiments", {"name": "mine", "challenger": CHALLENGER}).json
    stranger = Api(app.test_client(), new_creditor(app, "Stranger GmbH"))
    for response in (
        stranger.get(f"/v1/experiments/{experiment['id']}"),
        stranger.post(f"/v1/experiments/{experiment['id']}/stop"),
    ):
        assert response.status_code == 404 and response.json["error"]["code"] == "resource_missing"
    assert experiment["id"] not in [item["id"] for item in stranger.get("/v1/experiments").json["data"]]
    live = Api(app.test_client(), api.creditor, live=True)
    assert live.get(f"/v1/experiments/{experiment['id']}").status_code == 404


def test_the_openapi_document_describes_the_experiment_routes(api: Api) -> None:
    document = api.get("/v1/openapi.json").json
    assert {"post", "get"} <= set(document["paths"]["/v1/experiments"])
    assert "get" in document["paths"]["/v1/experiments/{experiment_id}"]
    assert "post" in document["paths"]["/v1/experiments/{experiment_id}/stop"]
    assert "Experiment" in document["components"]["schemas"]
