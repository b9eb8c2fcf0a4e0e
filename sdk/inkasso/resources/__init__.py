"""One module per API resource, each with a sync and an async class."""

from inkasso.resources.claims import AsyncClaims, Claims
from inkasso.resources.events import AsyncEvents, Events
from inkasso.resources.experiments import AsyncExperiments, Experiments
from inkasso.resources.webhook_endpoints import AsyncWebhookEndpoints, WebhookEndpoints

__all__ = [
    "AsyncClaims",
    "AsyncEvents",
    "AsyncExperiments",
    "AsyncWebhookEndpoints",
    "Claims",
    "Events",
    "Experiments",
    "WebhookEndpoints",
]
