"""The client's configuration, the requests each resource method sends, errors, and pagination."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from typing import Any

import httpx
import inkasso
import pytest
from inkasso.types import AddressParams, Claim, DebtorParams, LineItemParams

DEBTOR = {"name": "Max Muster", "email": "max@example.com", "country": "DE"}


def claim_json(number: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"clm_{number:026d}",
        "object": "claim",
        "livemode": False,
        "state": "open",
        "external_reference": f"INV-{number}",
        "amount": 12345,
        "currency": "EUR",
        "balance": {"principal": 12345, "interest": 0, "fees": 0, "paid": 0, "outstanding": 12345},
        "debtor": {"id": "dbt_1", "type": "person", "name": "Max Muster", "country": "DE"},
        "invoice_date": "2026-10-01",
        "due_date": "2026-10-15",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
        **changes,
    }


def event_json(number: int) -> dict[str, Any]:
    return {
        "id": f"evt_{number:026d}",
        "object": "event",
        "type": "claim.created",
        "claim_id": "clm_1",
        "livemode": False,
        "api_version": "2026-11-01",
        "created_at": "2026-11-01T10:00:00Z",
    }


class Recorder:
    """A transport answering with one fixed response (or a function of the request), recording requests."""

    def __init__(self, answer: httpx.Response | Any) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, httpx.Response):
            return self.answer
        response: httpx.Response = self.answer(request)
        return response

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def make_client(recorder: Recorder, **options: Any) -> inkasso.Client:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    return inkasso.Client(api_key="sk_test_k3y", base_url="http://api.test", http_client=http, **options)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKASSO_API_KEY", raising=False)
    monkeypatch.delenv("INKASSO_BASE_URL", raising=False)


# ------------------------------------------------------------------------------------------- configuration


def test_arguments_beat_environment_which_beats_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert inkasso.Client(api_key="sk_test_a").base_url == "http://127.0.0.1:8000"

    monkeypatch.setenv("INKASSO_API_KEY", "sk_test_from_env")
    monkeypatch.setenv("INKASSO_BASE_URL", "https://env.example/")
    from_env = inkasso.Client()
    assert from_env.base_url == "https://env.example"
    assert from_env._api_key == "sk_test_from_env"

    explicit = inkasso.Client(api_key="sk_test_arg", base_url="https://arg.example")
    assert explicit.base_url == "https://arg.example"
    assert explicit._api_key == "sk_test_arg"


def test_defaults_for_timeout_and_retries() -> None:
    client = inkasso.Client(api_key="sk_test_a")
    assert client.timeout == 30.0
    assert client.max_retries == 2


def test_missing_api_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(inkasso.InkassoError, match="INKASSO_API_KEY"):
        inkasso.Client()
    monkeypatch.setenv("INKASSO_API_KEY", "")
    with pytest.raises(inkasso.InkassoError, match="INKASSO_API_KEY"):
        inkasso.AsyncClient()


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(inkasso.InkassoError, match="base_url"):
        inkasso.Client(api_key="sk_test_a", base_url="ftp://example.com")
    with pytest.raises(inkasso.InkassoError, match="max_retries"):
        inkasso.Client(api_key="sk_test_a", max_retries=-1)


@pytest.mark.parametrize(
    ("key", "shown"),
    [("sk_test_51Hsecretpart", "sk_test_***"), ("sk_live_51Hsecretpart", "sk_live_***"), ("other51Hsecretpart", "***")],
)
def test_repr_never_shows_the_key(key: str, shown: str) -> None:
    for client in (inkasso.Client(api_key=key), inkasso.AsyncClient(api_key=key)):
        text = repr(client)
        assert "51Hsecretpart" not in text
        assert f"api_key='{shown}'" in text
        assert "base_url='http://127.0.0.1:8000'" in text


def test_every_request_carries_the_standard_headers() -> None:
    recorder = Recorder(httpx.Response(200, json=claim_json()))
    client = make_client(recorder)

    client.claims.get("clm_1")

    headers = recorder.last.headers
    assert headers["Authorization"] == "Bearer sk_test_k3y"
    assert headers["User-Agent"] == f"inkasso-python/{inkasso.__version__}"
    assert headers["Accept"] == "application/json"
    assert recorder.last.url == "http://api.test/v1/claims/clm_1"


def test_timeout_is_sent_with_each_request_and_with_options_overrides_it() -> None:
    recorder = Recorder(httpx.Response(200, json=claim_json()))
    client = make_client(recorder, timeout=12.5)

    client.claims.get("clm_1")
    client.with_options(timeout=httpx.Timeout(3.0, connect=1.0)).claims.get("clm_1")

    first, second = (request.extensions["timeout"] for request in recorder.requests)
    assert first == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}
    assert second == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_a_given_http_client_keeps_its_own_timeout_and_stays_open() -> None:
    http = httpx.Client(timeout=7.0)
    with inkasso.Client(api_key="sk_test_a", http_client=http) as client:
        assert client.timeout == httpx.Timeout(7.0)
    assert not http.is_closed
    http.close()


def test_a_given_http_client_at_the_httpx_default_timeout_gets_the_sdk_default() -> None:
    with httpx.Client() as http:
        assert inkasso.Client(api_key="sk_test_a", http_client=http).timeout == 30.0


def test_with_options_shares_the_pool_and_keeps_the_other_settings() -> None:
    client = inkasso.Client(api_key="sk_test_a", base_url="https://one.example", max_retries=4)
    copy = client.with_options(base_url="https://two.example")

    assert copy._http is client._http
    assert copy.base_url == "https://two.example"
    assert copy.max_retries == 4
    assert copy._api_key == "sk_test_a"
    assert isinstance(copy, inkasso.Client)
    assert copy.claims is not client.claims

    with client:
        pass
    assert client._http.is_closed


def test_async_client_context_manager_closes_its_own_pool() -> None:
    async def scenario() -> httpx.AsyncClient:
        async with inkasso.AsyncClient(api_key="sk_test_a") as client:
            copy = client.with_options(max_retries=0)
            assert copy._http is client._http
            return client._http

    assert asyncio.run(scenario()).is_closed


# ----------------------------------------------------------------------------------------------- claims


def test_submit_sends_the_wire_fields_with_dates_as_iso_strings() -> None:
    recorder = Recorder(httpx.Response(201, json=claim_json()))
    client = make_client(recorder)

    claim = client.claims.submit(
        external_reference="INV-1",
        amount=12345,
        currency="EUR",
        invoice_date=dt.date(2026, 10, 1),
        due_date="2026-10-15",
        debtor=DEBTOR,
        line_items=[{"description": "Shoes", "unit_amount": 12345}],
        metadata={"order": "4711"},
    )

    assert isinstance(claim, inkasso.types.Claim)
    assert claim.balance.outstanding == 12345
    assert recorder.last.method == "POST"
    assert recorder.last.url.path == "/v1/claims"
    assert recorder.last.headers["Content-Type"] == "application/json"
    assert recorder.body() == {
        "external_reference": "INV-1",
        "amount": 12345,
        "currency": "EUR",
        "invoice_date": "2026-10-01",
        "due_date": "2026-10-15",
        "debtor": DEBTOR,
        "line_items": [{"description": "Shoes", "unit_amount": 12345}],
        "metadata": {"order": "4711"},
    }


def test_typed_params_send_only_the_fields_that_were_set() -> None:
    recorder = Recorder(httpx.Response(201, json=claim_json()))
    client = make_client(recorder)
    debtor = DebtorParams(
        name="Max Muster",
        country="DE",
        date_of_birth=dt.date(1980, 2, 29),
        address=AddressParams(line1="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE"),
    )

    client.claims.submit(
        external_reference="INV-1",
        amount=200,
        currency="EUR",
        invoice_date="2026-10-01",
        due_date="2026-10-15",
        debtor=debtor,
        line_items=[LineItemParams(description="Socks", quantity=2, unit_amount=100)],
    )

    body = recorder.body()
    assert body["debtor"] == {
        "name": "Max Muster",
        "country": "DE",
        "date_of_birth": "1980-02-29",
        "address": {"line1": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    }
    assert body["line_items"] == [{"description": "Socks", "quantity": 2, "unit_amount": 100}]
    assert "description" not in body and "fees" not in body


def test_submit_does_not_validate_client_side() -> None:
    answer = {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_invalid",
            "param": "debtor.email",
            "message": "debtor.email: 'x@' is not a valid e-mail address",
            "request_id": "req_9",
        }
    }
    recorder = Recorder(httpx.Response(400, json=answer, headers={"Request-Id": "req_9"}))
    client = make_client(recorder)

    with pytest.raises(inkasso.BadRequestError) as caught:
        client.claims.submit(
            external_reference="INV-1",
            amount=1,
            currency="EUR",
            invoice_date="2026-10-01",
            due_date="2026-10-15",
            debtor={"name": "M", "email": "x@", "country": "DE"},
        )

    assert len(recorder.requests) == 1
    exc = caught.value
    assert (exc.code, exc.param, exc.request_id, exc.type) == (
        "parameter_invalid",
        "debtor.email",
        "req_9",
        "invalid_request_error",
    )
    assert str(exc) == "400 parameter_invalid: debtor.email: 'x@' is not a valid e-mail address (request id: req_9)"
    assert exc.body == answer
    assert exc.response.status_code == 400


def test_get_quotes_the_id_and_refuses_an_empty_one() -> None:
    recorder = Recorder(httpx.Response(200, json=claim_json()))
    client = make_client(recorder)

    client.claims.get("clm_1/../x")

    assert recorder.last.url.raw_path == b"/v1/claims/clm_1%2F..%2Fx"
    with pytest.raises(ValueError, match="non-empty"):
        client.claims.get("")
    assert len(recorder.requests) == 1


def test_cancel_and_update() -> None:
    recorder = Recorder(httpx.Response(200, json=claim_json(state="cancelled")))
    client = make_client(recorder)

    cancelled = client.claims.cancel("clm_1", reason="paid directly")
    client.claims.update("clm_1", debtor={"email": None, "phone": "+4915112345678"}, metadata={"old": None})
    client.claims.update("clm_1", metadata={"crm": "C-1"})

    assert cancelled.state == "cancelled"
    cancel, update, metadata_only = recorder.requests
    assert (cancel.method, cancel.url.path) == ("POST", "/v1/claims/clm_1/cancel")
    assert recorder.body(0) == {"reason": "paid directly"}
    assert cancel.headers["Idempotency-Key"].startswith("ikey_")
    assert (update.method, update.url.path) == ("PATCH", "/v1/claims/clm_1")
    assert "Idempotency-Key" not in update.headers
    assert recorder.body(1) == {"debtor": {"email": None, "phone": "+4915112345678"}, "metadata": {"old": None}}
    assert recorder.body(2) == {"metadata": {"crm": "C-1"}}


def test_rejected_batch_raises_with_items() -> None:
    answer = {
        "error": {
            "type": "invalid_request_error",
            "code": "batch_rejected",
            "message": "2 claims are invalid",
            "request_id": "req_b",
            "items": [
                {"index": 0, "code": "parameter_invalid", "message": "amount: must be > 0", "param": "amount"},
                {"index": 3, "code": "parameter_missing", "message": "debtor: is required", "param": "debtor"},
            ],
        }
    }
    recorder = Recorder(httpx.Response(422, json=answer))
    client = make_client(recorder)

    with pytest.raises(inkasso.UnprocessableEntityError) as caught:
        client.claims.submit_batch(claims=[{"external_reference": "A"}], idempotency_key="batch-1")

    exc = caught.value
    assert exc.code == "batch_rejected"
    assert exc.items is not None
    assert [(item.index, item.param) for item in exc.items] == [(0, "amount"), (3, "debtor")]
    assert "claims[3]: debtor: is required" in str(exc)
    assert recorder.body() == {"claims": [{"external_reference": "A"}], "partial": False}
    assert recorder.last.headers["Idempotency-Key"] == "batch-1"
    assert recorder.last.url.path == "/v1/claims/batch"


def test_partial_batch_returns_the_result() -> None:
    answer = {
        "object": "batch_result",
        "created": 1,
        "failed": 1,
        "results": [
            {"index": 0, "status": "created", "claim": claim_json()},
            {"index": 1, "status": "failed", "error": {"index": 1, "code": "parameter_invalid", "message": "bad"}},
        ],
    }
    recorder = Recorder(httpx.Response(200, json=answer))
    client = make_client(recorder)

    result = client.claims.submit_batch(claims=[{}, {}], partial=True)

    assert (result.created, result.failed) == (1, 1)
    assert result.results[0].claim is not None and result.results[0].claim.id == claim_json()["id"]
    assert recorder.body()["partial"] is True


def test_raw_response_exposes_the_replay_header() -> None:
    recorder = Recorder(
        httpx.Response(201, json=claim_json(), headers={"Idempotent-Replayed": "true", "Request-Id": "req_r"})
    )
    client = make_client(recorder)

    response = client.claims.with_raw_response.submit(
        external_reference="INV-1",
        amount=1,
        currency="EUR",
        invoice_date="2026-10-01",
        due_date="2026-10-15",
        debtor=DEBTOR,
    )

    assert response.idempotent_replayed is True
    assert response.request_id == "req_r"
    assert response.status_code == 201
    assert response.parse().external_reference == "INV-1"


def test_an_answer_that_is_not_a_claim_raises_api_error() -> None:
    recorder = Recorder(httpx.Response(200, json={"id": "clm_1"}))
    client = make_client(recorder)

    with pytest.raises(inkasso.APIError, match="not a valid Claim"):
        client.claims.get("clm_1")


# ------------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, inkasso.BadRequestError),
        (413, inkasso.BadRequestError),
        (415, inkasso.BadRequestError),
        (401, inkasso.AuthenticationError),
        (403, inkasso.PermissionDeniedError),
        (404, inkasso.NotFoundError),
        (409, inkasso.ConflictError),
        (422, inkasso.UnprocessableEntityError),
        (429, inkasso.RateLimitError),
        (500, inkasso.InternalServerError),
        (503, inkasso.InternalServerError),
    ],
)
def test_status_to_exception_class(status: int, exception: type[inkasso.APIStatusError]) -> None:
    assert inkasso._exceptions.status_error_class(status) is exception
    assert issubclass(exception, inkasso.APIStatusError)
    assert issubclass(exception, inkasso.APIError)


def test_unmapped_status_is_a_plain_status_error() -> None:
    assert inkasso._exceptions.status_error_class(418) is inkasso.APIStatusError


def test_an_error_page_that_is_not_json_still_gives_a_useful_error() -> None:
    recorder = Recorder(httpx.Response(502, text="<html>Bad gateway</html>", headers={"Request-Id": "req_p"}))
    client = make_client(recorder, max_retries=0)

    with pytest.raises(inkasso.InternalServerError) as caught:
        client.claims.get("clm_1")

    exc = caught.value
    assert exc.body is None
    assert exc.code is None
    assert exc.request_id == "req_p"
    assert str(exc) == "502: Bad Gateway (request id: req_p)"


def test_error_tree() -> None:
    assert issubclass(inkasso.APITimeoutError, inkasso.APIConnectionError)
    assert issubclass(inkasso.APIConnectionError, inkasso.APIError)
    assert issubclass(inkasso.APIError, inkasso.InkassoError)
    assert issubclass(inkasso.WebhookVerificationError, inkasso.InkassoError)
    assert not issubclass(inkasso.WebhookVerificationError, inkasso.APIError)


# -------------------------------------------------------------------------------------------- pagination


def three_pages(request: httpx.Request) -> httpx.Response:
    pages = {None: ([1, 2], "c1"), "c1": ([3, 4], "c2"), "c2": ([5], None)}
    numbers, cursor = pages[request.url.params.get("cursor")]
    body = {
        "object": "list",
        "data": [claim_json(n) for n in numbers],
        "has_more": cursor is not None,
        "next_cursor": cursor,
    }
    return httpx.Response(200, json=body)


def test_list_walks_all_pages_lazily_with_the_filters() -> None:
    recorder = Recorder(three_pages)
    client = make_client(recorder)

    paginator = client.claims.list(state="open", limit=2, country="DE", created_gte=dt.date(2026, 1, 1))
    assert recorder.requests == []

    references = [claim.external_reference for claim in paginator]

    assert references == ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"]
    assert [request.url.params.get("cursor") for request in recorder.requests] == [None, "c1", "c2"]
    first = recorder.requests[0].url.params
    assert (first["state"], first["limit"], first["country"], first["created_gte"]) == ("open", "2", "DE", "2026-01-01")
    assert "external_reference" not in first


def test_iteration_stops_fetching_when_the_caller_stops() -> None:
    recorder = Recorder(three_pages)
    client = make_client(recorder)

    first_three = list(itertools.islice(client.claims.list(), 3))

    assert [claim.external_reference for claim in first_three] == ["INV-1", "INV-2", "INV-3"]
    assert len(recorder.requests) == 2


def test_page_by_page_access() -> None:
    recorder = Recorder(three_pages)
    client = make_client(recorder)

    page: inkasso.SyncPage[Claim] | None = client.claims.list().first_page()
    sizes = []
    while page is not None:
        sizes.append(len(page.data))
        page = page.next_page()

    assert sizes == [2, 2, 1]
    assert [len(p) for p in client.claims.list().iter_pages()] == [2, 2, 1]


def test_events_paginate() -> None:
    def events(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        body = {
            "object": "list",
            "data": [event_json(1 if cursor is None else 2)],
            "has_more": cursor is None,
            "next_cursor": "e1" if cursor is None else None,
        }
        return httpx.Response(200, json=body)

    recorder = Recorder(events)
    client = make_client(recorder)

    ids = [event.id for event in client.claims.events("clm_1", limit=1)]

    assert ids == [event_json(1)["id"], event_json(2)["id"]]
    assert recorder.requests[0].url.path == "/v1/claims/clm_1/events"
    assert recorder.requests[0].url.params["limit"] == "1"


def test_async_list_walks_all_pages() -> None:
    recorder = Recorder(three_pages)
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    client = inkasso.AsyncClient(api_key="sk_test_k3y", base_url="http://api.test", http_client=http)

    async def scenario() -> tuple[list[str], list[int]]:
        async with http:
            references = [claim.external_reference async for claim in client.claims.list(state="open")]
            sizes = []
            page: inkasso.AsyncPage[Claim] | None = await client.claims.list().first_page()
            while page is not None:
                sizes.append(len(page.data))
                page = await page.next_page()
            return references, sizes

    references, sizes = asyncio.run(scenario())

    assert references == ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"]
    assert sizes == [2, 2, 1]
    assert [request.url.params.get("cursor") for request in recorder.requests[:3]] == [None, "c1", "c2"]


def test_async_resource_methods() -> None:
    recorder = Recorder(httpx.Response(200, json=claim_json(), headers={"Idempotent-Replayed": "true"}))
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    client = inkasso.AsyncClient(api_key="sk_test_k3y", base_url="http://api.test", http_client=http)

    async def scenario() -> bool:
        async with http:
            await client.claims.get("clm_1")
            await client.claims.cancel("clm_1", reason="r")
            await client.claims.update("clm_1", metadata={"a": "b"})
            raw = await client.claims.with_raw_response.submit(
                external_reference="INV-1",
                amount=1,
                currency="EUR",
                invoice_date="2026-10-01",
                due_date="2026-10-15",
                debtor=DEBTOR,
            )
            return raw.idempotent_replayed

    assert asyncio.run(scenario()) is True
    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("GET", "/v1/claims/clm_1"),
        ("POST", "/v1/claims/clm_1/cancel"),
        ("PATCH", "/v1/claims/clm_1"),
        ("POST", "/v1/claims"),
    ]
