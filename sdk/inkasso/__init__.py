"""The Python SDK of inkasso, digital debt collection.

```python
import inkasso

client = inkasso.Client()  # reads INKASSO_API_KEY
claim = client.claims.submit(
    external_reference="INV-2026-0042",
    amount=12345,  # minor units: 123.45 EUR
    currency="EUR",
    invoice_date="2026-10-01",
    due_date="2026-10-15",
    debtor={"name": "Max Muster", "email": "max@example.com", "country": "DE"},
)
```
"""

from inkasso import types, webhooks
from inkasso._base_client import NOT_GIVEN, NotGiven
from inkasso._client import AsyncClient, Client
from inkasso._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InkassoError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WebhookVerificationError,
)
from inkasso._pagination import AsyncPage, AsyncPaginator, SyncPage, SyncPaginator
from inkasso._response import APIResponse
from inkasso._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InkassoError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "SyncPage",
    "SyncPaginator",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "__version__",
    "types",
    "webhooks",
]
