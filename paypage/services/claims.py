"""Claims: hand-over, lookup, listing, corrections and cancellation, each with its timeline event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inkasso import types as wire
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.domain.states import InvalidTransitionError, check_transition, is_final
from paypage.domain.tokens import pay_token, token_digest
from paypage.payments.bank_transfer.reference import transfer_reference_for
from paypage.services import events
from paypage.services.errors import RequestError, not_found
from paypage.services.tenancy import Tenant
from paypage.store import models


@dataclass(frozen=True)
class LinkMaker:
    """Builds the debtor's pay URL; the token is derived from the secret, never stored."""

    secret: bytes
    public_url: str

    def url(self, claim: models.Claim) -> str | None:
        if is_final(claim.state):
            return None
        return f"{self.public_url.rstrip('/')}/p/{pay_token(self.secret, claim.id, claim.pay_link_version)}"

    def digest(self, claim: models.Claim) -> str:
        return token_digest(pay_token(self.secret, claim.id, claim.pay_link_version))


@dataclass(frozen=True)
class ClaimFilters:
    state: str | None = None
    external_reference: str | None = None
    country: str | None = None
    created_gte: dt.datetime | None = None
    created_lte: dt.datetime | None = None


Row = tuple[models.Claim, models.Debtor]


# ------------------------------------------------------------------------------------------------ render


def _address(debtor: models.Debtor) -> wire.Address | None:
    if debtor.address_line1 is None:
        return None
    return wire.Address(
        line1=debtor.address_line1,
        line2=debtor.address_line2,
        postal_code=debtor.address_postal_code or "",
        city=debtor.address_city or "",
        region=debtor.address_region,
        country=debtor.address_country or debtor.country,
    )


def outstanding(claim: models.Claim) -> int:
    """What the debtor owes now, in minor units: principal + interest + fees − paid."""
    return claim.principal + claim.interest + claim.fees_total - claim.paid


def render(row: Row, links: LinkMaker | None) -> wire.Claim:
    """The wire form of a claim. Without `links` there is no pay URL (event snapshots carry none)."""
    claim, debtor = row
    return wire.Claim(
        id=claim.id,
        livemode=claim.livemode,
        state=claim.state,
        external_reference=claim.external_reference,
        amount=claim.principal,
        currency=claim.currency,
        balance=wire.Balance(
            principal=claim.principal,
            interest=claim.interest,
            fees=claim.fees_total,
            paid=claim.paid,
            outstanding=outstanding(claim),
        ),
        debtor=wire.Debtor(
            id=debtor.id,
            type=debtor.type,
            name=debtor.name,
            email=debtor.email,
            phone=debtor.phone,
            address=_address(debtor),
            country=debtor.country,
            language=debtor.language,
            date_of_birth=debtor.date_of_birth,
        ),
        invoice_date=claim.invoice_date,
        due_date=claim.due_date,
        description=claim.description,
        line_items=[wire.LineItem.model_validate(item) for item in claim.line_items],
        fees=[wire.Fee.model_validate(fee) for fee in claim.fees],
        metadata=claim.metadata_,
        pay_url=links.url(claim) if links else None,
        transfer_reference=claim.transfer_reference,
        cancellation_reason=claim.cancellation_reason,
        created_at=claim.created_at,
        updated_at=claim.updated_at,
    )


def snapshot(row: Row) -> dict[str, Any]:
    return {"claim": render(row, None).model_dump(mode="json", exclude={"pay_url"})}


# ---------------------------------------------------------------------------------------------- hand-over


def _set_address(debtor: models.Debtor, address: wire.AddressParams | None) -> None:
    debtor.address_line1 = address.line1 if address else None
    debtor.address_line2 = address.line2 if address else None
    debtor.address_postal_code = address.postal_code if address else None
    debtor.address_city = address.city if address else None
    debtor.address_region = address.region if address else None
    debtor.address_country = address.country if address else None


def _new_rows(
    tenant: Tenant, params: wire.ClaimCreateParams, now: dt.datetime, accounts: dict[str, Any] | None = None
) -> Row:
    given = params.debtor
    debtor = models.Debtor(
        creditor_id=tenant.creditor_id,
        id=new_id("dbt", now),
        livemode=tenant.livemode,
        type=given.type,
        name=given.name,
        email=given.email,
        phone=given.phone,
        country=given.country,
        language=given.language,
        date_of_birth=given.date_of_birth,
        created_at=now,
        updated_at=now,
    )
    _set_address(debtor, given.address)
    claim = models.Claim(
        creditor_id=tenant.creditor_id,
        id=new_id("clm", now),
        livemode=tenant.livemode,
        debtor_id=debtor.id,
        state="open",
        external_reference=params.external_reference,
        country=given.country,
        currency=params.currency,
        principal=params.amount,
        interest=0,
        fees_total=sum(fee.amount for fee in params.fees),
        paid=0,
        invoice_date=params.invoice_date,
        due_date=params.due_date,
        description=params.description,
        line_items=[
            {**item.model_dump(mode="json"), "amount": item.quantity * item.unit_amount} for item in params.line_items
        ],
        fees=[fee.model_dump(mode="json") for fee in params.fees],
        metadata_=dict(params.metadata),
        pay_link_version=1,
        strategy_step=0,
        next_action_at=now,  # the collection engine looks at a new claim at once
        created_at=now,
        updated_at=now,
    )
    account = (accounts or {}).get(params.currency)
    claim.transfer_reference = transfer_reference_for(claim.id, account if isinstance(account, dict) else None)
    return claim, debtor


