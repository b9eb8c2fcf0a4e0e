"""SDK clients wired to the real app: in-process (WSGI transport) and over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import inkasso
import pytest
from flask import Flask

from tests.conftest import Served
from tests.factories import CreditorKeys, new_creditor


class AsyncWSGITransport(httpx.AsyncBaseTransport):
    """Runs the sync WSGI transport in a thread so AsyncClient can talk to the app in-process."""

    def __init__(self, app: Flask) -> None:
        self._sync = httpx.WSGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await asyncio.to_thread(self._sync.handle_request, sync_request)
        content = await asyncio.to_thread(response.read)
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)


@pytest.fixture(params=["in_process", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


@pytest.fixture
def base_url(transport: str, app: Flask, request: pytest.FixtureRequest) -> str:
    if transport == "http":
        served: Served = request.getfixturevalue("served")
        return served.url
    return "http://inkasso.test"


@pytest.fixture
def client(transport: str, app: Flask, creditor: CreditorKeys, base_url: str) -> Iterator[inkasso.Client]:
    http = httpx.Client(transport=httpx.WSGITransport(app=app)) if transport == "in_process" else None
    with inkasso.Client(api_key=creditor.test_key, base_url=base_url, http_client=http) as sdk:
        yield sdk
    if http is not None:
        http.close()


def async_client(transport: str, app: Flask, key: str, base_url: str) -> inkasso.AsyncClient:
    http = httpx.AsyncClient(transport=AsyncWSGITransport(app)) if transport == "in_process" else None
    return inkasso.AsyncClient(api_key=key, base_url=base_url, http_client=http)
