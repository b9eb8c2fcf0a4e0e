"""Webhook endpoints: the URLs the service POSTs events to (`/v1/webhook_endpoints`).

The secret (`whsec_...`) is in the answers to `create` and `rotate_secret` only; store it where your
receiver can read it and hand it to `inkasso.webhooks.verify`. See `docs/webhooks.md` for the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Literal

from inkasso._base_client import NOT_GIVEN, NotGiven
from inkasso._pagination import AsyncPaginator, SyncPaginator
from inkasso._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from inkasso._serialize import body_of, body_of_given, path_segment
from inkasso.resources._resource import AsyncAPIResource, SyncAPIResource
from inkasso.types import DeletedObject, EventType, ListPage, WebhookAttempt, WebhookEndpoint
from inkasso.types.webhook_endpoints import EndpointStatus

__all__ = [
    "AsyncWebhookEndpoints",
    "AsyncWebhookEndpointsWithRawResponse",
    "WebhookEndpoints",
    "WebhookEndpointsWithRawResponse",
]

EventSelection = Sequence[EventType | Literal["*"]]
"""Event types to deliver, or `["*"]` for all."""

_ENDPOINTS = "/v1/webhook_endpoints"


def _endpoint_path(endpoint_id: str, suffix: str = "") -> str:
    return f"{_ENDPOINTS}/{path_segment(endpoint_id)}{suffix}"


class WebhookEndpoints(SyncAPIResource):
    """`client.webhook_endpoints`: where the service delivers events, and how that went."""

    def create(
        self,
        *,
        url: str,
        events: EventSelection | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> WebhookEndpoint:
        """Register a URL to receive events (`POST /v1/webhook_endpoints`).

        Without `events` the endpoint receives every event type (`["*"]`). The answer carries the
        signing secret, and only this answer: keep it.

        ```python
        endpoint = client.webhook_endpoints.create(
            url="https://shop.example/inkasso/webhooks",
            events=["claim.paid", "claim.payment_succeeded", "claim.cancelled"],
            description="order system",
        )
        save_secret(endpoint.secret)  # "whsec_..."
        ```
        """
        body = body_of(url=url, events=events, description=description)
        return self._client._request(
            "POST", _ENDPOINTS, cast_to=WebhookEndpoint, body=body, idempotency_key=idempotency_key
        )

    def get(self, id: str) -> WebhookEndpoint:
        """Fetch one endpoint (`GET /v1/webhook_endpoints/{id}`); the secret is not included.

        ```python
        endpoint = client.webhook_endpoints.get("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        print(endpoint.status, endpoint.disabled_reason)
        ```
        """
        return self._client._request("GET", _endpoint_path(id), cast_to=WebhookEndpoint)

    def list(self, *, limit: int | None = None) -> SyncPaginator[WebhookEndpoint]:
        """Endpoints, newest first (`GET /v1/webhook_endpoints`), fetched page by page as you iterate.

        ```python
        for endpoint in client.webhook_endpoints.list():
            print(endpoint.id, endpoint.url, endpoint.events)
        ```
        """

        def fetch(cursor: str | None) -> ListPage[WebhookEndpoint]:
            params = {"limit": limit, "cursor": cursor}
            return self._client._request("GET", _ENDPOINTS, cast_to=ListPage[WebhookEndpoint], params=params)

        return SyncPaginator(fetch)

    def update(
        self,
        id: str,
        *,
        url: str | NotGiven = NOT_GIVEN,
        events: EventSelection | NotGiven = NOT_GIVEN,
        description: str | None | NotGiven = NOT_GIVEN,
        status: EndpointStatus | NotGiven = NOT_GIVEN,
    ) -> WebhookEndpoint:
        """Change an endpoint (`PATCH /v1/webhook_endpoints/{id}`); only the arguments given are sent.

        `status="enabled"` resumes an endpoint that was disabled by hand or after 5 days of failed
        deliveries; `description=None` clears the description.

        ```python
        client.webhook_endpoints.update("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", status="enabled")
        ```
        """
        body = body_of_given(url=url, events=events, description=description, status=status)
        return self._client._request("PATCH", _endpoint_path(id), cast_to=WebhookEndpoint, body=body)

    def delete(self, id: str) -> DeletedObject:
        """Remove an endpoint (`DELETE /v1/webhook_endpoints/{id}`); deliveries to it stop.

        ```python
        deleted = client.webhook_endpoints.delete("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        assert deleted.deleted
        ```
        """
        return self._client._request("DELETE", _endpoint_path(id), cast_to=DeletedObject)

    def rotate_secret(self, id: str, *, idempotency_key: str | None = None) -> WebhookEndpoint:
        """Issue a new signing secret (`POST /v1/webhook_endpoints/{id}/rotate_secret`).

        For 24 hours deliveries are signed with the old and the new secret, so receivers can switch over
        without losing events: `inkasso.webhooks.verify(..., secret=[new, old])` accepts either.

        ```python
        endpoint = client.webhook_endpoints.rotate_secret("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        save_secret(endpoint.secret)
        ```
        """
        return self._client._request(
            "POST", _endpoint_path(id, "/rotate_secret"), cast_to=WebhookEndpoint, idempotency_key=idempotency_key
        )

    def attempts(self, id: str, *, limit: int | None = None) -> SyncPaginator[WebhookAttempt]:
        """The delivery log, newest first (`GET /v1/webhook_endpoints/{id}/attempts`), page by page.

        ```python
        for attempt in client.webhook_endpoints.attempts("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", limit=50):
            print(attempt.created_at, attempt.event_type, attempt.status_code, attempt.error)
        ```
        """
        path = _endpoint_path(id, "/attempts")

        def fetch(cursor: str | None) -> ListPage[WebhookAttempt]:
            params = {"limit": limit, "cursor": cursor}
            return self._client._request("GET", path, cast_to=ListPage[WebhookAttempt], params=params)

        return SyncPaginator(fetch)

    @cached_property
    def with_raw_response(self) -> WebhookEndpointsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result.

        ```python
        response = client.webhook_endpoints.with_raw_response.get("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        print(response.request_id, response.parse().url)
        ```
        """
        return WebhookEndpointsWithRawResponse(self)


