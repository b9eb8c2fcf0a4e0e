"""The transport core shared by `Client` and `AsyncClient`: configuration, headers, retries, parsing.

Everything that decides something (which URL, which headers, whether and how long to wait before a
retry, how to read an answer) lives in `BaseClient` and is plain synchronous code; the sync and async
subclasses only run the loop and do the IO.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from inkasso._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InkassoError,
    make_status_error,
)
from inkasso._response import record_response
from inkasso._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAPIClient",
    "BaseClient",
    "NotGiven",
    "SyncAPIClient",
    "TimeoutTypes",
]

log = logging.getLogger("inkasso")

DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RETRIES: Final = 2
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0

API_KEY_ENV: Final = "INKASSO_API_KEY"
BASE_URL_ENV: Final = "INKASSO_BASE_URL"

_KEY_PREFIXES = ("sk_test_", "sk_live_")

# Transport failures where the request may not have reached the API, or its answer got lost: retrying is
# safe because every POST carries an idempotency key. A malformed URL or header is not among them.
_RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)

_HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)

TimeoutTypes = float | httpx.Timeout
ModelT = TypeVar("ModelT", bound=BaseModel)


class NotGiven:
    """Marks an argument that was left out, where None would be a meaningful value."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


@dataclass(frozen=True)
class _RequestOptions:
    method: str
    path: str
    params: Mapping[str, str | int] | None
    body: Any
    idempotency_key: str | None


class BaseClient:
    """Configuration and the decisions of the request loop, without IO."""

    base_url: str
    timeout: TimeoutTypes
    max_retries: int

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        if not key:
            raise InkassoError(
                f"No API key: pass api_key= to the client or set the {API_KEY_ENV} environment variable."
            )
        url = base_url if base_url is not None else os.environ.get(BASE_URL_ENV)
        url = (url or DEFAULT_BASE_URL).rstrip("/")
        if httpx.URL(url).scheme not in ("http", "https"):
            raise InkassoError(f"base_url must start with http:// or https://, not {url!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InkassoError(f"max_retries must be an integer >= 0, not {max_retries!r}")
        self._api_key = key
        self.base_url = url
        self.timeout = timeout
        self.max_retries = max_retries
        # Jitter is not a secret; tests replace it to get deterministic delays.
        self._random: Callable[[], float] = random.random  # noqa: S311

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key={_redact(self._api_key)!r})"

    # ---------------------------------------------------------------------------------- building requests

    def _options(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | None] | None,
        body: Any,
        idempotency_key: str | None,
    ) -> _RequestOptions:
        # The key is fixed once, before the first attempt, so that every retry is recognised as the same
        # operation by the API and can never create a second claim.
        if method == "POST" and idempotency_key is None:
            idempotency_key = f"ikey_{uuid.uuid4().hex}"
        clean_params = {k: v for k, v in params.items() if v is not None} if params else None
        return _RequestOptions(method, path, clean_params, body, idempotency_key)

    def _headers(self, options: _RequestOptions, attempt: int) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "User-Agent": f"inkasso-python/{__version__}",
            "Accept": "application/json",
            "X-Inkasso-Retry-Count": str(attempt),
        }
        if options.idempotency_key is not None:
            headers["Idempotency-Key"] = options.idempotency_key
        return headers

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, options: _RequestOptions, attempt: int
    ) -> httpx.Request:
        return http.build_request(
            options.method,
            self.base_url + options.path,
            params=options.params,
            json=options.body,
            headers=self._headers(options, attempt),
            timeout=self.timeout,
        )

    # ------------------------------------------------------------------------------------------- retries

    def _delay_after_transport_error(self, exc: httpx.TransportError, request: httpx.Request, attempt: int) -> float:
        """How long to wait before the next attempt; raises when there is none."""
        error: APIConnectionError
        if isinstance(exc, httpx.TimeoutException):
            error = APITimeoutError(f"{request.method} {request.url.path} timed out.", request=request)
        else:
            error = APIConnectionError(f"Connection error: {exc or type(exc).__name__}", request=request)
        if attempt >= self.max_retries or not isinstance(exc, _RETRYABLE_TRANSPORT_ERRORS):
            raise error from exc
        return self._log_retry(request, attempt, self._backoff(attempt), type(exc).__name__)

    def _delay_after_error_status(self, response: httpx.Response, attempt: int) -> float:
        """How long to wait before the next attempt; raises the status error when there is none."""
        error = make_status_error(response)
        if attempt >= self.max_retries or not _is_retryable(error):
            raise error
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"), now=time.time())
        delay = self._backoff(attempt) if retry_after is None else min(retry_after, MAX_RETRY_AFTER)
        return self._log_retry(response.request, attempt, delay, f"{response.status_code} {error.code or ''}")

    def _backoff(self, attempt: int) -> float:
        # Full jitter: clients that failed together do not come back together.
        return self._random() * min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2.0**attempt)

    def _log_retry(self, request: httpx.Request, attempt: int, delay: float, reason: str) -> float:
        log.info(
            "retrying %s %s in %.2f s (retry %d of %d) after %s",
            request.method,
            request.url.path,
            delay,
            attempt + 1,
            self.max_retries,
            reason.strip(),
        )
        return delay

    # ------------------------------------------------------------------------------------------- answers

    def _parse(self, response: httpx.Response, cast_to: type[ModelT]) -> ModelT:
        try:
            data = response.json()
        except ValueError as exc:
            raise APIError(
                f"The API answered {response.status_code} with a body that is not JSON{_request_id_suffix(response)}.",
                request=response.request,
            ) from exc
        try:
            parsed = cast_to.model_validate(data)
        except ValidationError as exc:
            raise APIError(
                f"The API's answer is not a valid {cast_to.__name__}{_request_id_suffix(response)}: {exc}",
                request=response.request,
            ) from exc
        record_response(response)
        return parsed


