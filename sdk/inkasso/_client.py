"""`Client` and `AsyncClient`: the entry points, one property per API resource."""

from __future__ import annotations

from functools import cached_property

from inkasso._base_client import AsyncAPIClient, SyncAPIClient
from inkasso.resources.claims import AsyncClaims, Claims
from inkasso.resources.events import AsyncEvents, Events
from inkasso.resources.experiments import AsyncExperiments, Experiments
from inkasso.resources.webhook_endpoints import AsyncWebhookEndpoints, WebhookEndpoints

__all__ = ["AsyncClient", "Client"]


class Client(SyncAPIClient):
    """The blocking client.

    Settings come from the arguments, then the environment (`INKASSO_API_KEY`, `INKASSO_BASE_URL`), then
    the defaults (`http://127.0.0.1:8000`, a 30 s timeout, 2 retries).

    ```python
    import inkasso

    with inkasso.Client() as client:  # reads INKASSO_API_KEY
        claim = client.claims.get("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
    ```

    Arguments: `api_key`, `base_url`, `timeout` (seconds or an `httpx.Timeout`), `max_retries`, and
    `http_client`, an `httpx.Client` of your own (proxies, certificates); the SDK does not close it.
    """

    @cached_property
    def claims(self) -> Claims:
        """Submit, read, correct and withdraw claims."""
        return Claims(self)

    @cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        """Register, change and remove the URLs that receive events; read their delivery log."""
        return WebhookEndpoints(self)

    @cached_property
    def events(self) -> Events:
        """What happened to your claims; deliver an event to an endpoint again."""
        return Events(self)

    @cached_property
    def experiments(self) -> Experiments:
        """Champion/challenger experiments between two strategies, and their reports."""
        return Experiments(self)


class AsyncClient(AsyncAPIClient):
    """The asyncio client; the same settings as `Client`, with an `httpx.AsyncClient` as `http_client`.

    ```python
    import inkasso

    async with inkasso.AsyncClient() as client:
        claim = await client.claims.get("clm_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        async for event in client.claims.events(claim.id):  # no await: a paginator
            print(event.type)
    ```
    """

    @cached_property
    def claims(self) -> AsyncClaims:
        """Submit, read, correct and withdraw claims."""
        return AsyncClaims(self)

    @cached_property
    def webhook_endpoints(self) -> AsyncWebhookEndpoints:
        """Register, change and remove the URLs that receive events; read their delivery log."""
        return AsyncWebhookEndpoints(self)

    @cached_property
    def events(self) -> AsyncEvents:
        """What happened to your claims; deliver an event to an endpoint again."""
        return AsyncEvents(self)

    @cached_property
    def experiments(self) -> AsyncExperiments:
        """Champion/challenger experiments between two strategies, and their reports."""
        return AsyncExperiments(self)