def _taken_references(session: Session, tenant: Tenant, references: Sequence[str]) -> set[str]:
    if not references:
        return set()
    query = select(models.Claim.external_reference).where(
        models.Claim.creditor_id == tenant.creditor_id,
        models.Claim.livemode == tenant.livemode,
        models.Claim.external_reference.in_(references),
    )
    return set(session.scalars(query))


def _duplicate(reference: str) -> RequestError:
    return RequestError(
        409,
        "duplicate_external_reference",
        f"external_reference: a claim with the reference '{reference}' exists already",
        param="external_reference",
    )


def _store(session: Session, tenant: Tenant, rows: Sequence[Row], links: LinkMaker, now: dt.datetime) -> None:
    # Without ORM relationships the unit of work does not order inserts by foreign key: flush parents first.
    session.add_all([debtor for _, debtor in rows])
    session.flush()
    session.add_all([claim for claim, _ in rows])
    try:
        session.flush()
    except IntegrityError as exc:
        # Only a concurrent request with the same reference gets here: the references were checked.
        raise RequestError(
            409,
            "duplicate_external_reference",
            "external_reference: a claim with this reference exists already",
            param="external_reference",
        ) from exc
    for claim, debtor in rows:
        session.add(
            models.PayLink(
                token_digest=links.digest(claim),
                creditor_id=tenant.creditor_id,
                claim_id=claim.id,
                version=claim.pay_link_version,
                created_at=now,
            )
        )
        events.record(session, tenant, "claim.created", now, claim.id, snapshot((claim, debtor)))
    session.flush()


def create(session: Session, tenant: Tenant, params: wire.ClaimCreateParams, links: LinkMaker, now: dt.datetime) -> Row:
    if _taken_references(session, tenant, [params.external_reference]):
        raise _duplicate(params.external_reference)
    row = _new_rows(tenant, params, now, _bank_accounts(session, tenant))
    _store(session, tenant, [row], links, now)
    return row


def _bank_accounts(session: Session, tenant: Tenant) -> dict[str, Any]:
    creditor = session.get(models.Creditor, tenant.creditor_id)
    accounts = creditor.settings.get("bank_accounts", {}) if creditor else {}
    return accounts if isinstance(accounts, dict) else {}


@dataclass
class BatchOutcome:
    created: dict[int, Row]
    failed: list[wire.BatchItemError]


def create_batch(
    session: Session,
    tenant: Tenant,
    items: Sequence[wire.ClaimCreateParams | wire.BatchItemError],
    partial: bool,
    links: LinkMaker,
    now: dt.datetime,
) -> BatchOutcome:
    """Store a batch. `items` holds the parsed claims and, in their place, the errors of those that
    did not parse. All or nothing unless `partial`."""
    failed = [item for item in items if isinstance(item, wire.BatchItemError)]
    valid = {index: item for index, item in enumerate(items) if isinstance(item, wire.ClaimCreateParams)}
    taken = _taken_references(session, tenant, [params.external_reference for params in valid.values()])
    seen: dict[str, int] = {}
    for index, params in list(valid.items()):
        reference = params.external_reference
        problem = None
        if reference in taken:
            problem = f"external_reference: a claim with the reference '{reference}' exists already"
        elif reference in seen:
            problem = f"external_reference: '{reference}' appears already at index {seen[reference]}"
        if problem:
            failed.append(
                wire.BatchItemError(
                    index=index, code="duplicate_external_reference", message=problem, param="external_reference"
                )
            )
            del valid[index]
        else:
            seen[reference] = index
    failed.sort(key=lambda error: error.index)
    if failed and not partial:
        return BatchOutcome(created={}, failed=failed)
    accounts = _bank_accounts(session, tenant)
    rows = {index: _new_rows(tenant, params, now, accounts) for index, params in valid.items()}
    _store(session, tenant, list(rows.values()), links, now)
    return BatchOutcome(created=rows, failed=failed)


# ------------------------------------------------------------------------------------------------ lookup


def _scoped(tenant: Tenant) -> Any:
    return (
        select(models.Claim, models.Debtor)
        .join(
            models.Debtor,
            (models.Debtor.creditor_id == models.Claim.creditor_id) & (models.Debtor.id == models.Claim.debtor_id),
        )
        .where(models.Claim.creditor_id == tenant.creditor_id, models.Claim.livemode == tenant.livemode)
    )


