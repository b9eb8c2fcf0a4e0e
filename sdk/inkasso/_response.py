"""Access to the HTTP answer behind a parsed result: `client.claims.with_raw_response.submit(...)`.

Methods return parsed models; the few callers that need a header (`Idempotent-Replayed`, `Request-Id`)
wrap the same method instead of every method growing a second return shape. The answer travels through a
context variable, which is private to the calling thread and asyncio task.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Generic, ParamSpec, TypeVar

import httpx

__all__ = ["APIResponse", "async_to_raw_response_wrapper", "record_response", "to_raw_response_wrapper"]

T = TypeVar("T")
P = ParamSpec("P")

_captured: ContextVar[list[httpx.Response] | None] = ContextVar("inkasso_captured_response", default=None)


class APIResponse(Generic[T]):
    """A parsed result together with the HTTP answer it came from.

    ```python
    response = client.claims.with_raw_response.submit(**claim, idempotency_key="order-1")
    if response.idempotent_replayed:
        print("already submitted earlier:", response.parse().id)
    ```
    """

    def __init__(self, parsed: T, http_response: httpx.Response) -> None:
        self._parsed = parsed
        self.http_response = http_response

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def request_id(self) -> str | None:
        """The `Request-Id` header; quote it when you ask for help."""
        request_id: str | None = self.http_response.headers.get("Request-Id")
        return request_id

    @property
    def idempotent_replayed(self) -> bool:
        """True when the API answered from its idempotency store instead of acting again."""
        replayed: str = self.http_response.headers.get("Idempotent-Replayed", "")
        return replayed.lower() == "true"

    def parse(self) -> T:
        """The parsed result, as the plain method would have returned it."""
        return self._parsed

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {type(self._parsed).__name__}>"


def record_response(response: httpx.Response) -> None:
    """Hand a successful answer to the enclosing raw-response wrapper, if there is one."""
    slot = _captured.get()
    if slot is not None:
        slot.append(response)


def to_raw_response_wrapper(func: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        slot: list[httpx.Response] = []
        token = _captured.set(slot)
        try:
            parsed = func(*args, **kwargs)
        finally:
            _captured.reset(token)
        return APIResponse(parsed, slot[-1])

    return wrapped


def async_to_raw_response_wrapper(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[APIResponse[T]]]:
    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        slot: list[httpx.Response] = []
        token = _captured.set(slot)
        try:
            parsed = await func(*args, **kwargs)
        finally:
            _captured.reset(token)
        return APIResponse(parsed, slot[-1])

    return wrapped