class SyncAPIClient(BaseClient):
    """The blocking request loop over an `httpx.Client`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=_resolve_timeout(timeout, http_client),
            max_retries=max_retries,
        )
        self._owns_http_client = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()
        self._sleep: Callable[[float], None] = time.sleep

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> Self:
        """A copy with some settings changed, sharing this client's connection pool.

        ```python
        patient = client.with_options(timeout=120, max_retries=5)
        ```
        """
        clone = type(self)(
            api_key=api_key if api_key is not None else self._api_key,
            base_url=base_url if base_url is not None else self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=max_retries if max_retries is not None else self.max_retries,
            http_client=self._http,
        )
        # Copies share the pool and its ownership: closing any of them closes the pool.
        clone._owns_http_client = self._owns_http_client
        clone._sleep = self._sleep
        clone._random = self._random
        return clone

    def close(self) -> None:
        """Close the connection pool, unless it was passed in as `http_client=` (then it is yours)."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[ModelT],
        params: Mapping[str, str | int | None] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> ModelT:
        options = self._options(method, path, params=params, body=body, idempotency_key=idempotency_key)
        attempt = 0
        while True:
            request = self._build_request(self._http, options, attempt)
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                delay = self._delay_after_transport_error(exc, request, attempt)
            else:
                if response.is_success:
                    return self._parse(response, cast_to)
                delay = self._delay_after_error_status(response, attempt)
            self._sleep(delay)
            attempt += 1


class AsyncAPIClient(BaseClient):
    """The asyncio request loop over an `httpx.AsyncClient`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=_resolve_timeout(timeout, http_client),
            max_retries=max_retries,
        )
        self._owns_http_client = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> Self:
        """A copy with some settings changed, sharing this client's connection pool.

        ```python
        patient = client.with_options(timeout=120, max_retries=5)
        ```
        """
        clone = type(self)(
            api_key=api_key if api_key is not None else self._api_key,
            base_url=base_url if base_url is not None else self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=max_retries if max_retries is not None else self.max_retries,
            http_client=self._http,
        )
        clone._owns_http_client = self._owns_http_client
        clone._sleep = self._sleep
        clone._random = self._random
        return clone

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in as `http_client=` (then it is yours)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[ModelT],
        params: Mapping[str, str | int | None] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> ModelT:
        options = self._options(method, path, params=params, body=body, idempotency_key=idempotency_key)
        attempt = 0
        while True:
            request = self._build_request(self._http, options, attempt)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                delay = self._delay_after_transport_error(exc, request, attempt)
            else:
                if response.is_success:
                    return self._parse(response, cast_to)
                delay = self._delay_after_error_status(response, attempt)
            await self._sleep(delay)
            attempt += 1


def _resolve_timeout(
    timeout: TimeoutTypes | NotGiven, http_client: httpx.Client | httpx.AsyncClient | None
) -> TimeoutTypes:
    if not isinstance(timeout, NotGiven):
        return timeout
    if http_client is not None and http_client.timeout != _HTTPX_DEFAULT_TIMEOUT:
        # A client passed in with a timeout of its own keeps it; one left at httpx's 5 s default gets ours.
        return http_client.timeout
    return DEFAULT_TIMEOUT


def _is_retryable(error: APIStatusError) -> bool:
    status = error.status_code
    if status == 409:
        # Only "still being processed" is transient; a reused key or a duplicate will not go away.
        return error.code == "idempotency_key_in_use"
    return status in (408, 429) or status >= 500


def _retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """`Retry-After` as seconds to wait: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000": an HTTP date is in GMT by definition
            when = when.replace(tzinfo=dt.UTC)
        seconds = when.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _redact(api_key: str) -> str:
    for prefix in _KEY_PREFIXES:
        if api_key.startswith(prefix):
            return f"{prefix}***"
    return "***"


def _request_id_suffix(response: httpx.Response) -> str:
    request_id = response.headers.get("Request-Id")
    return f" (request id: {request_id})" if request_id else ""
