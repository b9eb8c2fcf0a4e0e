"""One HTTP client per send unless the caller lends one: channels are built per creditor and dropped,
so a client kept in the channel would leave its sockets for the garbage collector to close."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def http_client(lent: httpx.Client | None, timeout: float) -> Iterator[httpx.Client]:
    """The lent client (its owner closes it), or a fresh one closed after the block."""
    if lent is not None:
        yield lent
        return
    with httpx.Client(timeout=timeout) as client:
        yield client
