"""Auto-paginating iterators over the API's cursor lists.

A list method returns a paginator at once, without a request. Iterating it fetches page after page,
following `next_cursor`, only as far as you read; every new iteration starts again at the first page.

```python
for claim in client.claims.list(state="open"):            # every open claim, all pages
    print(claim.id)

async for claim in async_client.claims.list(state="open"):  # no await before list(): it is not a coroutine
    print(claim.id)
```

For page-by-page control:

```python
for page in client.claims.list(limit=100).iter_pages():
    handle(page.data)

page = client.claims.list(limit=100).first_page()  # or one step at a time
if page.has_next_page():
    following = page.next_page()
```
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from inkasso.types import ListPage

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage", "SyncPaginator"]

T = TypeVar("T")

SyncFetch = Callable[[str | None], ListPage[T]]
AsyncFetch = Callable[[str | None], Awaitable[ListPage[T]]]


class _PageBase(Generic[T]):
    def __init__(self, page: ListPage[T]) -> None:
        self.data: list[T] = page.data
        """The items on this page."""
        self.has_more: bool = page.has_more
        self.next_cursor: str | None = page.next_cursor
        """Pass as `cursor` to get the next page; opaque."""

    def has_next_page(self) -> bool:
        return self.has_more and self.next_cursor is not None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.data)} has_more={self.has_more}>"


class SyncPage(_PageBase[T]):
    """One page of a list.

    ```python
    page = client.claims.list(limit=50).first_page()
    print(len(page.data), page.has_more)
    ```
    """

    def __init__(self, page: ListPage[T], fetch: SyncFetch[T]) -> None:
        super().__init__(page)
        self._fetch = fetch

    def __iter__(self) -> Iterator[T]:
        """The items on this page only."""
        return iter(self.data)

    def next_page(self) -> SyncPage[T] | None:
        """The following page, or None on the last one.

        ```python
        second = client.claims.list(limit=100).first_page().next_page()
        ```
        """
        if not self.has_next_page():
            return None
        return SyncPage(self._fetch(self.next_cursor), self._fetch)


class AsyncPage(_PageBase[T]):
    """One page of a list.

    ```python
    page = await client.claims.list(limit=50).first_page()
    print(len(page.data), page.has_more)
    ```
    """

    def __init__(self, page: ListPage[T], fetch: AsyncFetch[T]) -> None:
        super().__init__(page)
        self._fetch = fetch

    def __iter__(self) -> Iterator[T]:
        """The items on this page only (already fetched, so a plain iterator)."""
        return iter(self.data)

    async def next_page(self) -> AsyncPage[T] | None:
        """The following page, or None on the last one.

        ```python
        second = await (await client.claims.list(limit=100).first_page()).next_page()
        ```
        """
        if not self.has_next_page():
            return None
        return AsyncPage(await self._fetch(self.next_cursor), self._fetch)


class SyncPaginator(Generic[T]):
    """Every item of a list, fetched page by page as you iterate.

    ```python
    import itertools

    first_ten = list(itertools.islice(client.claims.list(state="open"), 10))
    ```
    """

    def __init__(self, fetch: SyncFetch[T]) -> None:
        self._fetch = fetch

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data

    def first_page(self) -> SyncPage[T]:
        """Fetch only the first page.

        ```python
        newest = client.claims.list(limit=10).first_page().data
        ```
        """
        return SyncPage(self._fetch(None), self._fetch)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """Every page, fetched as you iterate.

        ```python
        for page in client.claims.list(limit=100).iter_pages():
            crm.bulk_update(page.data)
        ```
        """
        page: SyncPage[T] | None = self.first_page()
        while page is not None:
            yield page
            page = page.next_page()


class AsyncPaginator(Generic[T]):
    """Every item of a list, fetched page by page as you iterate with `async for`.

    The list method that returns it is a plain method: do not `await` it.

    ```python
    async for claim in client.claims.list(state="open"):
        print(claim.id)
    ```
    """

    def __init__(self, fetch: AsyncFetch[T]) -> None:
        self._fetch = fetch

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item

    async def first_page(self) -> AsyncPage[T]:
        """Fetch only the first page.

        ```python
        newest = (await client.claims.list(limit=10).first_page()).data
        ```
        """
        return AsyncPage(await self._fetch(None), self._fetch)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """Every page, fetched as you iterate.

        ```python
        async for page in client.claims.list(limit=100).iter_pages():
            await crm.bulk_update(page.data)
        ```
        """
        page: AsyncPage[T] | None = await self.first_page()
        while page is not None:
            yield page
            page = await page.next_page()
