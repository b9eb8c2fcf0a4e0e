"""Hand over many claims at once with the asynchronous client: batches of 100, sent concurrently.

    export INKASSO_API_KEY=sk_test_...   # make demo prints one
    python examples/async_batch.py 250

Each batch goes to `POST /v1/claims/batch` with `partial=True` (the valid claims are stored, the invalid
ones reported) and an idempotency key derived from the invoice numbers in it: running the script again, or
the SDK retrying a batch after a lost connection, replays the stored answer instead of creating the claims
twice. The batches run concurrently with `asyncio.gather`; `max_concurrency` caps how many are in flight.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from typing import Any

import inkasso
from inkasso.types import BatchResult

BATCH_SIZE = 100


def invoices(count: int, prefix: str = "ASYNC") -> list[dict[str, Any]]:
    """`count` overdue invoices as the shop's system would export them."""
    today = dt.date.today()
    return [
        {
            "external_reference": f"{prefix}-{number:05d}",
            "amount": 1_000 + 37 * number,
            "currency": "EUR",
            "invoice_date": (today - dt.timedelta(days=45)).isoformat(),
            "due_date": (today - dt.timedelta(days=31)).isoformat(),
            "description": f"Order {prefix}-{number:05d}",
            "debtor": {
                "name": f"Customer {number}",
                "email": f"customer{number}@example.de",
                "country": "DE",
                "language": "de",
            },
            "metadata": {"order_no": f"{prefix}-{number:05d}"},
        }
        for number in range(1, count + 1)
    ]


def batch_key(batch: Sequence[dict[str, Any]]) -> str:
    """An idempotency key for a batch: the same invoices give the same key, on every run."""
    references = "\n".join(claim["external_reference"] for claim in batch)
    return "batch:" + hashlib.sha256(references.encode("utf-8")).hexdigest()[:32]


async def submit_all(
    client: inkasso.AsyncClient,
    claims: Sequence[dict[str, Any]],
    *,
    batch_size: int = BATCH_SIZE,
    max_concurrency: int = 4,
) -> list[BatchResult]:
    """Submit `claims` in batches of `batch_size`, concurrently; the results in the order of the batches."""
    batches = [claims[start : start + batch_size] for start in range(0, len(claims), batch_size)]
    gate = asyncio.Semaphore(max_concurrency)

    async def submit(batch: Sequence[dict[str, Any]]) -> BatchResult:
        async with gate:
            return await client.claims.submit_batch(claims=batch, partial=True, idempotency_key=batch_key(batch))

    return list(await asyncio.gather(*(submit(batch) for batch in batches)))


async def run(count: int) -> int:
    async with inkasso.AsyncClient() as client:  # INKASSO_API_KEY and INKASSO_BASE_URL from the environment
        results = await submit_all(client, invoices(count))
    created = failed = 0
    for number, result in enumerate(results, start=1):
        for item in result.results:
            if item.status == "created":
                created += 1
            else:
                failed += 1
                message = item.error.message if item.error else "?"
                print(f"batch {number}, claim {item.index}: {message}", file=sys.stderr)
    print(f"batches: {len(results)}, created: {created}, failed: {failed}")
    return 0 if failed == 0 else 1


def main(argv: list[str]) -> int:
    return asyncio.run(run(int(argv[1]) if len(argv) > 1 else 250))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
