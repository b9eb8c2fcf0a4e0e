"""Tables. Every tenant-owned table carries `creditor_id`, and its primary and unique keys include it.

The global tables are the tenants themselves and two lookup tables that map a secret (an API key, a pay
token) to its tenant: both are keyed by a SHA-256 digest, never by the secret.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paypage.store.types import JSONDocument, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSONDocument}


class Creditor(Base):
    __tablename__ = "creditors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(140))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("digest"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the key; the key itself is shown once and never stored."""
    hint: Mapped[str] = mapped_column(String(16))
    """The last four characters, so people can tell their keys apart."""
    name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class Debtor(Base):
    __tablename__ = "debtors"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(140))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    address_line1: Mapped[str | None] = mapped_column(String(100))
    address_line2: Mapped[str | None] = mapped_column(String(100))
    address_postal_code: Mapped[str | None] = mapped_column(String(16))
    address_city: Mapped[str | None] = mapped_column(String(60))
    address_region: Mapped[str | None] = mapped_column(String(60))
    address_country: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        ForeignKeyConstraint(["creditor_id", "debtor_id"], ["debtors.creditor_id", "debtors.id"]),
        UniqueConstraint("creditor_id", "livemode", "external_reference"),
        Index(None, "creditor_id", "livemode", "state", "id"),
        Index(None, "creditor_id", "livemode", "country", "id"),
        Index(None, "creditor_id", "transfer_reference"),
        Index(None, "next_action_at"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    debtor_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    resume_state: Mapped[str | None] = mapped_column(String(16))
    """The state to go back to when a pause or dispute ends."""
    external_reference: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    """The debtor's country, copied for filtering and per-country rules."""
    currency: Mapped[str] = mapped_column(String(3))
    principal: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger, default=0)
    fees_total: Mapped[int] = mapped_column(BigInteger, default=0)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    invoice_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    line_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    pay_link_version: Mapped[int] = mapped_column(Integer, default=1)
    transfer_reference: Mapped[str | None] = mapped_column(String(40))
    """The reference a bank transfer must carry (ISO 11649 RF, or a Swiss QR reference) to be matched."""
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    next_action_at: Mapped[dt.datetime | None]
    """When the engine looks at the claim next (a dunning step, a plan check); also its lease."""
    strategy_id: Mapped[str | None] = mapped_column(String(64))
    strategy_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Index of the next step of the strategy to run."""
    last_step_at: Mapped[dt.datetime | None]
    interest_accrued_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]


class Event(Base):
    """The claim's timeline and the transactional outbox: written in the transaction that causes it."""

    __tablename__ = "events"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "claim_id", "id"),
        Index(None, "creditor_id", "livemode", "id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class IdempotencyRecord(Base):
    """The stored answer to a POST made with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]]
    """IDs of what the request created, so a replay renders the same objects without storing PII twice."""
    created_at: Mapped[dt.datetime]


class PayLink(Base):
    """Maps the digest of a pay token to its claim. The token itself is never stored."""

    __tablename__ = "pay_links"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    creditor_id: Mapped[str] = mapped_column(String(32))
    claim_id: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "livemode", "id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSONDocument)
    description: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(128))
    """Signing needs the secret itself, so it cannot be stored as a hash."""
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[dt.datetime | None]
    failing_since: Mapped[dt.datetime | None]
    """Start of the current run of failed attempts; cleared by any success."""
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    deleted_at: Mapped[dt.datetime | None]


class WebhookDelivery(Base):
    """One event to one endpoint: pending until acknowledged, or failed after the last retry."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_claim_order", "creditor_id", "endpoint_id", "claim_id", "status", "event_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(32))
    claim_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    locked_until: Mapped[dt.datetime | None]
    """A worker's lease: until then no other worker takes this delivery."""
    created_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]


class WebhookAttempt(Base):
    """The delivery log: one row per HTTP request made."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "endpoint_id", "id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(32))
    endpoint_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime]


class Notice(Base):
    """Something the creditor must know about (shown in the portal)."""

    __tablename__ = "notices"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    subject_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    read_at: Mapped[dt.datetime | None]


class Payment(Base):
    """One attempt of the debtor to pay, through a provider or by bank transfer."""

    __tablename__ = "payments"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "claim_id", "id"),
        Index(None, "creditor_id", "provider", "provider_payment_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    """pending, succeeded, failed, refunded, abandoned."""
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    plan_id: Mapped[str | None] = mapped_column(String(32))
    instalment_number: Mapped[int | None] = mapped_column(Integer)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    succeeded_at: Mapped[dt.datetime | None]


class LedgerEntry(Base):
    """Money that moved: the claim's `paid` is the sum of its entries (refunds are negative)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("creditor_id", "source", "source_reference", "kind"),
        Index(None, "creditor_id", "claim_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32))
    payment_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    """payment or refund."""
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(16))
    """The provider, `bank_transfer` or `manual`."""
    source_reference: Mapped[str] = mapped_column(String(255))
    """The provider's payment id or the bank's entry reference: booked once per (source, reference, kind)."""
    created_at: Mapped[dt.datetime]


class ProviderEvent(Base):
    """Provider notifications already processed, so a redelivery changes nothing."""

    __tablename__ = "provider_events"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    provider_event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payment_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[dt.datetime]


class PaymentPlan(Base):
    """Instalments the debtor chose on the pay page."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "claim_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """active, completed, defaulted, cancelled."""
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    """[{number, due_date, amount, status, payment_id}] in order; amounts sum to `total`."""
    method: Mapped[str | None] = mapped_column(String(32))
    recurring_token: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class DebtorRequest(Base):
    """What the debtor asked for on the pay page: already paid, a pause, a dispute, a message."""

    __tablename__ = "debtor_requests"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "claim_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    upload_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]


class Upload(Base):
    """A file the debtor sent (proof of payment). Never served back inline."""

    __tablename__ = "uploads"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class ContactMessage(Base):
    """Every message and contact attempt: what was sent, to whom, on which channel, and what became of it.

    A row is written (`sending`) and committed before the channel is called, so a crash can never send a
    step twice: a row left in `sending` is settled as `unknown` and a person checks it.
    """

    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("creditor_id", "claim_id", "step_key", "channel"),
        Index(None, "creditor_id", "claim_id", "id"),
        Index(None, "provider_reference"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str] = mapped_column(String(32))
    step_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(64))
    tone: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    """sending, sent, delivered, bounced, failed, cancelled (claim settled before sending), unknown."""
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


# ---- data protection: audit log, retention, encryption keys (migration 0005) ----


# ---- creditor portal: users, sessions, inbox, imports, branding (migration 0006) ----


# ---- decisions: contact decisions, experiments, models, intents (migration 0007) ----
