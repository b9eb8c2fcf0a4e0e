"""The SDK against the real app, in-process and over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import inkasso
import pytest
from flask import Flask
from inkasso.types import Claim, ClaimCreateParams, DebtorParams

from tests.factories import CreditorKeys, claim_body, debtor, new_creditor
from tests.sdk.conftest import async_client


def submit(client: inkasso.Client, **overrides: Any) -> Claim:
    return client.claims.submit(**claim_body(**overrides))


def test_submit_and_get(client: inkasso.Client) -> None:
    claim = client.claims.submit(
        external_reference="SDK-INV-1",
        amount=12_990,
        currency="eur",
        invoice_date=dt.date(2026, 9, 1),
        due_date=dt.date(2026, 9, 15),
        debtor=DebtorParams(name="Max Mustermann", email="max@example.de", country="DE"),
        line_items=[{"description": "Shoes", "unit_amount": 12_990}],
        metadata={"order": "4711"},
    )
    assert isinstance(claim, Claim)
    assert claim.state == "open"
    assert claim.currency == "EUR"
    assert claim.balance.outstanding == 12_990
    assert claim.pay_url is not None and "/p/" in claim.pay_url
    assert client.claims.get(claim.id) == claim


def test_typed_params_model_is_accepted(client: inkasso.Client) -> None:
    params = ClaimCreateParams.model_validate(claim_body())
    claim = client.claims.submit(**params.model_dump())
    assert claim.external_reference == params.external_reference


def test_list_walks_three_pages(client: inkasso.Client) -> None:
    created = [submit(client).id for _ in range(7)]
    walked = [claim.id for claim in client.claims.list(limit=3)]
    assert walked == list(reversed(created))
    pages = list(client.claims.list(limit=3).iter_pages())
    assert [len(page) for page in pages] == [3, 3, 1]


def test_list_filters(client: inkasso.Client) -> None:
    keep = submit(client)
    gone = submit(client)
    client.claims.cancel(gone.id, reason="duplicate")
    assert [c.id for c in client.claims.list(state="open")] == [keep.id]
    assert [c.id for c in client.claims.list(external_reference=gone.external_reference)] == [gone.id]


def test_cancel_update_and_events(client: inkasso.Client) -> None:
    claim = submit(client)
    updated = client.claims.update(claim.id, debtor={"email": "new@example.de"}, metadata={"note": "moved"})
    assert updated.debtor.email == "new@example.de"
    assert updated.metadata["note"] == "moved"
    cancelled = client.claims.cancel(claim.id, reason="settled with the shop")
    assert cancelled.state == "cancelled"
    assert cancelled.pay_url is None
    assert [event.type for event in client.claims.events(claim.id)] == [
        "claim.created",
        "claim.updated",
        "claim.cancelled",
    ]
    with pytest.raises(inkasso.ConflictError) as caught:
        client.claims.cancel(claim.id, reason="again")
    assert caught.value.code == "invalid_state"


def test_batch_all_or_nothing_and_partial(client: inkasso.Client) -> None:
    good = [claim_body(), claim_body()]
    bad = claim_body(debtor=debtor(phone="0151 123"))
    with pytest.raises(inkasso.UnprocessableEntityError) as caught:
        client.claims.submit_batch(claims=[good[0], bad, good[1]])
    assert caught.value.code == "batch_rejected"
    assert [(item.index, item.param) for item in caught.value.items or []] == [(1, "debtor.phone")]
    assert list(client.claims.list()) == []
    result = client.claims.submit_batch(claims=[good[0], bad, good[1]], partial=True)
    assert (result.created, result.failed) == (2, 1)
    assert result.results[1].status == "failed"
    assert result.results[1].error is not None and result.results[1].error.param == "debtor.phone"
    assert {c.external_reference for c in client.claims.list()} == {b["external_reference"] for b in good}


def test_idempotent_replay_and_conflicting_reuse(client: inkasso.Client) -> None:
    body = claim_body()
    first = client.claims.submit(**body, idempotency_key="shop-order-77")
    again = client.claims.submit(**body, idempotency_key="shop-order-77")
    assert again == first
    with pytest.raises(inkasso.ConflictError) as caught:
        client.claims.submit(**{**body, "amount": 1}, idempotency_key="shop-order-77")
    assert caught.value.code == "idempotency_key_reused"
    assert caught.value.status_code == 409
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
    assert len(list(client.claims.list(external_reference=body["external_reference"]))) == 1


def test_errors_map_to_the_error_tree(client: inkasso.Client, app: Flask, base_url: str) -> None:
    with pytest.raises(inkasso.BadRequestError) as bad:
        submit(client, amount=12.5)
    assert bad.value.param == "amount"
    with pytest.raises(inkasso.NotFoundError):
        client.claims.get("clm_00000000000000000000000000")
    with pytest.raises(inkasso.AuthenticationError):
        client.with_options(api_key="sk_test_wrong").claims.get("clm_00000000000000000000000000")


def test_another_creditor_gets_not_found(client: inkasso.Client, app: Flask) -> None:
    claim = submit(client)
    other = client.with_options(api_key=new_creditor(app).test_key)
    with pytest.raises(inkasso.NotFoundError):
        other.claims.get(claim.id)
    with pytest.raises(inkasso.NotFoundError):
        other.claims.cancel(claim.id, reason="not mine")
    assert list(other.claims.list()) == []


def test_async_client_end_to_end(transport: str, app: Flask, creditor: CreditorKeys, base_url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], str]:
        async with async_client(transport, app, creditor.test_key, base_url) as client:
            created = [(await client.claims.submit(**claim_body())).id for _ in range(5)]
            walked = [claim.id async for claim in client.claims.list(limit=2)]
            cancelled = await client.claims.cancel(created[0], reason="async test")
            return created, walked, cancelled.state

    created, walked, state = asyncio.run(scenario())
    assert walked == list(reversed(created))
    assert state == "cancelled"
