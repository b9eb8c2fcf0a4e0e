"""Claims: overdue invoices handed over for collection (`/v1/claims`).

Keyword arguments mirror the wire fields of `inkasso.types.ClaimCreateParams` and friends. Nested objects
accept plain dicts or the typed params models; dates accept `datetime.date` or `"YYYY-MM-DD"`. Nothing is
validated here beyond building the JSON: the API checks every field and says which one is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from inkasso._pagination import AsyncPaginator, SyncPaginator
from inkasso._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from inkasso._serialize import body_of, path_segment, to_json
from inkasso.resources._resource import AsyncAPIResource, SyncAPIResource
from inkasso.types import (
    BatchResult,
    Claim,
    ClaimCreateParams,
    ClaimState,
    DebtorParams,
    DebtorUpdateParams,
    Event,
    FeeParams,
    LineItemParams,
    ListPage,
)

__all__ = ["AsyncClaims", "AsyncClaimsWithRawResponse", "Claims", "ClaimsWithRawResponse"]

DateLike = dt.date | str
TimestampLike = dt.datetime | dt.date | str


def _claim_path(claim_id: str, suffix: str = "") -> str:
    return f"/v1/claims/{path_segment(claim_id)}{suffix}"


def _list_params(
    *,
    limit: int | None,
    state: ClaimState | None,
    external_reference: str | None,
    country: str | None,
    created_gte: TimestampLike | None,
    created_lte: TimestampLike | None,
) -> dict[str, str | int | None]:
    return {
        "limit": limit,
        "state": state,
        "external_reference": external_reference,
        "country": country,
        "created_gte": to_json(created_gte),
        "created_lte": to_json(created_lte),
    }


def _claim_body(
    *,
    external_reference: str,
    debtor: DebtorParams | Mapping[str, Any],
    amount: int,
    currency: str,
    invoice_date: DateLike,
    due_date: DateLike,
    description: str | None,
    line_items: Sequence[LineItemParams | Mapping[str, Any]] | None,
    fees: Sequence[FeeParams | Mapping[str, Any]] | None,
    metadata: Mapping[str, str] | None,
) -> dict[str, Any]:
    return body_of(
        external_reference=external_reference,
        debtor=debtor,
        amount=amount,
        currency=currency,
        invoice_date=invoice_date,
        due_date=due_date,
        description=description,
        line_items=line_items,
        fees=fees,
        metadata=metadata,
    )


class Claims(SyncAPIResource):
    """`client.claims`: submit, read, correct and withdraw claims."""

    def submit(
        self,
        *,
        external_reference: str,
        debtor: DebtorParams | Mapping[str, Any],
        amount: int,
        currency: str,
        invoice_date: DateLike,
        due_date: DateLike,
        description: str | None = None,
        line_items: Sequence[LineItemParams | Mapping[str, Any]] | None = None,
        fees: Sequence[FeeParams | Mapping[str, Any]] | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Claim:
        """Hand over an overdue invoice for collection (`POST /v1/claims`).

        `amount` is an integer in minor units (`12345` with `EUR` is 123.45 €). Without `idempotency_key`
        a random one is used for this call and all its retries; pass your own (an order number) to make
        a repeated call after a crash return the first claim instead of failing or creating a second one.

        ```python
        claim = client.claims.submit(
            external_reference="INV-2026-0042",
            amount=12345,
            currency="EUR",
            invoice_date="2026-10-01",
            due_date="2026-10-15",
            debtor={"name": "Max Muster", "email": "max@example.com", "country": "DE"},
            idempotency_key="INV-2026-0042",
        )
        print(claim.id, claim.pay_url)
        ```
        """
        body = _claim_body(
            external_reference=external_reference,
            debtor=debtor,
            amount=amount,
            currency=currency,
            invoice_date=invoice_date,
            due_date=due_date,
            description=description,
            line_items=line_items,
            fees=fees,
            metadata=metadata,
        )
        return self._client._request("POST", "/v1/claims", cast_to=Claim, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> Claim:
        """Fetch one claim by its ID (`GET /v1/claims/{id}`).

        ```python
        claim = client.claims.get("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        print(claim.state, claim.balance.outstanding)
        ```
        """
        return self._client._request("GET", _claim_path(id), cast_to=Claim)

    def cancel(self, id: str, *, reason: str, idempotency_key: str | None = None) -> Claim:
        """Withdraw a claim (`POST /v1/claims/{id}/cancel`); collection stops at once.

        ```python
        claim = client.claims.cancel("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", reason="paid directly to us")
        assert claim.state == "cancelled"
        ```
        """
        return self._client._request(
            "POST",
            _claim_path(id, "/cancel"),
            cast_to=Claim,
            body=body_of(reason=reason),
            idempotency_key=idempotency_key,
        )

    def update(
        self,
        id: str,
        *,
        debtor: DebtorUpdateParams | Mapping[str, Any] | None = None,
        metadata: Mapping[str, str | None] | None = None,
    ) -> Claim:
        """Correct the debtor's contact data or change metadata (`PATCH /v1/claims/{id}`).

        Fields left out stay as they are; inside `debtor` a None clears a field, in `metadata` a None
        deletes the key. Amounts never change through this method.

        ```python
        claim = client.claims.update(
            "clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB",
            debtor={"email": "max.muster@example.com"},
            metadata={"crm_id": "C-77", "old_key": None},
        )
        ```
        """
        return self._client._request(
            "PATCH", _claim_path(id), cast_to=Claim, body=body_of(debtor=debtor, metadata=metadata)
        )

    def submit_batch(
        self,
        *,
        claims: Sequence[ClaimCreateParams | Mapping[str, Any]],
        partial: bool = False,
        idempotency_key: str | None = None,
    ) -> BatchResult:
        """Hand over up to 1,000 claims in one request (`POST /v1/claims/batch`).

        By default all or nothing: if one claim is invalid nothing is stored and
        `UnprocessableEntityError` is raised, its `.items` naming each failing claim by index. With
        `partial=True` the valid claims are stored and the result reports each one.

        ```python
        try:
            result = client.claims.submit_batch(claims=[claim_a, claim_b])
        except inkasso.UnprocessableEntityError as exc:
            for item in exc.items or []:
                print(item.index, item.param, item.message)
        ```
        """
        return self._client._request(
            "POST",
            "/v1/claims/batch",
            cast_to=BatchResult,
            body=body_of(claims=claims, partial=partial),
            idempotency_key=idempotency_key,
        )

    def events(self, id: str, *, limit: int | None = None) -> SyncPaginator[Event]:
        """The claim's timeline, oldest first (`GET /v1/claims/{id}/events`), fetched page by page.

        `limit` is the page size (1-100); iteration goes on over all pages.

        ```python
        for event in client.claims.events("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB"):
            print(event.created_at, event.type)
        ```
        """
        path = _claim_path(id, "/events")

        def fetch(cursor: str | None) -> ListPage[Event]:
            params = {"limit": limit, "cursor": cursor}
            return self._client._request("GET", path, cast_to=ListPage[Event], params=params)

        return SyncPaginator(fetch)

    def list(
        self,
        *,
        limit: int | None = None,
        state: ClaimState | None = None,
        external_reference: str | None = None,
        country: str | None = None,
        created_gte: TimestampLike | None = None,
        created_lte: TimestampLike | None = None,
    ) -> SyncPaginator[Claim]:
        """Claims, newest first (`GET /v1/claims`), fetched page by page as you iterate.

        `limit` is the page size (1-100, the API's default is 20); iteration goes on over all pages, so
        cut it with `itertools.islice` or `break`. No request is made until you iterate.

        ```python
        for claim in client.claims.list(state="open", country="DE"):
            print(claim.external_reference, claim.balance.outstanding)

        page = client.claims.list(limit=100).first_page()  # page by page instead
        ```
        """
        filters = _list_params(
            limit=limit,
            state=state,
            external_reference=external_reference,
            country=country,
            created_gte=created_gte,
            created_lte=created_lte,
        )

        def fetch(cursor: str | None) -> ListPage[Claim]:
            params = {**filters, "cursor": cursor}
            return self._client._request("GET", "/v1/claims", cast_to=ListPage[Claim], params=params)

        return SyncPaginator(fetch)

    @cached_property
    def with_raw_response(self) -> ClaimsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result.

        ```python
        response = client.claims.with_raw_response.submit(**fields, idempotency_key="INV-1")
        print(response.idempotent_replayed, response.request_id, response.parse().id)
        ```
        """
        return ClaimsWithRawResponse(self)


class AsyncClaims(AsyncAPIResource):
    """`client.claims` of the `AsyncClient`: submit, read, correct and withdraw claims."""

    async def submit(
        self,
        *,
        external_reference: str,
        debtor: DebtorParams | Mapping[str, Any],
        amount: int,
        currency: str,
        invoice_date: DateLike,
        due_date: DateLike,
        description: str | None = None,
        line_items: Sequence[LineItemParams | Mapping[str, Any]] | None = None,
        fees: Sequence[FeeParams | Mapping[str, Any]] | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Claim:
        """Hand over an overdue invoice for collection (`POST /v1/claims`).

        `amount` is an integer in minor units (`12345` with `EUR` is 123.45 €). Without `idempotency_key`
        a random one is used for this call and all its retries.

        ```python
        claim = await client.claims.submit(
            external_reference="INV-2026-0042",
            amount=12345,
            currency="EUR",
            invoice_date="2026-10-01",
            due_date="2026-10-15",
            debtor={"name": "Max Muster", "email": "max@example.com", "country": "DE"},
            idempotency_key="INV-2026-0042",
        )
        ```
        """
        body = _claim_body(
            external_reference=external_reference,
            debtor=debtor,
            amount=amount,
            currency=currency,
            invoice_date=invoice_date,
            due_date=due_date,
            description=description,
            line_items=line_items,
            fees=fees,
            metadata=metadata,
        )
        return await self._client._request(
            "POST", "/v1/claims", cast_to=Claim, body=body, idempotency_key=idempotency_key
        )

    async def get(self, id: str) -> Claim:
        """Fetch one claim by its ID (`GET /v1/claims/{id}`).

        ```python
        claim = await client.claims.get("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request("GET", _claim_path(id), cast_to=Claim)

    async def cancel(self, id: str, *, reason: str, idempotency_key: str | None = None) -> Claim:
        """Withdraw a claim (`POST /v1/claims/{id}/cancel`); collection stops at once.

        ```python
        claim = await client.claims.cancel("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", reason="paid directly to us")
        ```
        """
        return await self._client._request(
            "POST",
            _claim_path(id, "/cancel"),
            cast_to=Claim,
            body=body_of(reason=reason),
            idempotency_key=idempotency_key,
        )

    async def update(
        self,
        id: str,
        *,
        debtor: DebtorUpdateParams | Mapping[str, Any] | None = None,
        metadata: Mapping[str, str | None] | None = None,
    ) -> Claim:
        """Correct the debtor's contact data or change metadata (`PATCH /v1/claims/{id}`).

        ```python
        claim = await client.claims.update("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", metadata={"crm_id": "C-77"})
        ```
        """
        return await self._client._request(
            "PATCH", _claim_path(id), cast_to=Claim, body=body_of(debtor=debtor, metadata=metadata)
        )

    async def submit_batch(
        self,
        *,
        claims: Sequence[ClaimCreateParams | Mapping[str, Any]],
        partial: bool = False,
        idempotency_key: str | None = None,
    ) -> BatchResult:
        """Hand over up to 1,000 claims in one request (`POST /v1/claims/batch`).

        All or nothing unless `partial=True`; a rejected batch raises `UnprocessableEntityError` with
        `.items`.

        ```python
        result = await client.claims.submit_batch(claims=[claim_a, claim_b], partial=True)
        print(result.created, result.failed)
        ```
        """
        return await self._client._request(
            "POST",
            "/v1/claims/batch",
            cast_to=BatchResult,
            body=body_of(claims=claims, partial=partial),
            idempotency_key=idempotency_key,
        )

    def events(self, id: str, *, limit: int | None = None) -> AsyncPaginator[Event]:
        """The claim's timeline, oldest first, fetched page by page. Not a coroutine: do not await it.

        ```python
        async for event in client.claims.events("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB"):
            print(event.created_at, event.type)
        ```
        """
        path = _claim_path(id, "/events")

        async def fetch(cursor: str | None) -> ListPage[Event]:
            params = {"limit": limit, "cursor": cursor}
            return await self._client._request("GET", path, cast_to=ListPage[Event], params=params)

        return AsyncPaginator(fetch)

    def list(
        self,
        *,
        limit: int | None = None,
        state: ClaimState | None = None,
        external_reference: str | None = None,
        country: str | None = None,
        created_gte: TimestampLike | None = None,
        created_lte: TimestampLike | None = None,
    ) -> AsyncPaginator[Claim]:
        """Claims, newest first, fetched page by page. Not a coroutine: iterate it with `async for`.

        ```python
        async for claim in client.claims.list(state="open"):
            print(claim.external_reference)

        page = await client.claims.list(limit=100).first_page()  # page by page instead
        ```
        """
        filters = _list_params(
            limit=limit,
            state=state,
            external_reference=external_reference,
            country=country,
            created_gte=created_gte,
            created_lte=created_lte,
        )

        async def fetch(cursor: str | None) -> ListPage[Claim]:
            params = {**filters, "cursor": cursor}
            return await self._client._request("GET", "/v1/claims", cast_to=ListPage[Claim], params=params)

        return AsyncPaginator(fetch)

    @cached_property
    def with_raw_response(self) -> AsyncClaimsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result.

        ```python
        response = await client.claims.with_raw_response.submit(**fields, idempotency_key="INV-1")
        print(response.idempotent_replayed)
        ```
        """
        return AsyncClaimsWithRawResponse(self)


class ClaimsWithRawResponse:
    """`client.claims.with_raw_response`: the single-request methods, returning `APIResponse[...]`."""

    def __init__(self, claims: Claims) -> None:
        self.submit = to_raw_response_wrapper(claims.submit)
        self.get = to_raw_response_wrapper(claims.get)
        self.cancel = to_raw_response_wrapper(claims.cancel)
        self.update = to_raw_response_wrapper(claims.update)
        self.submit_batch = to_raw_response_wrapper(claims.submit_batch)


class AsyncClaimsWithRawResponse:
    """`client.claims.with_raw_response` of the `AsyncClient`."""

    def __init__(self, claims: AsyncClaims) -> None:
        self.submit = async_to_raw_response_wrapper(claims.submit)
        self.get = async_to_raw_response_wrapper(claims.get)
        self.cancel = async_to_raw_response_wrapper(claims.cancel)
        self.update = async_to_raw_response_wrapper(claims.update)
        self.submit_batch = async_to_raw_response_wrapper(claims.submit_batch)
