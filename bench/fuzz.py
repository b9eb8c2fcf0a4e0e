"""Long API fuzzing against the served service: gunicorn with several workers on PostgreSQL, every
operation of `/v1/openapi.json`, many schemathesis examples each (the suite's `tests/ops/test_fuzz.py`
runs the same checks with a few examples, in-process).

Prints per operation the examples tried, 5xx answers and answers that do not match the document (status,
content type, body schema), then a summary line. Exit status 1 when any 5xx or mismatch was seen.

    .venv/bin/python bench/fuzz.py                  # 200 examples per operation
    .venv/bin/python bench/fuzz.py --examples 1000 --seed 7
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import schemathesis  # noqa: E402
from schemathesis.core.result import Ok  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import build_app, postgresql_database  # noqa: E402
from tests.factories import new_creditor  # noqa: E402
from tests.faults._gunicorn import served  # noqa: E402

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _runner(
    operation: Any,
    base_url: str,
    headers: dict[str, str],
    examples: int,
    seed: int,
    counts: Counter[str],
    samples: list[str],
) -> Callable[[], None]:
    """One operation's hypothesis test: every example is counted, failures are sampled, none stops the run."""
    label = operation.label

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        counts["examples"] += 1
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        if response.status_code >= 500:
            counts["5xx"] += 1
            samples.append(f"{label}: {response.status_code} {response.text[:200]}")
            return
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except Exception as exc:  # noqa: BLE001 - counted and sampled, the run goes on
            counts["mismatch"] += 1
            samples.append(f"{label}: {str(exc).splitlines()[0][:200]}")

    return run


def fuzz(examples: int, seed: int) -> int:
    with postgresql_database() as url, tempfile.TemporaryDirectory() as directory:
        app = build_app(url, Path(directory))
        headers = new_creditor(app).headers()
        app.extensions["inkasso.db"].dispose()
        with served(url, Path(directory), workers=3) as server:
            schema = schemathesis.openapi.from_url(f"{server.url}/v1/openapi.json")
            print(f"fuzzing {server.url} (gunicorn, 3 workers, PostgreSQL), {examples} examples per operation")
            print(f"{'operation':<56} {'examples':>8} {'5xx':>5} {'mismatch':>8} {'seconds':>8}")
            totals: Counter[str] = Counter()
            samples: list[str] = []
            for result in schema.get_all_operations():
                if not isinstance(result, Ok):
                    raise SystemExit(f"the OpenAPI document has an operation schemathesis cannot read: {result.err()}")
                operation = result.ok()
                counts: Counter[str] = Counter()
                started = time.monotonic()

                run = _runner(operation, server.url, headers, examples, seed, counts, samples)
                run()
                totals.update(counts)
                totals["operations"] += 1
                print(
                    f"{operation.label:<56} {counts['examples']:8d} {counts['5xx']:5d} {counts['mismatch']:8d}"
                    f" {time.monotonic() - started:8.1f}"
                )
    print(
        f"operations {totals['operations']}, examples tried {totals['examples']},"
        f" 5xx {totals['5xx']}, schema mismatches {totals['mismatch']}"
    )
    for sample in samples[:10]:
        print("  " + sample)
    return 1 if totals["5xx"] or totals["mismatch"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=200, help="examples per operation")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    logging.disable(logging.WARNING)  # the service logs every refusal; the table is the report
    sys.exit(fuzz(arguments.examples, arguments.seed))


if __name__ == "__main__":
    main()
