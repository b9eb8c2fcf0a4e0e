"""`/v1/claims`: hand-over, lookup, listing, corrections, cancellation, batches and the timeline."""

from __future__ import annotations

from typing import Any, get_args

from flask import Response, request
from inkasso import types as wire
from inkasso._iso import COUNTRIES
from pydantic import ValidationError

from paypage.api import bp
from paypage.api.body import json_object, known_query, query_datetime
from paypage.api.render import api_actor, idempotency_key, json_response, page
from paypage.api.render import tenant as current_tenant
from paypage.extensions import database, links, settings
from paypage.services import audit, claims, events, idempotency
from paypage.services.errors import RequestError
from paypage.services.pagination import decode_cursor, parse_limit
from paypage.services.validation import describe, parse

_STATES = set(get_args(wire.ClaimState))


@bp.post("/claims")
def create_claim() -> Response:
    body = json_object()
    params = parse(wire.ClaimCreateParams, body)
    tenant, now, maker = current_tenant(), settings().clock(), links()

    def work(session: Any) -> tuple[int, dict[str, Any]]:
        claim, _ = claims.create(session, tenant, params, maker, now)
        return 201, {"claim": claim.id}

    def render(session: Any, result: dict[str, Any]) -> dict[str, Any]:
        row = claims.get(session, tenant, result["claim"])
        return claims.render(row, maker).model_dump(mode="json")

    outcome = idempotency.run(
        database(), tenant, "claims.create", idempotency_key(), idempotency.request_digest(body), now, work, render
    )
    return json_response(outcome.body, outcome.status, outcome.replayed)


def _batch_items(body: dict[str, Any]) -> tuple[list[wire.ClaimCreateParams | wire.BatchItemError], bool]:
    unknown = sorted(set(body) - {"claims", "partial"})
    if unknown:
        raise RequestError(400, "parameter_unknown", f"{unknown[0]}: is not a known field", unknown[0])
    raw = body.get("claims")
    partial = body.get("partial", request.args.get("partial", "false").lower() == "true")
    if not isinstance(partial, bool):
        raise RequestError(400, "parameter_invalid", "partial: must be true or false", "partial")
    if not isinstance(raw, list) or not raw:
        raise RequestError(400, "parameter_invalid", "claims: must be a non-empty list of claims", "claims")
    if len(raw) > wire.claims.MAX_BATCH_SIZE:
        raise RequestError(
            400,
            "parameter_invalid",
            f"claims: at most {wire.claims.MAX_BATCH_SIZE} claims per batch, got {len(raw)}",
            "claims",
        )
    items: list[wire.ClaimCreateParams | wire.BatchItemError] = []
    for index, item in enumerate(raw):
        try:
            items.append(wire.ClaimCreateParams.model_validate(item))
        except ValidationError as exc:
            code, param, message = describe(exc.errors()[0])
            items.append(wire.BatchItemError(index=index, code=code, message=message, param=param))
    return items, partial


@bp.post("/claims/batch")
def create_claim_batch() -> Response:
    body = json_object()
    items, partial = _batch_items(body)
    tenant, now, maker = current_tenant(), settings().clock(), links()

    def work(session: Any) -> tuple[int, dict[str, Any]]:
        outcome = claims.create_batch(session, tenant, items, partial, maker, now)
        if outcome.failed and not partial:
            raise RequestError(
                422,
                "batch_rejected",
                f"{len(outcome.failed)} of {len(items)} claims are invalid; nothing was stored "
                "(send partial=true to store the valid ones)",
                items=[error.model_dump(mode="json") for error in outcome.failed],
            )
        results: list[dict[str, Any]] = [
            {"index": index, "status": "created", "claim": row[0].id} for index, row in outcome.created.items()
        ]
        results += [{"index": e.index, "status": "failed", "error": e.model_dump(mode="json")} for e in outcome.failed]
        results.sort(key=lambda result: int(result["index"]))
        return 200, {"results": results}

    def render(session: Any, result: dict[str, Any]) -> dict[str, Any]:
        ids = [item["claim"] for item in result["results"] if item["status"] == "created"]
        rows = claims.get_many(session, tenant, ids)
        rendered = []
        for item in result["results"]:
            if item["status"] == "created":
                claim = claims.render(rows[item["claim"]], maker)
                rendered.append(wire.BatchItemResult(index=item["index"], status="created", claim=claim))
            else:
                error = wire.BatchItemError.model_validate(item["error"])
                rendered.append(wire.BatchItemResult(index=item["index"], status="failed", error=error))
        created = sum(1 for item in rendered if item.status == "created")
        batch = wire.BatchResult(created=created, failed=len(rendered) - created, results=rendered)
        return batch.model_dump(mode="json")

    outcome = idempotency.run(
        database(), tenant, "claims.batch", idempotency_key(), idempotency.request_digest(body), now, work, render
    )
    return json_response(outcome.body, outcome.status, outcome.replayed)


