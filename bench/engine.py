"""Collection engine throughput: due steps processed per second with one and with two worker processes
on PostgreSQL (outbox channel), and the scaling ratio, measured in one run.

    .venv/bin/python bench/engine.py [--claims 4000]

Each run hands over the same number of claims in a fresh database, with the clock moved into the
German contact hours (INKASSO_CLOCK_OFFSET), starts the workers, and times from their start until
every claim's first step is in the outbox file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import TEST_SECRET, fresh_app  # noqa: E402
from tests.process.test_engine_workers import hand_over, sent, stop, wait_for, worker, working_hours_offset  # noqa: E402


def measure(claims: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        offset = working_hours_offset()
        outbox = tmp / "outbox.jsonl"
        with fresh_app("postgresql", tmp, clock_offset=offset, outbox_file=str(outbox)) as app:
            hand_over(app, claims)
            env = {
                **os.environ,
                "INKASSO_DATABASE_URL": app.extensions["inkasso.db"].url,
                "INKASSO_SECRET_KEY": TEST_SECRET,
                "INKASSO_DATA_DIR": directory,
                "INKASSO_CLOCK_OFFSET": str(offset),
                "INKASSO_OUTBOX_FILE": str(outbox),
            }
            started = time.monotonic()
            processes = [worker(env) for _ in range(workers)]
            try:
                if not wait_for(lambda: len(sent(outbox)) >= claims, 900):
                    raise RuntimeError(f"only {len(sent(outbox))} of {claims} steps were processed")
                elapsed = time.monotonic() - started
            finally:
                stop(processes)
    return claims / elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=4000)
    args = parser.parse_args(argv)
    one = measure(args.claims, 1)
    two = measure(args.claims, 2)
    print(f"{args.claims} claims due at once, PostgreSQL, outbox channel, 8 threads per worker")
    print(f"1 worker    {one:7.0f} steps/s")
    print(f"2 workers   {two:7.0f} steps/s")
    print(f"scaling ratio (2 workers / 1 worker): {two / one:.2f}")


if __name__ == "__main__":
    main()
