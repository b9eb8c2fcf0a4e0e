"""Events: everything that happened to your claims, kept at least 30 days (`/v1/events`).

The same events are delivered to webhook endpoints; `resend` delivers one again, for example after an
endpoint was down longer than the retries last.
"""

from __future__ import annotations

from functools import cached_property

from inkasso._pagination import AsyncPaginator, SyncPaginator
from inkasso._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from inkasso._serialize import body_of, path_segment
from inkasso.resources._resource import AsyncAPIResource, SyncAPIResource
from inkasso.types import Event, EventResend, EventType, ListPage

__all__ = ["AsyncEvents", "AsyncEventsWithRawResponse", "Events", "EventsWithRawResponse"]

_EVENTS = "/v1/events"


def _event_path(event_id: str, suffix: str = "") -> str:
    return f"{_EVENTS}/{path_segment(event_id)}{suffix}"


def _list_filters(*, limit: int | None, type: EventType | None, claim_id: str | None) -> dict[str, str | int | None]:
    return {"limit": limit, "type": type, "claim_id": claim_id}


class Events(SyncAPIResource):
    """`client.events`: what happened to your claims, and redelivery to webhook endpoints."""

    def list(
        self,
        *,
        limit: int | None = None,
        type: EventType | None = None,
        claim_id: str | None = None,
    ) -> SyncPaginator[Event]:
        """Events, newest first (`GET /v1/events`), fetched page by page as you iterate.

        ```python
        for event in client.events.list(type="claim.paid"):
            print(event.created_at, event.claim_id)
        ```
        """
        filters = _list_filters(limit=limit, type=type, claim_id=claim_id)

        def fetch(cursor: str | None) -> ListPage[Event]:
            params = {**filters, "cursor": cursor}
            return self._client._request("GET", _EVENTS, cast_to=ListPage[Event], params=params)

        return SyncPaginator(fetch)

    def get(self, id: str) -> Event:
        """Fetch one event (`GET /v1/events/{id}`).

        ```python
        event = client.events.get("evt_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        print(event.type, event.data["claim"]["state"])
        ```
        """
        return self._client._request("GET", _event_path(id), cast_to=Event)

    def resend(self, id: str, *, endpoint: str, idempotency_key: str | None = None) -> EventResend:
        """Deliver an event to an endpoint again (`POST /v1/events/{id}/resend`).

        The delivery is queued and carries the same `webhook-id` as before, so a receiver that already
        has the event drops it as a duplicate.

        ```python
        for event in client.events.list(claim_id="clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB"):
            client.events.resend(event.id, endpoint="whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return self._client._request(
            "POST",
            _event_path(id, "/resend"),
            cast_to=EventResend,
            body=body_of(endpoint=endpoint),
            idempotency_key=idempotency_key,
        )

    @cached_property
    def with_raw_response(self) -> EventsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result."""
        return EventsWithRawResponse(self)


class AsyncEvents(AsyncAPIResource):
    """`client.events` of the `AsyncClient`."""

    def list(
        self,
        *,
        limit: int | None = None,
        type: EventType | None = None,
        claim_id: str | None = None,
    ) -> AsyncPaginator[Event]:
        """Events, newest first, fetched page by page. Not a coroutine: iterate it with `async for`.

        ```python
        async for event in client.events.list(type="claim.paid"):
            print(event.claim_id)
        ```
        """
        filters = _list_filters(limit=limit, type=type, claim_id=claim_id)

        async def fetch(cursor: str | None) -> ListPage[Event]:
            params = {**filters, "cursor": cursor}
            return await self._client._request("GET", _EVENTS, cast_to=ListPage[Event], params=params)

        return AsyncPaginator(fetch)

    async def get(self, id: str) -> Event:
        """Fetch one event (`GET /v1/events/{id}`).

        ```python
        event = await client.events.get("evt_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request("GET", _event_path(id), cast_to=Event)

    async def resend(self, id: str, *, endpoint: str, idempotency_key: str | None = None) -> EventResend:
        """Deliver an event to an endpoint again (`POST /v1/events/{id}/resend`), with the same `webhook-id`.

        ```python
        await client.events.resend("evt_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", endpoint="whe_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request(
            "POST",
            _event_path(id, "/resend"),
            cast_to=EventResend,
            body=body_of(endpoint=endpoint),
            idempotency_key=idempotency_key,
        )

    @cached_property
    def with_raw_response(self) -> AsyncEventsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result."""
        return AsyncEventsWithRawResponse(self)


class EventsWithRawResponse:
    """`client.events.with_raw_response`: the single-request methods, returning `APIResponse[...]`."""

    def __init__(self, events: Events) -> None:
        self.get = to_raw_response_wrapper(events.get)
        self.resend = to_raw_response_wrapper(events.resend)


class AsyncEventsWithRawResponse:
    """`client.events.with_raw_response` of the `AsyncClient`."""

    def __init__(self, events: AsyncEvents) -> None:
        self.get = async_to_raw_response_wrapper(events.get)
        self.resend = async_to_raw_response_wrapper(events.resend)
