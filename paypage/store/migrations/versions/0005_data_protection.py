"""data protection: personal data encrypted at rest, the append-only audit log, debtors' erasure mark

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:35:00

Existing rows are encrypted here, in batches, with the newest key of `INKASSO_DATA_KEYS` (the keyring of
the engine the migration runs on); the downgrade decrypts them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import paypage.store.types
from paypage.store.blind_index import tokens
from paypage.store.crypto import Keyring, keyring_for

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 500
DEBTOR_TEXT = ["name", "email", "phone", "address_line1", "address_line2", "address_postal_code", "address_city"]
DEBTOR_LENGTHS = {
    "name": 140, "email": 254, "phone": 16, "address_line1": 100, "address_line2": 100,
    "address_postal_code": 16, "address_city": 60,
}
# (table, column, how the value is stored): every column the models declare with an Encrypted* type.
ENCRYPTED: list[tuple[str, str, str]] = [
    *[("debtors", column, "text") for column in DEBTOR_TEXT],
    ("debtors", "date_of_birth", "text"),
    ("messages", "recipient", "text"),
    ("messages", "subject", "text"),
    ("messages", "body_text", "text"),
    ("messages", "body_html", "text"),
    ("events", "data", "text"),
    ("debtor_requests", "data", "text"),
    ("uploads", "content", "bytes"),
]

PG_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
]


def _rewrite(table: str, column: str, change: Callable[[object], object]) -> None:
    """Apply `change` to every non-null value of a column, in primary-key order, a batch at a time."""
    bind = op.get_bind()
    meta = sa.Table(table, sa.MetaData(), autoload_with=bind)
    keys = list(meta.primary_key.columns)
    target = meta.c[column]
    last: Sequence[object] | None = None
    while True:
        query = sa.select(*keys, target).where(target.is_not(None)).order_by(*keys).limit(BATCH)
        if last is not None:
            query = query.where(sa.tuple_(*keys) > sa.tuple_(*[sa.literal(v) for v in last]))
        rows = bind.execute(query).all()
        for row in rows:
            where = sa.and_(*[key == row[i] for i, key in enumerate(keys)])
            bind.execute(sa.update(meta).where(where).values({column: change(row[-1])}))
        if len(rows) < BATCH:
            return
        last = tuple(rows[-1][: len(keys)])


def _index_names(keyring: Keyring) -> None:
    """The name search tokens (paypage.store.blind_index), from the names while they are still plain."""
    bind = op.get_bind()
    debtors = sa.table('debtors', sa.column('creditor_id'), sa.column('id'), sa.column('name'), sa.column('name_index'))
    keys = [debtors.c.creditor_id, debtors.c.id]
    last: Sequence[object] | None = None
    while True:
        query = sa.select(*keys, debtors.c.name).order_by(*keys).limit(BATCH)
        if last is not None:
            query = query.where(sa.tuple_(*keys) > sa.tuple_(*[sa.literal(v) for v in last]))
        rows = bind.execute(query).all()
        for row in rows:
            bind.execute(
                debtors.update()
                .where(debtors.c.creditor_id == row.creditor_id, debtors.c.id == row.id)
                .values(name_index=tokens(keyring, row.name))
            )
        if len(rows) < BATCH:
            return
        last = (rows[-1].creditor_id, rows[-1].id)


def _sealer(keyring: Keyring, table: str, column: str, kind: str) -> Callable[[object], object]:
    purpose = f"{table}.{column}"
    if kind == "bytes":
        return lambda value: keyring.encrypt(bytes(cast(bytes, value)), purpose)
    return lambda value: keyring.encrypt_text(str(value), purpose)


def _opener(keyring: Keyring, table: str, column: str, kind: str) -> Callable[[object], object]:
    purpose = f"{table}.{column}"
    if kind == "bytes":
        return lambda value: keyring.decrypt(bytes(cast(bytes, value)), purpose)
    return lambda value: keyring.decrypt_text(str(value), purpose)


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"

    op.create_table('audit_log',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_creditor_id_seq'), ['creditor_id', 'seq'], unique=False)
    if postgres:
        op.execute(PG_APPEND_ONLY)
    else:
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)

    with op.batch_alter_table('debtors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('name_index', sa.Text(), nullable=True))
        for column in DEBTOR_TEXT:
            batch_op.alter_column(column, existing_type=sa.String(length=DEBTOR_LENGTHS[column]), type_=sa.Text())
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), type_=sa.Text(),
                              postgresql_using='date_of_birth::text')
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    for table in ('events', 'debtor_requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('data', existing_type=json_type, type_=sa.Text(), postgresql_using='data::text')

    keyring = keyring_for(bind.dialect)
    _index_names(keyring)
    for table, column, kind in ENCRYPTED:
        _rewrite(table, column, _sealer(keyring, table, column, kind))


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    keyring = keyring_for(bind.dialect)
    for table, column, kind in ENCRYPTED:
        _rewrite(table, column, _opener(keyring, table, column, kind))

    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    for table in ('events', 'debtor_requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('data', existing_type=sa.Text(), type_=json_type, postgresql_using='data::jsonb')
    with op.batch_alter_table('debtors', schema=None) as batch_op:
        batch_op.alter_column('date_of_birth', existing_type=sa.Text(), type_=sa.Date(),
                              postgresql_using='date_of_birth::date')
        for column in DEBTOR_TEXT:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=DEBTOR_LENGTHS[column]))
        batch_op.drop_column('name_index')
        batch_op.drop_column('erased_at')

    if postgres:
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_creditor_id_seq'))
    op.drop_table('audit_log')
