"""One module per API resource, each with a sync and an async class."""

from inkasso.resources.claims import AsyncClaims, Claims

__all__ = ["AsyncClaims", "Claims"]
