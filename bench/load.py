"""A mixed load on the served app for a bounded time, beside the bare Flask JSON ceiling of the same run.

gunicorn with 2 sync workers on PostgreSQL (SQLite when no server is reachable); client threads draw
each request from the mix: SDK `claims.submit` 40 %, `claims.list` 30 %, pay page views (GET /p/<token>)
25 %, bank transaction reports that pay a claim in full 5 %. Pay page views rotate over many claims'
tokens and over many loopback source addresses, so the per-token (1/s, burst 60) and per-address limits
of the pay page are not what is measured; a 429 still counts as an error.

    .venv/bin/python bench/load.py [--seconds 20] [--threads 8] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import itertools
import logging
import queue
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import inkasso

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import postgres_available, serve  # noqa: E402
from bench.api_submit import claim_body, drive  # noqa: E402

MIX = (("submit", 40), ("list", 30), ("page", 25), ("bank", 5))
SEED_CLAIMS = 500
ADDRESSES = [f"127.0.{n // 250 + 1}.{n % 250 + 1}" for n in range(64)]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.samples: list[str] = []

    def add(self, kind: str, latencies: list[float], errors: int, samples: list[str]) -> None:
        with self.lock:
            self.latencies[kind].extend(latencies)
            self.errors[kind] += errors
            self.samples.extend(samples[: max(0, 5 - len(self.samples))])


def seed(base: str, headers: dict[str, str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Claims to view and to pay: their pay page paths and their bodies as rendered."""
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        response = client.post("/v1/claims/batch", json={"claims": [claim_body() for _ in range(SEED_CLAIMS)]})
        response.raise_for_status()
    rendered = [item["claim"] for item in response.json()["results"]]
    return ["/p/" + claim["pay_url"].rsplit("/p/", 1)[1] for claim in rendered], rendered


def run_mix(base: str, api_key: str, seconds: float, threads: int) -> tuple[float, Tally]:
    headers = {"Authorization": f"Bearer {api_key}"}
    pages, seeded = seed(base, headers)
    page_cycle = itertools.cycle(pages)
    to_pay: queue.Queue[dict[str, Any]] = queue.Queue()
    for claim in seeded:
        to_pay.put(claim)
    bank_ids = itertools.count()
    tally = Tally()
    stop = time.monotonic() + seconds
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]

    def worker(number: int) -> None:
        rng = random.Random(number)
        latencies: dict[str, list[float]] = collections.defaultdict(list)
        errors: collections.Counter[str] = collections.Counter()
        samples: list[str] = []
        api = httpx.Client(base_url=base, headers=headers, timeout=30)
        sdk = inkasso.Client(api_key=api_key, base_url=base, max_retries=0, http_client=api)
        browsers = [
            httpx.Client(base_url=base, timeout=30, transport=httpx.HTTPTransport(local_address=address))
            for address in ADDRESSES[number::threads]
        ]
        try:
            while time.monotonic() < stop:
                kind = rng.choices(kinds, weights)[0]
                started = time.perf_counter()
                try:
                    if kind == "submit":
                        claim = sdk.claims.submit(**claim_body())
                        to_pay.put(claim.model_dump(mode="json"))
                    elif kind == "list":
                        list(itertools.islice(sdk.claims.list(limit=20), 20))
                    elif kind == "page":
                        page = rng.choice(browsers).get(next(page_cycle), headers={"Accept-Language": "de"})
                        if page.status_code != 200:
                            raise RuntimeError(f"pay page answered {page.status_code}")
                    else:
                        claim = to_pay.get_nowait()
                        report = api.post(
                            "/v1/bank_transactions",
                            json={
                                "amount": claim["amount"],
                                "currency": claim["currency"],
                                "bank_reference": f"BANK-{number}-{next(bank_ids)}",
                                "reference": claim["transfer_reference"],
                                "booking_date": dt.date.today().isoformat(),
                            },
                        )
                        if report.status_code != 201 or report.json()["status"] != "booked":
                            raise RuntimeError(f"bank report answered {report.status_code}: {report.text[:200]}")
                except Exception as exc:  # noqa: BLE001 - every failure is counted, the run goes on
                    errors[kind] += 1
                    samples.append(f"{kind}: {exc!r}"[:300])
                latencies[kind].append((time.perf_counter() - started) * 1000)
        finally:
            for client in [api, *browsers]:
                client.close()
            for kind_done, values in latencies.items():
                tally.add(kind_done, values, errors[kind_done], samples)
            for kind_failed in set(errors) - set(latencies):
                tally.add(kind_failed, [], errors[kind_failed], samples)

    began = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.monotonic() - began, tally


def line(name: str, count: int, elapsed: float, latencies: list[float], errors: int) -> str:
    if len(latencies) >= 2:
        quantiles = statistics.quantiles(latencies, n=100)
        p50, p99 = quantiles[49], quantiles[98]
    else:
        p50 = p99 = float("nan")
    return (
        f"{name:<26} {count:7d} req  {count / elapsed:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
        f"   errors {errors}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default=None)
    args = parser.parse_args(argv)
    kind = args.database or ("postgresql" if postgres_available() else "sqlite")
    with serve(kind) as server:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # the app's logging setup turned it on
        auth = {"Authorization": f"Bearer {server.api_key}"}
        drive(server.url, auth, "/bare/echo", 1, 1)  # warm up imports and pools
        drive(server.url, auth, "/v1/claims", 1, 1)
        elapsed, tally = run_mix(server.url, server.api_key, args.seconds, args.threads)
        bare = drive(server.url, auth, "/bare/echo", args.seconds, args.threads)
    print(
        f"gunicorn 2 sync workers, {args.threads} client threads, {args.seconds:.0f} s mix"
        f" + {args.seconds:.0f} s bare, database {kind}"
    )
    names = {
        "submit": "SDK claims.submit",
        "list": "SDK claims.list",
        "page": "GET /p/<token>",
        "bank": "bank transaction (pays)",
    }
    everything: list[float] = []
    for key, _ in MIX:
        values = tally.latencies.get(key, [])
        everything.extend(values)
        print(line(names[key], len(values), elapsed, values, tally.errors[key]))
    print(line("mix overall", len(everything), elapsed, everything, sum(tally.errors.values())))
    rate, latencies, failures = bare
    print(line("bare Flask JSON ceiling", len(latencies), args.seconds, latencies, failures))
    print(f"ratio mix/bare: {len(everything) / elapsed / rate:.2f}")
    for sample in tally.samples:
        print("  error:", sample)


if __name__ == "__main__":
    main()