@bp.get("/claims/<claim_id>")
def get_claim(claim_id: str) -> Response:
    with database().transaction() as session:
        row = claims.get(session, current_tenant(), claim_id)
        return json_response(claims.render(row, links()))


def _filters() -> claims.ClaimFilters:
    known_query({"limit", "cursor", "state", "external_reference", "country", "created_gte", "created_lte"})
    state = request.args.get("state")
    if state is not None and state not in _STATES:
        raise RequestError(400, "parameter_invalid", f"state: must be one of {', '.join(sorted(_STATES))}", "state")
    country = request.args.get("country")
    if country is not None:
        country = country.upper()
        if country not in COUNTRIES:
            raise RequestError(400, "parameter_invalid", "country: must be an ISO 3166-1 alpha-2 code", "country")
    return claims.ClaimFilters(
        state=state,
        external_reference=request.args.get("external_reference"),
        country=country,
        created_gte=query_datetime("created_gte"),
        created_lte=query_datetime("created_lte"),
    )


@bp.get("/claims")
def list_claims() -> Response:
    filters = _filters()
    limit = parse_limit(request.args.get("limit"))
    before = decode_cursor(request.args.get("cursor"))
    with database().transaction() as session:
        rows, has_more = claims.list_page(session, current_tenant(), filters, limit, before)
        rendered = [claims.render(row, links()) for row in rows]
    return json_response(page(rendered, has_more, rows[-1][0].id if rows else None))


@bp.patch("/claims/<claim_id>")
def update_claim(claim_id: str) -> Response:
    params = parse(wire.ClaimUpdateParams, json_object())
    with database().transaction() as session:
        row = claims.update(session, current_tenant(), claim_id, params, settings().clock())
        return json_response(claims.render(row, links()))


@bp.post("/claims/<claim_id>/cancel")
def cancel_claim(claim_id: str) -> Response:
    body = json_object()
    params = parse(wire.ClaimCancelParams, body)
    tenant, now, maker = current_tenant(), settings().clock(), links()

    def work(session: Any) -> tuple[int, dict[str, Any]]:
        claims.cancel(session, tenant, claim_id, params.reason, now)
        audit.record(
            session,
            creditor_id=tenant.creditor_id,
            actor=api_actor(),
            action="claim.cancelled",
            subject=claim_id,
            detail={"livemode": tenant.livemode},
            now=now,
        )
        return 200, {"claim": claim_id}

    def render(session: Any, result: dict[str, Any]) -> dict[str, Any]:
        return claims.render(claims.get(session, tenant, result["claim"]), maker).model_dump(mode="json")

    outcome = idempotency.run(
        database(),
        tenant,
        f"claims.cancel:{claim_id}",
        idempotency_key(),
        idempotency.request_digest(body),
        now,
        work,
        render,
    )
    return json_response(outcome.body, outcome.status, outcome.replayed)


@bp.get("/claims/<claim_id>/events")
def claim_events(claim_id: str) -> Response:
    known_query({"limit", "cursor"})
    limit = parse_limit(request.args.get("limit"))
    after = decode_cursor(request.args.get("cursor"))
    tenant = current_tenant()
    with database().transaction() as session:
        claims.get(session, tenant, claim_id)
        found = events.for_claim(session, tenant, claim_id, limit + 1, after)
    window = found[:limit]
    rendered = [events.to_wire(e) for e in window]
    return json_response(page(rendered, len(found) > limit, window[-1].id if window else None))
