from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import CreditorKeys, new_creditor


class Api:
    """The Flask test client with a creditor's key on every request."""

    def __init__(self, client: FlaskClient, creditor: CreditorKeys, live: bool = False) -> None:
        self.client = client
        self.creditor = creditor
        self.headers = creditor.headers(live)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(path, json=body, headers={**self.headers, **headers})

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(path, json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params, headers=self.headers)


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


@pytest.fixture
def api(app: Flask, creditor: CreditorKeys) -> Api:
    return Api(app.test_client(), creditor)
