"""Each API key has a token bucket; past it the API answers 429 with Retry-After."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_app
from tests.factories import new_creditor
from tests.functional.conftest import Api


def test_burst_then_429_with_retry_after(sqlite_url: str, tmp_path: Path) -> None:
    app = build_app(sqlite_url, tmp_path, rate_limit=1, rate_limit_burst=3)
    api = Api(app.test_client(), new_creditor(app))
    statuses = [api.get("/v1/claims").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/v1/claims")
    assert limited.json["error"]["code"] == "rate_limited"
    assert limited.json["error"]["type"] == "rate_limit_error"
    assert int(limited.headers["Retry-After"]) >= 1
    other = Api(app.test_client(), new_creditor(app))
    assert other.get("/v1/claims").status_code == 200
