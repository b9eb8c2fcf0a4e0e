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
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paypage.store.blind_index import NameIndex
from paypage.store.crypto import EncryptedBytes, EncryptedDate, EncryptedJSON, EncryptedText
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
    # Personal data is encrypted at rest (paypage.store.crypto); nothing looks a debtor up by these fields.
    name: Mapped[str] = mapped_column(EncryptedText("debtors.name"))
    name_index: Mapped[str | None] = mapped_column(NameIndex())
    """Keyed word-prefix tokens of the name for search (paypage.store.blind_index); set with the name."""
    email: Mapped[str | None] = mapped_column(EncryptedText("debtors.email"))
    phone: Mapped[str | None] = mapped_column(EncryptedText("debtors.phone"))
    address_line1: Mapped[str | None] = mapped_column(EncryptedText("debtors.address_line1"))
    address_line2: Mapped[str | None] = mapped_column(EncryptedText("debtors.address_line2"))
    address_postal_code: Mapped[str | None] = mapped_column(EncryptedText("debtors.address_postal_code"))
    address_city: Mapped[str | None] = mapped_column(EncryptedText("debtors.address_city"))
    address_region: Mapped[str | None] = mapped_column(String(60))
    address_country: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    date_of_birth: Mapped[dt.date | None] = mapped_column(EncryptedDate("debtors.date_of_birth"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    erased_at: Mapped[dt.datetime | None]
    """When the personal fields were anonymised (on request, or when the retention period ran out)."""


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
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("events.data"))
    """Claim snapshots carry the debtor, so the payload is encrypted like the debtor row."""
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
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("debtor_requests.data"))
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
    content: Mapped[bytes] = mapped_column(EncryptedBytes("uploads.content"))
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
    recipient: Mapped[str] = mapped_column(EncryptedText("messages.recipient"))
    subject: Mapped[str | None] = mapped_column(EncryptedText("messages.subject"))
    body_text: Mapped[str] = mapped_column(EncryptedText("messages.body_text"))
    body_html: Mapped[str | None] = mapped_column(EncryptedText("messages.body_html"))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


# ---- data protection: audit log, retention, encryption keys (migration 0005) ----


@event.listens_for(Debtor.name, "set")
def _index_name(target: Debtor, value: str, _old: object, _initiator: object) -> None:
    target.name_index = value  # NameIndex stores the keyed tokens of the name, never the name


class AuditEntry(Base):
    """One entry of the append-only audit log. A global table: one hash chain over every creditor's and
    the operator's actions, so that removing or changing any entry breaks the chain (`audit verify`).
    Database triggers refuse UPDATE and DELETE; `detail` never holds personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "creditor_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    """1, 2, 3, ... without gaps: appends are serialised, so a missing number is a deleted entry."""
    creditor_id: Mapped[str | None] = mapped_column(String(32))
    """None for the operator's own actions."""
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# ---- creditor portal: users, sessions, inbox, imports, branding (migration 0006) ----


class PortalUser(Base):
    """A person who signs in to the portal: a creditor's user, or an operator of the service (no creditor).

    Global, like `pay_links`: signing in starts from the e-mail address alone, before any tenant is known.
    """

    __tablename__ = "portal_users"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("email"),
        Index(None, "creditor_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    creditor_id: Mapped[str | None] = mapped_column(String(32))
    """None for an operator, who may act for any creditor."""
    email: Mapped[str] = mapped_column(String(254))
    """Lower-cased, so that sign-in does not depend on how it was typed."""
    name: Mapped[str] = mapped_column(String(140))
    role: Mapped[str] = mapped_column(String(16))
    """read_only, agent or owner."""
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    recovery_codes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    """SHA-256 digests of the unused recovery codes."""
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]
    disabled_at: Mapped[dt.datetime | None]


class PortalSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "portal_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["user_id"], ["portal_users.id"]),
        Index(None, "user_id"),
    )

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    creditor_id: Mapped[str | None] = mapped_column(String(32))
    """The creditor the session acts for (an operator picks one)."""
    livemode: Mapped[bool | None] = mapped_column(Boolean)
    """The mode switch; None until the user picks one (then the creditor's default applies)."""
    stage: Mapped[str] = mapped_column(String(16))
    """`totp` while the second factor is awaited, then `full`."""
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    """The absolute end, however active the session is."""
    revoked_at: Mapped[dt.datetime | None]


