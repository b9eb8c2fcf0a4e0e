"""`GET /v1/openapi.json`: the OpenAPI 3.1 document, generated from the `inkasso.types` models."""

from __future__ import annotations

from functools import cache
from typing import Any, get_args

from flask import Response, jsonify
from inkasso import types as wire
from inkasso._version import __version__
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from paypage.api import bp

_REF = "#/components/schemas/{model}"
_ERROR_STATUSES = {
    "400": "The request is malformed or a field is invalid (`param` names it)",
    "401": "No API key, or an invalid one",
    "404": "No such object for this creditor and mode",
    "409": "Conflict: idempotency key reused, duplicate reference or invalid state",
    "413": "Body larger than the limit",
    "415": "Body is not JSON",
    "429": "Rate limited; see Retry-After",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _list_of(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["object", "data", "has_more"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": _ref(model)},
            "has_more": {"type": "boolean"},
            "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }


def _operation(
    operation_id: str,
    summary: str,
    ok: tuple[str, dict[str, Any]],
    body: type[BaseModel] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    idempotent: bool = False,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {ok[0]: {"description": "Success", "content": _json_content(ok[1])}}
    for status, text in {**_ERROR_STATUSES, **(extra or {})}.items():
        responses[status] = {"description": text, "content": _json_content(_ref(wire.ErrorResponse))}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "responses": responses,
        "parameters": list(parameters or []),
    }
    if idempotent:
        operation["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": "Same key and body: the stored answer is returned again",
            }
        )
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json_content(_ref(body))}
    return operation


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_CLAIM_ID = {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "string"}}
_PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size (default 20)"),
    _query("cursor", {"type": "string"}, "`next_cursor` of the previous page"),
]


