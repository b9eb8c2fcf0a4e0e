"""payments plans requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 20:21:15.553248
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types
from sqlalchemy.dialects import postgresql
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('debtor_requests',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('upload_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_debtor_requests_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_debtor_requests'))
    )
    with op.batch_alter_table('debtor_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debtor_requests_creditor_id_claim_id'), ['creditor_id', 'claim_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('payment_id', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_reference', sa.String(length=255), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_ledger_entries_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('creditor_id', 'source', 'source_reference', 'kind', name=op.f('uq_ledger_entries_creditor_id_source_source_reference_kind'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_creditor_id_claim_id'), ['creditor_id', 'claim_id'], unique=False)

    op.create_table('payment_plans',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('schedule', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('recurring_token', sa.String(length=255), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_payment_plans_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_payment_plans'))
    )
    with op.batch_alter_table('payment_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_plans_creditor_id_claim_id'), ['creditor_id', 'claim_id'], unique=False)

    op.create_table('payments',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('provider_reference', sa.String(length=255), nullable=True),
    sa.Column('provider_payment_id', sa.String(length=255), nullable=True),
    sa.Column('plan_id', sa.String(length=32), nullable=True),
    sa.Column('instalment_number', sa.Integer(), nullable=True),
    sa.Column('failure_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_payments_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_creditor_id_claim_id_id'), ['creditor_id', 'claim_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_creditor_id_provider_provider_payment_id'), ['creditor_id', 'provider', 'provider_payment_id'], unique=False)

    op.create_table('provider_events',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('provider_event_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payment_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_provider_events_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'provider', 'provider_event_id', name=op.f('pk_provider_events'))
    )
    op.create_table('uploads',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_uploads_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_uploads'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_reference', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_creditor_id_transfer_reference'), ['creditor_id', 'transfer_reference'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_creditor_id_transfer_reference'))
        batch_op.drop_column('transfer_reference')

    op.drop_table('uploads')
    op.drop_table('provider_events')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_creditor_id_provider_provider_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payments_creditor_id_claim_id_id'))

    op.drop_table('payments')
    with op.batch_alter_table('payment_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_plans_creditor_id_claim_id'))

    op.drop_table('payment_plans')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_creditor_id_claim_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('debtor_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debtor_requests_creditor_id_claim_id'))

    op.drop_table('debtor_requests')
    
