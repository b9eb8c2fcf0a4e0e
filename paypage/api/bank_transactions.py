"""`POST /v1/bank_transactions` (one credit) and `POST /v1/bank_statements` (a CAMT.053 file)."""

from __future__ import annotations

from flask import Response, request
from inkasso import types as wire

from paypage.api import bp
from paypage.api.body import json_object
from paypage.api.render import json_response
from paypage.api.render import tenant as current_tenant
from paypage.extensions import database, settings
from paypage.payments.bank_transfer.camt053 import CamtError, parse_camt053
from paypage.services import bank_transfers
from paypage.services.errors import RequestError
from paypage.services.validation import parse

_XML_TYPES = {"application/xml", "text/xml"}


@bp.post("/bank_transactions")
def report_bank_transaction() -> Response:
    params = parse(wire.BankTransactionParams, json_object())
    with database().transaction() as session:
        result = bank_transfers.book_reported(session, current_tenant(), params, settings().clock())
    return json_response(result, 201 if result.status == "booked" else 200)


@bp.post("/bank_statements")
def import_bank_statement() -> Response:
    if request.mimetype not in _XML_TYPES:
        raise RequestError(415, "unsupported_media_type", "Send the CAMT.053 file with Content-Type: application/xml")
    try:
        credits = parse_camt053(request.get_data())
    except CamtError as exc:
        raise RequestError(400, "statement_invalid", str(exc), "body") from None
    with database().transaction() as session:
        result = bank_transfers.book_statement(session, current_tenant(), credits, settings().clock())
    return json_response(result)
