"""Bounded API fuzzing with schemathesis: every operation of `/v1/openapi.json`, a few deterministic
examples each, with a valid key. No 5xx, and every answer matches the document (status, content type,
body schema). The document declares no links, so the operations are fuzzed one by one, not as stateful
sequences; `bench/fuzz.py` runs the same checks with many more examples against the served app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import fresh_app
from tests.factories import new_creditor

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_every_operation_holds_under_fuzzing(backend_name: str, tmp_path: Path) -> None:
    with fresh_app(backend_name, tmp_path) as app:
        headers = new_creditor(app).headers()
        schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result.err()}"
            operation = result.ok()
            operations += 1

            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case: schemathesis.Case[Any]) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, report them together
                failures.append(f"{operation.label}: {exc}")
        assert operations >= 18
        assert not failures, "\n\n".join(failures)
