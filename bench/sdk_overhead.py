"""What the SDK adds per call: `client.claims.get(id)` beside a raw httpx GET of the same URL.

Both hit the same gunicorn server (2 sync workers) in the same run, interleaved call by call, over one
keep-alive connection each. The raw call parses the JSON only; the SDK call also builds the typed model,
so the difference is the SDK's whole cost (headers, retry loop, error mapping, pydantic validation).

    .venv/bin/python bench/sdk_overhead.py [--calls 1000] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import inkasso  # noqa: E402

from bench._server import postgres_available, serve  # noqa: E402
from bench.api_submit import claim_body  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default=None)
    args = parser.parse_args(argv)
    kind = args.database or ("postgresql" if postgres_available() else "sqlite")
    with serve(kind) as server:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with (
            inkasso.Client(api_key=server.api_key, base_url=server.url) as client,
            httpx.Client(base_url=server.url, headers=headers) as raw,
        ):
            claim = client.claims.submit(**claim_body())  # type: ignore[arg-type]
            path = f"/v1/claims/{claim.id}"
            sdk_times: list[float] = []
            raw_times: list[float] = []
            for _ in range(50):  # warm-up
                client.claims.get(claim.id)
                raw.get(path).json()
            for _ in range(args.calls):
                started = time.perf_counter()
                raw.get(path).raise_for_status().json()
                raw_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                client.claims.get(claim.id)
                sdk_times.append(time.perf_counter() - started)
    raw_median = statistics.median(raw_times) * 1e6
    sdk_median = statistics.median(sdk_times) * 1e6
    print(f"GET /v1/claims/{{id}}, {args.calls} calls each, interleaved, gunicorn 2 workers, database {kind}")
    print(f"raw httpx + json     median {raw_median:8.0f} µs")
    print(f"SDK claims.get       median {sdk_median:8.0f} µs")
    print(
        f"SDK overhead         {sdk_median - raw_median:8.0f} µs per call, ratio SDK/raw {sdk_median / raw_median:.2f}"
    )


if __name__ == "__main__":
    main()