class AsyncWebhookEndpoints(AsyncAPIResource):
    """`client.webhook_endpoints` of the `AsyncClient`."""

    async def create(
        self,
        *,
        url: str,
        events: EventSelection | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> WebhookEndpoint:
        """Register a URL to receive events (`POST /v1/webhook_endpoints`); the answer carries the secret.

        ```python
        endpoint = await client.webhook_endpoints.create(
            url="https://shop.example/inkasso/webhooks", events=["claim.paid"]
        )
        ```
        """
        body = body_of(url=url, events=events, description=description)
        return await self._client._request(
            "POST", _ENDPOINTS, cast_to=WebhookEndpoint, body=body, idempotency_key=idempotency_key
        )

    async def get(self, id: str) -> WebhookEndpoint:
        """Fetch one endpoint (`GET /v1/webhook_endpoints/{id}`); the secret is not included.

        ```python
        endpoint = await client.webhook_endpoints.get("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request("GET", _endpoint_path(id), cast_to=WebhookEndpoint)

    def list(self, *, limit: int | None = None) -> AsyncPaginator[WebhookEndpoint]:
        """Endpoints, newest first, fetched page by page. Not a coroutine: iterate it with `async for`.

        ```python
        async for endpoint in client.webhook_endpoints.list():
            print(endpoint.id, endpoint.url)
        ```
        """

        async def fetch(cursor: str | None) -> ListPage[WebhookEndpoint]:
            params = {"limit": limit, "cursor": cursor}
            return await self._client._request("GET", _ENDPOINTS, cast_to=ListPage[WebhookEndpoint], params=params)

        return AsyncPaginator(fetch)

    async def update(
        self,
        id: str,
        *,
        url: str | NotGiven = NOT_GIVEN,
        events: EventSelection | NotGiven = NOT_GIVEN,
        description: str | None | NotGiven = NOT_GIVEN,
        status: EndpointStatus | NotGiven = NOT_GIVEN,
    ) -> WebhookEndpoint:
        """Change an endpoint (`PATCH /v1/webhook_endpoints/{id}`); only the arguments given are sent.

        ```python
        await client.webhook_endpoints.update("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", status="enabled")
        ```
        """
        body = body_of_given(url=url, events=events, description=description, status=status)
        return await self._client._request("PATCH", _endpoint_path(id), cast_to=WebhookEndpoint, body=body)

    async def delete(self, id: str) -> DeletedObject:
        """Remove an endpoint (`DELETE /v1/webhook_endpoints/{id}`); deliveries to it stop.

        ```python
        await client.webhook_endpoints.delete("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request("DELETE", _endpoint_path(id), cast_to=DeletedObject)

    async def rotate_secret(self, id: str, *, idempotency_key: str | None = None) -> WebhookEndpoint:
        """Issue a new signing secret; the old one keeps signing too for 24 hours.

        ```python
        endpoint = await client.webhook_endpoints.rotate_secret("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request(
            "POST", _endpoint_path(id, "/rotate_secret"), cast_to=WebhookEndpoint, idempotency_key=idempotency_key
        )

    def attempts(self, id: str, *, limit: int | None = None) -> AsyncPaginator[WebhookAttempt]:
        """The delivery log, newest first, page by page. Not a coroutine: iterate it with `async for`.

        ```python
        async for attempt in client.webhook_endpoints.attempts("whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB"):
            print(attempt.status_code, attempt.error)
        ```
        """
        path = _endpoint_path(id, "/attempts")

        async def fetch(cursor: str | None) -> ListPage[WebhookAttempt]:
            params = {"limit": limit, "cursor": cursor}
            return await self._client._request("GET", path, cast_to=ListPage[WebhookAttempt], params=params)

        return AsyncPaginator(fetch)

    @cached_property
    def with_raw_response(self) -> AsyncWebhookEndpointsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result."""
        return AsyncWebhookEndpointsWithRawResponse(self)


class WebhookEndpointsWithRawResponse:
    """`client.webhook_endpoints.with_raw_response`: the single-request methods, returning `APIResponse`."""

    def __init__(self, endpoints: WebhookEndpoints) -> None:
        self.create = to_raw_response_wrapper(endpoints.create)
        self.get = to_raw_response_wrapper(endpoints.get)
        self.update = to_raw_response_wrapper(endpoints.update)
        self.delete = to_raw_response_wrapper(endpoints.delete)
        self.rotate_secret = to_raw_response_wrapper(endpoints.rotate_secret)


class AsyncWebhookEndpointsWithRawResponse:
    """`client.webhook_endpoints.with_raw_response` of the `AsyncClient`."""

    def __init__(self, endpoints: AsyncWebhookEndpoints) -> None:
        self.create = async_to_raw_response_wrapper(endpoints.create)
        self.get = async_to_raw_response_wrapper(endpoints.get)
        self.update = async_to_raw_response_wrapper(endpoints.update)
        self.delete = async_to_raw_response_wrapper(endpoints.delete)
        self.rotate_secret = async_to_raw_response_wrapper(endpoints.rotate_secret)