@cache
def document() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (wire.ClaimCreateParams, "validation"),
        (wire.ClaimUpdateParams, "validation"),
        (wire.ClaimCancelParams, "validation"),
        (wire.ClaimBatchParams, "validation"),
        (wire.Claim, "serialization"),
        (wire.Event, "serialization"),
        (wire.BatchResult, "serialization"),
        (wire.ErrorResponse, "serialization"),
        (wire.WebhookEndpointCreateParams, "validation"),
        (wire.WebhookEndpointUpdateParams, "validation"),
        (wire.EventResendParams, "validation"),
        (wire.WebhookEndpoint, "serialization"),
        (wire.WebhookAttempt, "serialization"),
        (wire.DeletedObject, "serialization"),
        (wire.EventResend, "serialization"),
        (wire.BankTransactionParams, "validation"),
        (wire.BankTransaction, "serialization"),
        (wire.BankStatementResult, "serialization"),
        (wire.ExperimentCreateParams, "validation"),
        (wire.ExperimentStopParams, "validation"),
        (wire.Experiment, "serialization"),
    ]
    _, schemas = models_json_schema(models, ref_template=_REF)
    claim = _ref(wire.Claim)
    list_filters = [
        *_PAGING,
        _query("state", {"type": "string", "enum": sorted(get_args(wire.ClaimState))}, "Only this state"),
        _query("external_reference", {"type": "string"}, "Only the claim with this invoice number"),
        _query("country", {"type": "string", "minLength": 2, "maxLength": 2}, "Debtor country"),
        _query("created_gte", {"type": "string", "format": "date-time"}, "Created at or after"),
        _query("created_lte", {"type": "string", "format": "date-time"}, "Created at or before"),
    ]
    paths = {
        "/v1/claims": {
            "post": _operation(
                "createClaim", "Hand over a claim", ("201", claim), wire.ClaimCreateParams, idempotent=True
            ),
            "get": _operation(
                "listClaims", "List claims, newest first", ("200", _list_of(wire.Claim)), parameters=list_filters
            ),
        },
        "/v1/claims/batch": {
            "post": _operation(
                "createClaimBatch",
                "Hand over up to 1,000 claims",
                ("200", _ref(wire.BatchResult)),
                wire.ClaimBatchParams,
                idempotent=True,
                extra={"422": "All-or-nothing batch with invalid claims; `error.items` lists them"},
            )
        },
        "/v1/claims/{claim_id}": {
            "get": _operation("getClaim", "Retrieve a claim", ("200", claim), parameters=[_CLAIM_ID]),
            "patch": _operation(
                "updateClaim",
                "Correct debtor contact data or metadata",
                ("200", claim),
                wire.ClaimUpdateParams,
                parameters=[_CLAIM_ID],
            ),
        },
        "/v1/claims/{claim_id}/cancel": {
            "post": _operation(
                "cancelClaim",
                "Withdraw a claim",
                ("200", claim),
                wire.ClaimCancelParams,
                parameters=[_CLAIM_ID],
                idempotent=True,
            )
        },
        "/v1/claims/{claim_id}/events": {
            "get": _operation(
                "listClaimEvents",
                "The claim's timeline, oldest first",
                ("200", _list_of(wire.Event)),
                parameters=[_CLAIM_ID, *_PAGING],
            )
        },
        **_webhook_paths(),
        **_experiment_paths(),
        "/v1/bank_transactions": {"post": _bank_transaction_operation()},
        "/v1/bank_statements": {
            "post": {
                **_operation(
                    "importBankStatement",
                    "Import a CAMT.053 statement; every credit is matched and booked once",
                    ("200", _ref(wire.BankStatementResult)),
                ),
                "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "inkasso API", "version": __version__, "x-api-version": wire.API_VERSION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "sk_test_/sk_live_"}},
        },
    }


def _bank_transaction_operation() -> dict[str, Any]:
    operation = _operation(
        "reportBankTransaction",
        "Report a bank transfer received; it is matched by its reference",
        ("201", _ref(wire.BankTransaction)),
        wire.BankTransactionParams,
    )
    # 201 when it was booked now; 200 when it was booked before (duplicate) or no claim has its reference.
    operation["responses"]["200"] = {
        "description": "Not booked now: a duplicate, or no claim carries the reference",
        "content": _json_content(_ref(wire.BankTransaction)),
    }
    return operation


def _webhook_paths() -> dict[str, Any]:
    endpoint = _ref(wire.WebhookEndpoint)
    endpoint_id = {"name": "endpoint_id", "in": "path", "required": True, "schema": {"type": "string"}}
    event_id = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/v1/webhook_endpoints": {
            "post": _operation(
                "createWebhookEndpoint",
                "Add an endpoint; the answer shows its signing secret once",
                ("201", endpoint),
                wire.WebhookEndpointCreateParams,
            ),
            "get": _operation(
                "listWebhookEndpoints", "List endpoints", ("200", _list_of(wire.WebhookEndpoint)), parameters=_PAGING
            ),
        },
        "/v1/webhook_endpoints/{endpoint_id}": {
            "get": _operation(
                "getWebhookEndpoint", "Retrieve an endpoint", ("200", endpoint), parameters=[endpoint_id]
            ),
            "patch": _operation(
                "updateWebhookEndpoint",
                "Change URL, events, description or status",
                ("200", endpoint),
                wire.WebhookEndpointUpdateParams,
                parameters=[endpoint_id],
            ),
            "delete": _operation(
                "deleteWebhookEndpoint",
                "Delete an endpoint",
                ("200", _ref(wire.DeletedObject)),
                parameters=[endpoint_id],
            ),
        },
        "/v1/webhook_endpoints/{endpoint_id}/rotate_secret": {
            "post": _operation(
                "rotateWebhookSecret",
                "New signing secret; the old one also signs for 24 hours",
                ("200", endpoint),
                parameters=[endpoint_id],
            )
        },
        "/v1/webhook_endpoints/{endpoint_id}/attempts": {
            "get": _operation(
                "listWebhookAttempts",
                "The delivery log, newest first",
                ("200", _list_of(wire.WebhookAttempt)),
                parameters=[endpoint_id, *_PAGING],
            )
        },
        "/v1/events": {
            "get": _operation(
                "listEvents",
                "The event log, newest first",
                ("200", _list_of(wire.Event)),
                parameters=[
                    *_PAGING,
                    _query("type", {"type": "string", "enum": list(wire.EVENT_TYPES)}, "Only this event type"),
                    _query("claim_id", {"type": "string"}, "Only events of this claim"),
                ],
            )
        },
        "/v1/events/{event_id}": {
            "get": _operation("getEvent", "Retrieve an event", ("200", _ref(wire.Event)), parameters=[event_id])
        },
        "/v1/events/{event_id}/resend": {
            "post": _operation(
                "resendEvent",
                "Deliver an event to an endpoint again",
                ("202", _ref(wire.EventResend)),
                wire.EventResendParams,
                parameters=[event_id],
            )
        },
    }



def _experiment_paths() -> dict[str, Any]:
    experiment = _ref(wire.Experiment)
    experiment_id = {"name": "experiment_id", "in": "path", "required": True, "schema": {"type": "string"}}
    stop = _operation(
        "stopExperiment",
        "Stop an experiment: no new claims are assigned; assigned claims keep their arm",
        ("200", experiment),
        parameters=[experiment_id],
        idempotent=True,
    )
    stop["requestBody"] = {"required": False, "content": _json_content(_ref(wire.ExperimentStopParams))}
    return {
        "/v1/experiments": {
            "post": _operation(
                "createExperiment",
                "Start a champion/challenger experiment between two strategies",
                ("201", experiment),
                wire.ExperimentCreateParams,
                idempotent=True,
            ),
            "get": _operation(
                "listExperiments",
                "List experiments, newest first (without their reports)",
                ("200", _list_of(wire.Experiment)),
                parameters=[
                    *_PAGING,
                    _query("status", {"type": "string", "enum": ["running", "stopped"]}, "Only this status"),
                ],
            ),
        },
        "/v1/experiments/{experiment_id}": {
            "get": _operation(
                "getExperiment",
                "Retrieve an experiment with its report and the stop rule's decision",
                ("200", experiment),
                parameters=[experiment_id],
            )
        },
        "/v1/experiments/{experiment_id}/stop": {"post": stop},
    }

@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(document())
