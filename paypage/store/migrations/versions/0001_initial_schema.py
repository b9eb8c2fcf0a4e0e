"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 19:49:44.728882
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('creditors',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=140), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creditors'))
    )
    op.create_table('pay_links',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_pay_links'))
    )
    op.create_table('api_keys',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_api_keys_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_keys_digest'))
    )
    op.create_table('debtors',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=140), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('address_line1', sa.String(length=100), nullable=True),
    sa.Column('address_line2', sa.String(length=100), nullable=True),
    sa.Column('address_postal_code', sa.String(length=16), nullable=True),
    sa.Column('address_city', sa.String(length=60), nullable=True),
    sa.Column('address_region', sa.String(length=60), nullable=True),
    sa.Column('address_country', sa.String(length=2), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_debtors_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_debtors'))
    )
    op.create_table('events',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('api_version', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_events_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_creditor_id_claim_id_id'), ['creditor_id', 'claim_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_creditor_id_livemode_id'), ['creditor_id', 'livemode', 'id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_idempotency_keys_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'livemode', 'operation', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('claims',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('debtor_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('resume_state', sa.String(length=16), nullable=True),
    sa.Column('external_reference', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('interest', sa.BigInteger(), nullable=False),
    sa.Column('fees_total', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('line_items', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fees', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('pay_link_version', sa.Integer(), nullable=False),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.Column('next_action_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id', 'debtor_id'], ['debtors.creditor_id', 'debtors.id'], name=op.f('fk_claims_creditor_id_debtor_id_debtors')),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_claims_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_claims')),
    sa.UniqueConstraint('creditor_id', 'livemode', 'external_reference', name=op.f('uq_claims_creditor_id_livemode_external_reference'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_creditor_id_livemode_country_id'), ['creditor_id', 'livemode', 'country', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_creditor_id_livemode_state_id'), ['creditor_id', 'livemode', 'state', 'id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_creditor_id_livemode_state_id'))
        batch_op.drop_index(batch_op.f('ix_claims_creditor_id_livemode_country_id'))

    op.drop_table('claims')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_creditor_id_livemode_id'))
        batch_op.drop_index(batch_op.f('ix_events_creditor_id_claim_id_id'))

    op.drop_table('events')
    op.drop_table('debtors')
    op.drop_table('api_keys')
    op.drop_table('pay_links')
    op.drop_table('creditors')
    
