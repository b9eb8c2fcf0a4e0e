"""`/v1/experiments`: champion/challenger experiments between strategies, with their live report."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from inkasso import types as wire

from paypage.api import bp
from paypage.api.body import json_object, known_query, optional_json_object
from paypage.api.render import idempotency_key, json_response, page
from paypage.api.render import tenant as current_tenant
from paypage.decisions import experiments
from paypage.extensions import database, settings
from paypage.services import idempotency
from paypage.services.errors import RequestError
from paypage.services.pagination import decode_cursor, parse_limit
from paypage.services.validation import parse

_STATUSES = ("running", "stopped")


@bp.post("/experiments")
def create_experiment() -> Response:
    body = json_object()
    params = parse(wire.ExperimentCreateParams, body)
    tenant, now = current_tenant(), settings().clock()

    def work(session: Any) -> tuple[int, dict[str, Any]]:
        experiment = experiments.create(session, tenant, params, now)
        return 201, {"experiment": experiment.id}

    def render(session: Any, result: dict[str, Any]) -> dict[str, Any]:
        experiment = experiments.get(session, tenant, result["experiment"])
        return experiments.render(experiment, session, now).model_dump(mode="json")

    outcome = idempotency.run(
        database(), tenant, "experiments.create", idempotency_key(), idempotency.request_digest(body), now, work, render
    )
    return json_response(outcome.body, outcome.status, outcome.replayed)


@bp.get("/experiments")
def list_experiments() -> Response:
    known_query({"limit", "cursor", "status"})
    status = request.args.get("status")
    if status is not None and status not in _STATUSES:
        raise RequestError(400, "parameter_invalid", "status: must be running or stopped", "status")
    limit = parse_limit(request.args.get("limit"))
    before = decode_cursor(request.args.get("cursor"))
    with database().transaction() as session:
        rows, has_more = experiments.list_page(session, current_tenant(), limit, before, status)
        rendered = [experiments.render(row) for row in rows]
    return json_response(page(rendered, has_more, rows[-1].id if rows else None))


@bp.get("/experiments/<experiment_id>")
def get_experiment(experiment_id: str) -> Response:
    known_query(set())
    with database().transaction() as session:
        experiment = experiments.get(session, current_tenant(), experiment_id)
        return json_response(experiments.render(experiment, session, settings().clock()))


@bp.post("/experiments/<experiment_id>/stop")
def stop_experiment(experiment_id: str) -> Response:
    body = optional_json_object()
    params = parse(wire.ExperimentStopParams, body)
    tenant, now = current_tenant(), settings().clock()

    def work(session: Any) -> tuple[int, dict[str, Any]]:
        experiments.stop(session, tenant, experiment_id, params.reason, now)
        return 200, {"experiment": experiment_id}

    def render(session: Any, result: dict[str, Any]) -> dict[str, Any]:
        experiment = experiments.get(session, tenant, result["experiment"])
        return experiments.render(experiment, session, now).model_dump(mode="json")

    outcome = idempotency.run(
        database(),
        tenant,
        f"experiments.stop:{experiment_id}",
        idempotency_key(),
        idempotency.request_digest(body),
        now,
        work,
        render,
    )
    return json_response(outcome.body, outcome.status, outcome.replayed)