def get(session: Session, tenant: Tenant, claim_id: str, for_update: bool = False) -> Row:
    query = _scoped(tenant).where(models.Claim.id == claim_id)
    if for_update:
        query = query.with_for_update(of=models.Claim)
    found = session.execute(query).first()
    if found is None:
        raise not_found("claim", claim_id)
    return found[0], found[1]


def get_many(session: Session, tenant: Tenant, claim_ids: Sequence[str]) -> dict[str, Row]:
    if not claim_ids:
        return {}
    rows = session.execute(_scoped(tenant).where(models.Claim.id.in_(claim_ids))).all()
    return {claim.id: (claim, debtor) for claim, debtor in rows}


def list_page(
    session: Session, tenant: Tenant, filters: ClaimFilters, limit: int, before: str | None
) -> tuple[list[Row], bool]:
    """Newest first: `limit` claims older than the claim id `before`, and whether more follow."""
    query = _scoped(tenant).order_by(models.Claim.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(models.Claim.id < before)
    if filters.state is not None:
        query = query.where(models.Claim.state == filters.state)
    if filters.external_reference is not None:
        query = query.where(models.Claim.external_reference == filters.external_reference)
    if filters.country is not None:
        query = query.where(models.Claim.country == filters.country)
    if filters.created_gte is not None:
        query = query.where(models.Claim.created_at >= filters.created_gte)
    if filters.created_lte is not None:
        query = query.where(models.Claim.created_at <= filters.created_lte)
    rows = [(claim, debtor) for claim, debtor in session.execute(query).all()]
    return rows[:limit], len(rows) > limit


# ------------------------------------------------------------------------------------------------ changes


def update(session: Session, tenant: Tenant, claim_id: str, params: wire.ClaimUpdateParams, now: dt.datetime) -> Row:
    claim, debtor = get(session, tenant, claim_id, for_update=True)
    changed: list[str] = []
    if params.debtor is not None:
        given = params.debtor
        for name in sorted(given.model_fields_set):
            value = getattr(given, name)
            if name == "name" and value is None:
                raise RequestError(400, "parameter_invalid", "debtor.name: cannot be removed", "debtor.name")
            if name == "address":
                _set_address(debtor, value)
            else:
                setattr(debtor, name, value)
            changed.append(f"debtor.{name}")
        if debtor.email is None and debtor.phone is None and debtor.address_line1 is None:
            raise RequestError(
                400, "parameter_invalid", "debtor: a debtor needs at least one of email, phone or address", "debtor"
            )
        debtor.updated_at = now
    if params.metadata is not None:
        merged = dict(claim.metadata_)
        for key, value in params.metadata.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if len(merged) > wire.claims.MAX_METADATA_KEYS:
            raise RequestError(
                400,
                "parameter_invalid",
                f"metadata: a claim keeps at most {wire.claims.MAX_METADATA_KEYS} keys",
                "metadata",
            )
        claim.metadata_ = merged
        changed.extend(f"metadata.{key}" for key in sorted(params.metadata))
    if changed:
        claim.updated_at = now
        data = {**snapshot((claim, debtor)), "changed": changed}
        events.record(session, tenant, "claim.updated", now, claim.id, data)
    return claim, debtor


#: The event a move into a state records; None where another event tells the story (plan_created).
_TRANSITION_EVENTS: dict[str, str | None] = {
    "paid": "claim.paid",
    "cancelled": "claim.cancelled",
    "paused": "claim.paused",
    "disputed": "claim.disputed",
    "escalated": "claim.escalated",
    "written_off": "claim.written_off",
    "payment_plan": None,
    "in_collection": None,
    "open": None,
}


def transition(
    session: Session,
    tenant: Tenant,
    row: Row,
    target: str,
    now: dt.datetime,
    event_type: str | None = None,
    **data: Any,
) -> None:
    """Move the claim to `target` and record its event (the state's own, or `event_type`) with `data`."""
    claim, _ = row
    try:
        check_transition(claim.state, target)
    except InvalidTransitionError as exc:
        raise RequestError(409, "invalid_state", str(exc)) from None
    previous = claim.state
    claim.state = target
    claim.updated_at = now
    if is_final(target):
        claim.closed_at = now
        claim.next_action_at = None
        revoke_pay_links(session, claim, now)
    event_type = event_type or _TRANSITION_EVENTS[target]
    if event_type is not None:
        events.record(session, tenant, event_type, now, claim.id, {**snapshot(row), "previous_state": previous, **data})


def revoke_pay_links(session: Session, claim: models.Claim, now: dt.datetime) -> None:
    links = session.scalars(
        select(models.PayLink).where(
            models.PayLink.creditor_id == claim.creditor_id,
            models.PayLink.claim_id == claim.id,
            models.PayLink.revoked_at.is_(None),
        )
    )
    for link in links:
        link.revoked_at = now


def cancel(session: Session, tenant: Tenant, claim_id: str, reason: str, now: dt.datetime) -> Row:
    row = get(session, tenant, claim_id, for_update=True)
    row[0].cancellation_reason = reason
    transition(session, tenant, row, "cancelled", now, reason=reason)
    return row
