"""Webhook delivery: deliveries per second to a local receiver and the delay from commit to delivery,
beside the receiver's raw request rate from a plain httpx client, all in one run.

    .venv/bin/python bench/webhooks.py [--events 5000] [--workers 1] [--database postgresql|sqlite]

1. Raw: 8 client threads POST to the receiver for 5 s: the ceiling of this receiver on this machine.
2. Throughput: `--events` claims handed over at once, then `--workers` worker processes deliver their
   `claim.created` events; the clock runs from the workers' start to the last arrival.
3. Delay: claims handed over one by one at 20 per second while a worker runs; for each event the time
   from the committed API answer to its arrival at the receiver (p50, p99).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import _database, postgres_available  # noqa: E402
from bench.api_submit import claim_body  # noqa: E402
from tests.conftest import build_app  # noqa: E402
from tests.factories import new_creditor  # noqa: E402
from tests.receiver import Receiver  # noqa: E402


def raw_rate(url: str, seconds: float = 5, threads: int = 8) -> float:
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def run(index: int) -> None:
        with httpx.Client() as client:
            while time.monotonic() < stop:
                client.post(url, content=b'{"ping": true}', headers={"webhook-id": f"raw-{index}"})
                counts[index] += 1

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def start_workers(url: str, data_dir: str, count: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "INKASSO_DATABASE_URL": url,
        "INKASSO_SECRET_KEY": "bench-" + "x" * 40,
        "INKASSO_DATA_DIR": data_dir,
    }
    command = [sys.executable, "-m", "flask", "--app", "paypage", "worker", "--concurrency", "8"]
    return [subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL) for _ in range(count)]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def wait_until(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():  # type: ignore[operator]
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default=None)
    args = parser.parse_args(argv)
    kind = args.database or ("postgresql" if postgres_available() else "sqlite")
    receiver = Receiver()
    raw = raw_rate(receiver.url)
    with _database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
        app = build_app(url, Path(data_dir))
        creditor = new_creditor(app)
        client = app.test_client()
        headers = creditor.headers()
        client.post("/v1/webhook_endpoints", json={"url": receiver.url}, headers=headers)
        for start in range(0, args.events, 1000):
            batch = [claim_body() for _ in range(min(1000, args.events - start))]
            assert client.post("/v1/claims/batch", json={"claims": batch}, headers=headers).status_code == 200
        receiver.requests.clear()
        started = time.monotonic()
        workers = start_workers(url, data_dir, args.workers)
        wait_until(lambda: len(receiver.requests) >= args.events, 600)
        elapsed = time.monotonic() - started
        delivered = len(set(receiver.ids()))
        throughput = delivered / elapsed

        receiver.requests.clear()
        committed: dict[str, float] = {}
        for _ in range(200):
            answer = client.post("/v1/claims", json=claim_body(), headers=headers)
            committed[answer.json["id"]] = time.monotonic()
            time.sleep(0.05)
        wait_until(lambda: len(receiver.requests) >= len(committed), 60)
        stop(workers)
        app.extensions["inkasso.db"].dispose()
    import json

    delays = [
        (request.started - committed[json.loads(request.body)["claim_id"]]) * 1000
        for request in receiver.requests
        if json.loads(request.body)["claim_id"] in committed
    ]
    receiver.close()
    quantiles = statistics.quantiles(delays, n=100)
    print(f"database {kind}, {args.workers} worker process(es) x 8 threads, receiver on 127.0.0.1")
    print(f"receiver raw rate (plain httpx, 8 threads)   {raw:8.0f} req/s")
    print(
        f"webhook deliveries ({delivered} events)        {throughput:8.0f} deliveries/s   ratio {throughput / raw:.2f}"
    )
    print(
        f"commit -> delivery delay ({len(delays)} events)     p50 {quantiles[49]:6.0f} ms   p99 {quantiles[98]:6.0f} ms"
    )


if __name__ == "__main__":
    main()