class PortalInvitation(Base):
    """An owner's invitation: the link carries a random token, the table only its SHA-256."""

    __tablename__ = "portal_invitations"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("token_digest"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


# The dashboard's figures (`paypage.portal.figures`) for a creditor with 100,000+ claims: the time to pay of
# paid claims read from the index alone, and this month's ledger entries without scanning older ones.
Index("ix_claims_portal_time_to_pay", Claim.creditor_id, Claim.livemode, Claim.state, Claim.closed_at, Claim.created_at)
Index("ix_ledger_entries_portal_created", LedgerEntry.creditor_id, LedgerEntry.created_at)


class LoginAttempt(Base):
    """A failed sign-in, counted per account and per address (both as digests) for the rate limit."""

    __tablename__ = "portal_login_attempts"
    __table_args__ = (Index(None, "scope", "key_digest", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(8))
    """`account` or `address`."""
    key_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


# creditor portal, workspace: CSV imports and the pay page's logo


class ImportJob(Base):
    """A CSV file handed over in the portal, imported in batches; progress is committed after each batch."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "livemode", "id"),
        Index(None, "status", "locked_until"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    """queued, running, done, failed (the file as a whole was unusable)."""
    partial: Mapped[bool] = mapped_column(Boolean)
    """Import the good rows even when some are bad; otherwise a file with a bad row imports nothing."""
    content: Mapped[bytes | None] = mapped_column(EncryptedBytes("import_jobs.content"))
    """The uploaded file until it is processed, encrypted like every other personal data; dropped then."""
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    """Why the whole file was refused (a wrong header, not UTF-8)."""
    created_by: Mapped[str | None] = mapped_column(String(32))
    locked_until: Mapped[dt.datetime | None]
    """A runner's lease: a job whose runner died is taken over once it has passed."""
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class ImportRowError(Base):
    """One problem of one line of an imported file, for the per-line report."""

    __tablename__ = "import_row_errors"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)


class BrandLogo(Base):
    """The logo the pay page shows for a creditor: PNG or JPEG, checked by content, served from our domain."""

    __tablename__ = "brand_logos"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime]


# ---- decisions: contact decisions, experiments, models, intents (migration 0007) ----


class InboundMessage(Base):
    """A message a debtor sent us: an e-mail or SMS/WhatsApp reply, or the pay page's contact form.

    Kept whether or not it matched a claim, with what the intent model made of it and what was done.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        UniqueConstraint("creditor_id", "channel", "provider_reference"),
        Index(None, "creditor_id", "claim_id", "id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    """email, sms, whatsapp or pay_page."""
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    """Twilio's MessageSid or the e-mail's Message-ID: a redelivery is recognised and stored once."""
    sender: Mapped[str] = mapped_column(EncryptedText("inbound_messages.sender"))
    subject: Mapped[str | None] = mapped_column(EncryptedText("inbound_messages.subject"))
    body: Mapped[str] = mapped_column(EncryptedText("inbound_messages.body"))
    """The new text only: quoted history of an e-mail reply is cut off before storing and classifying."""
    language: Mapped[str | None] = mapped_column(String(8))
    matched_by: Mapped[str] = mapped_column(String(16))
    """token, reference, sender, pay_page or none."""
    intent: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    """answered (a template answered) or human (an inbox item was opened)."""
    reason: Mapped[str] = mapped_column(String(32))
    answer_message_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[dt.datetime]


class InboxItem(Base):
    """Something a person at the creditor has to look at: a debtor message, a payment to verify."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "livemode", "status", "id"),
        Index(None, "creditor_id", "claim_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str | None] = mapped_column(String(32))
    inbound_message_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    """message, verify_payment or apply_address_change."""
    intent: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    """high (hardship, dispute) or normal."""
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """open or closed."""
    assignee: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(500))
    reply_message_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]


