"""Claims per second for single `POST /v1/claims` calls over HTTP, beside a bare Flask JSON endpoint.

Both run in one gunicorn (2 sync workers) in the same run, driven by the same client threads with
keep-alive connections, so the ratio shows what the claims API costs over the cheapest Flask view.

    .venv/bin/python bench/api_submit.py [--seconds 10] [--threads 4] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import postgres_available, serve  # noqa: E402

_counter = itertools.count()


def claim_body() -> dict[str, object]:
    return {
        "external_reference": f"BENCH-{next(_counter):08d}",
        "amount": 12_345,
        "currency": "EUR",
        "invoice_date": "2026-09-01",
        "due_date": "2026-09-15",
        "description": "Order 4711",
        "debtor": {
            "name": "Erika Mustermann",
            "email": "erika@example.de",
            "phone": "+4915112345678",
            "country": "DE",
            "address": {"line1": "Heidestraße 17", "postal_code": "51147", "city": "Köln", "country": "DE"},
        },
    }


def drive(url: str, headers: dict[str, str], path: str, seconds: float, threads: int) -> tuple[float, list[float], int]:
    """Requests per second, latencies in ms and failures, from `threads` keep-alive clients."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker() -> None:
        local: list[float] = []
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = client.post(path, json=claim_body())
                local.append((time.perf_counter() - started) * 1000)
                if response.status_code != 201:
                    with lock:
                        failures[0] += 1
        with lock:
            latencies.extend(local)

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies) / (time.monotonic() - started), latencies, failures[0]


def report(name: str, result: tuple[float, list[float], int]) -> None:
    rate, latencies, failures = result
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<28} {rate:8.0f} req/s   p50 {quantiles[49]:6.1f} ms   p99 {quantiles[98]:6.1f} ms   errors {failures}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default=None)
    args = parser.parse_args(argv)
    kind = args.database or ("postgresql" if postgres_available() else "sqlite")
    with serve(kind) as server:
        auth = {"Authorization": f"Bearer {server.api_key}"}
        # Warm up both paths so imports and connection pools are not measured.
        warm: Callable[[str], object] = lambda path: drive(server.url, auth, path, 1, 1)  # noqa: E731
        warm("/bare/echo")
        warm("/v1/claims")
        bare = drive(server.url, auth, "/bare/echo", args.seconds, args.threads)
        claims = drive(server.url, auth, "/v1/claims", args.seconds, args.threads)
    print(f"gunicorn 2 sync workers, {args.threads} client threads, {args.seconds:.0f} s each, database {kind}")
    report("bare Flask JSON endpoint", bare)
    report("POST /v1/claims", claims)
    print(f"ratio claims/bare: {claims[0] / bare[0]:.2f}")


if __name__ == "__main__":
    main()
