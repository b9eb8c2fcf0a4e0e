from __future__ import annotations

from flask import Flask

from tests.factories import claim_body
from tests.functional.conftest import Api


def test_metrics_count_claims_for_local_scrapers_only(app: Flask, api: Api) -> None:
    api.post("/v1/claims", claim_body())
    local = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert local.status_code == 200
    text = local.get_data(as_text=True)
    assert 'inkasso_claims{livemode="false",state="open"}' in text
    assert "inkasso_engine_lag_seconds" in text
    remote = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404