class ContactDecision(Base):
    """How the contact policy chose to approach the debtor for one step: channel, hour, tone, why, and
    with which probability (for off-policy evaluation). Settled once the attribution window is over."""

    __tablename__ = "contact_decisions"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "claim_id", "id"),
        Index(None, "status", "settle_after"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    claim_id: Mapped[str] = mapped_column(String(32))
    step_key: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    hour: Mapped[int] = mapped_column(Integer)
    """Local hour of day in the debtor's country."""
    tone: Mapped[str] = mapped_column(String(16))
    send_at: Mapped[dt.datetime]
    propensity: Mapped[float] = mapped_column(Float)
    explored: Mapped[bool] = mapped_column(Boolean)
    explanation: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]]
    """The features the policy saw and the segments it pooled over (no personal data)."""
    options: Mapped[int] = mapped_column(Integer)
    """How many options the guardrails allowed."""
    status: Mapped[str] = mapped_column(String(16))
    """pending (waiting for its hour), sent, void (not sent, or not delivered), settled."""
    message_id: Mapped[str | None] = mapped_column(String(32))
    settle_after: Mapped[dt.datetime | None]
    """The end of the attribution window, once sent."""
    reward: Mapped[int | None] = mapped_column(Integer)
    settled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class PolicyWeight(Base):
    """The contact policy's state: the posterior of one weight of its model (`paypage.decisions.logistic`),
    per creditor and mode. Only the features decisions have shown have a row; the rest are at their prior."""

    __tablename__ = "policy_weights"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    feature: Mapped[str] = mapped_column(String(160), primary_key=True)
    mean: Mapped[float] = mapped_column(Float)
    precision: Mapped[float] = mapped_column(Float)
    trials: Mapped[int] = mapped_column(Integer)
    """Settled contacts that had this feature."""
    updated_at: Mapped[dt.datetime]


class PropensityModel(Base):
    """A fitted payment-propensity model: coefficients and calibration as JSON, never a pickle.

    `creditor_id` is null for the model pooled over every creditor's history; it is a global table like
    `pay_links`, because a pooled model belongs to no tenant.
    """

    __tablename__ = "propensity_models"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "livemode", "trained_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    creditor_id: Mapped[str | None] = mapped_column(String(32))
    livemode: Mapped[bool] = mapped_column(Boolean)
    format_version: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    """Time-based holdout: AUC and Brier score per target, sample counts, the cut-off date."""
    trained_at: Mapped[dt.datetime]


class ClaimScore(Base):
    """The latest propensity of an open claim; the engine's work queue is ordered by `priority`."""

    __tablename__ = "claim_scores"
    __table_args__ = (ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),)

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    p_paid_30: Mapped[float] = mapped_column(Float)
    p_paid_90: Mapped[float] = mapped_column(Float)
    expected_90: Mapped[int] = mapped_column(BigInteger)
    """Expected amount collected within 90 days, in minor units of `currency`."""
    currency: Mapped[str] = mapped_column(String(3))
    priority: Mapped[int] = mapped_column(BigInteger)
    """`expected_90` in hundredths of the currency's major unit, so claims in currencies with different
    minor units compare fairly when they are due at the same time."""
    model_id: Mapped[str | None] = mapped_column(String(32))
    """Null when the cold-start prior scored the claim."""
    scored_at: Mapped[dt.datetime]


class Experiment(Base):
    """Champion against challenger: two whole strategies, claims assigned at random and for good."""

    __tablename__ = "experiments"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        Index(None, "creditor_id", "livemode", "status", "id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(140))
    status: Mapped[str] = mapped_column(String(16))
    """running or stopped; a stopped experiment assigns no new claims, assigned ones keep their arm."""
    segment: Mapped[dict[str, Any]]
    champion: Mapped[dict[str, Any]]
    challenger: Mapped[dict[str, Any]]
    challenger_percent: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict[str, Any]]
    """The stop rule's parameters and the fixed sample size per arm derived from them."""
    created_at: Mapped[dt.datetime]
    stopped_at: Mapped[dt.datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(String(200))


class ExperimentAssignment(Base):
    """The arm a claim was given; a claim takes part in one experiment at most."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (
        ForeignKeyConstraint(["creditor_id"], ["creditors.id"]),
        ForeignKeyConstraint(["creditor_id", "experiment_id"], ["experiments.creditor_id", "experiments.id"]),
        Index(None, "creditor_id", "experiment_id", "claim_id"),
    )

    creditor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    experiment_id: Mapped[str] = mapped_column(String(32))
    arm: Mapped[str] = mapped_column(String(16))
    assigned_at: Mapped[dt.datetime]
